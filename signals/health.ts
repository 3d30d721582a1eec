import { z } from "zod";
import { bool, channelRefs, prefectName, uniqueList } from "../config/fields";
import {
    ANY_DEPLOYMENT,
    ANY_WORK_POOL,
    ANY_WORK_QUEUE,
    DEPLOYMENT_STATUS_EVENTS,
    WORK_POOL_PAUSED_EVENT,
    WORK_QUEUE_STATUS_EVENTS,
} from "../prefect/vocabulary";
import { deploymentIncidentKey, resolveChannels, resolving, workQueueIncidentKey } from "../rules/incidents";
import { deploymentNotReadyMessage, workPoolPausedMessage, workQueueStatusMessage } from "../rules/messages";
import { clearedAfter, statusTrigger } from "../rules/triggers";
import type { AutomationSpec, Signal } from "./signal";

const names = (what: string) => uniqueList(prefectName(what), `${what}s`).default([]);

const schema = z
    .strictObject({
        deployments: names("deployment name"),
        /** Queue names as Prefect labels them: a name such as "default" matches that queue in every pool. */
        workQueues: names("work queue name"),
        workPools: names("work pool name"),
        /** Where the warnings (paused) go, and the P1s too unless p1Channels says otherwise. */
        channels: channelRefs.optional(),
        p1Channels: channelRefs.optional(),
        /** Also post "Recovered" to the chat channels when a not-ready resource is ready again; off: PagerDuty resolves only. */
        recoveredNotice: bool().default(false),
    })
    .prefault({});
type Settings = z.output<typeof schema>;

const enabled = (s: Settings) => s.deployments.length + s.workQueues.length + s.workPools.length > 0;

/**
 * Deployment, work-queue and work-pool health for named resources: not-ready (no worker polled within Prefect's
 * timeout, P1) and paused (warning). One automation per kind of event, counted per resource.
 */
export const health: Signal = {
    id: "health",
    configKey: "health",
    severity: "p1",
    summary: "a deployment or work queue in `health` went not-ready (P1), or a work queue or work pool in `health` was paused (warning)",
    settings: {
        key: "health",
        schema,
        refs: (s: Settings) => ({
            enabled: enabled(s),
            channels: enabled(s) ? [...new Set([...(s.channels ?? []), ...(s.p1Channels ?? [])])] : [],
            routes: [],
            channelsAt: [
                ...(s.channels ? [{ path: ["channels"], names: s.channels }] : []),
                ...(s.p1Channels ? [{ path: ["p1Channels"], names: s.p1Channels }] : []),
            ],
        }),
        problem: (s: Settings) => {
            if (!enabled(s)) return undefined;
            const paused = s.workQueues.length + s.workPools.length > 0;
            if (!s.channels && (paused || !s.p1Channels))
                return {
                    path: ["channels"],
                    expected: "at least one channel name when health names deployments, work queues or work pools",
                };
        },
    },
    automations: (cfg, { label }) => {
        const s = cfg.signals.health as Settings;
        if (!enabled(s)) return [];
        const warn = s.channels ?? [];
        const page = s.p1Channels ?? warn;
        const out: AutomationSpec[] = [];
        const list = (xs: string[]) => xs.join(" or ");
        if (s.deployments.length)
            out.push({
                key: "health-deployment-not-ready",
                tier: "p1",
                signal: "health",
                name: label("P1 deployment not ready"),
                description: `P1: deployment ${list(s.deployments)} went not-ready (no worker polled for its runs).`,
                trigger: statusTrigger(ANY_DEPLOYMENT, s.deployments, DEPLOYMENT_STATUS_EVENTS.notReady),
                channels: page,
                message: deploymentNotReadyMessage(),
                routes: [],
                incident: { dedupKey: deploymentIncidentKey(cfg.stack), action: "trigger", severity: "critical" },
            });
        if (s.workQueues.length)
            out.push(
                {
                    key: "health-work-queue-not-ready",
                    tier: "p1",
                    signal: "health",
                    name: label("P1 work queue not ready"),
                    description: `P1: work queue ${list(s.workQueues)} went not-ready (no worker polled it).`,
                    trigger: statusTrigger(ANY_WORK_QUEUE, s.workQueues, WORK_QUEUE_STATUS_EVENTS.notReady),
                    channels: page,
                    message: workQueueStatusMessage("not-ready"),
                    routes: [],
                    incident: { dedupKey: workQueueIncidentKey(cfg.stack), action: "trigger", severity: "critical" },
                },
                {
                    key: "health-work-queue-paused",
                    tier: "warning",
                    signal: "health",
                    name: label("Work queue paused"),
                    description: `Warning: work queue ${list(s.workQueues)} was paused.`,
                    trigger: statusTrigger(ANY_WORK_QUEUE, s.workQueues, WORK_QUEUE_STATUS_EVENTS.paused),
                    channels: warn,
                    message: workQueueStatusMessage("paused"),
                    routes: [],
                },
            );
        if (s.workPools.length)
            out.push({
                key: "health-work-pool-paused",
                tier: "warning",
                signal: "health",
                name: label("Work pool paused"),
                description: `Warning: work pool ${list(s.workPools)} was paused.`,
                trigger: statusTrigger(ANY_WORK_POOL, s.workPools, WORK_POOL_PAUSED_EVENT),
                channels: warn,
                message: workPoolPausedMessage(),
                routes: [],
            });
        // A resolve automation where a channel tracks incidents, or chat opted in (rules/incidents.ts resolveChannels).
        return out.flatMap((a) => {
            const to = a.incident ? resolveChannels(cfg, a.channels, s.recoveredNotice) : [];
            return to.length ? [a, healthResolve(a, to)] : [a];
        });
    },
};

/** The event that clears each not-ready incident (the resource was polled again), and the notice it sends. */
const CLEARED_BY: Record<string, { event: string; notice: string }> = {
    [DEPLOYMENT_STATUS_EVENTS.notReady]: {
        event: DEPLOYMENT_STATUS_EVENTS.ready,
        notice: "Recovered: deployment {{ deployment.name }} is ready",
    },
    [WORK_QUEUE_STATUS_EVENTS.notReady]: {
        event: WORK_QUEUE_STATUS_EVENTS.ready,
        notice: "Recovered: work queue {{ work_queue.name }} is ready",
    },
};

/**
 * The automation that resolves a not-ready incident: the same resource's `.ready` event after its `.not-ready`
 * (clearedAfter: the first ready after creation, or after a pause, sends nothing), the same dedup key, to `channels`.
 */
export function healthResolve(alert: AutomationSpec, channels: string[]): AutomationSpec {
    const cleared = CLEARED_BY[alert.trigger.expect[0]];
    if (!cleared) throw new Error(`${alert.key} opens no incident that a ready event clears`);
    return resolving(alert, {
        trigger: clearedAfter(alert.trigger, [cleared.event]),
        message: { subject: cleared.notice, body: `:white_check_mark: *${cleared.notice}* again` },
        description: `Resolves: ${alert.description}`,
        channels,
    });
}
