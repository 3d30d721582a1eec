import { z } from "zod";
import { bool, channelRefs, prefectName, uniqueList } from "../alert/fields";
import { deploymentIncidentKey, resolving, workQueueIncidentKey } from "../alert/incidents";
import type { AutomationDraft, Message } from "../alert/model";
import { EventTriggerSpec, clearedAfter, oneOrMany, reactive } from "../alert/triggers";
import {
    ANY_DEPLOYMENT,
    ANY_WORK_POOL,
    ANY_WORK_QUEUE,
    DEPLOYMENT_STATUS_EVENTS,
    WORK_POOL_PAUSED_EVENT,
    WORK_QUEUE_STATUS_EVENTS,
} from "../prefect/vocabulary";
import type { SignalModule } from "./signal";

const names = (what: string) => uniqueList(prefectName(what), `${what}s`).default([]);

const schema = z
    .strictObject({
        deployments: names("deployment name").describe("Deployments whose not-ready (no worker polled them) is a P1; paused: a warning."),
        /** Queue names as Prefect labels them: a name such as "default" matches that queue in every pool. */
        workQueues: names("work queue name").describe("Work queues, as for deployments."),
        workPools: names("work pool name").describe("Work pools, as for deployments."),
        /** Where the warnings (paused) go, and the P1s too unless p1Channels says otherwise. */
        channels: channelRefs
            .optional()
            .describe("Where the warnings go, and the P1s unless p1Channels is set; required when any resource is named."),
        p1Channels: channelRefs.optional().describe("Where the P1s go; unset: channels."),
        /** Also post "Recovered" to the chat channels when a not-ready resource is ready again; off: PagerDuty resolves only. */
        recoveredNotice: bool()
            .default(false)
            .describe(
                'Also post "Recovered" to the section\'s chat channels when its incident clears; off: resolves go to PagerDuty only.',
            ),
    })
    .prefault({});
type Settings = z.output<typeof schema>;

const enabled = (s: Settings) => s.deployments.length + s.workQueues.length + s.workPools.length > 0;

/** A status event (`prefect.deployment.not-ready`, `prefect.work-queue.paused`, ...) of a named deployment, queue or pool. */
export function statusTrigger(anyResource: string, names: string[], event: string): EventTriggerSpec {
    return reactive({
        match: { "prefect.resource.id": anyResource, "prefect.resource.name": oneOrMany(names) },
        expect: [event],
        for_each: ["prefect.resource.id"],
    });
}

export function deploymentNotReadyMessage(): Message {
    return {
        subject: "P1: deployment {{ deployment.name }} is not ready",
        body: [
            ":fire: *P1: deployment {{ deployment.name }} is not ready*",
            "",
            "No worker has polled for its runs within Prefect's timeout, so its scheduled runs cannot start.",
            "*Deployment*: <{{ deployment|ui_url }}|open {{ deployment.name }} in Prefect>",
            "",
            "*Next*: check the worker(s) serving its work pool and queue, and whether they are running and can reach Prefect.",
        ].join("\n"),
    };
}

export function workQueueStatusMessage(status: "not-ready" | "paused"): Message {
    const title =
        status === "not-ready" ? "P1: work queue {{ work_queue.name }} is not ready" : "Work queue {{ work_queue.name }} was paused";
    return {
        subject: title,
        body: [
            `${status === "not-ready" ? ":fire:" : ":warning:"} *${title}*`,
            "",
            status === "not-ready"
                ? "No worker has polled it within Prefect's timeout, so its flow runs cannot start."
                : "Its scheduled flow runs will not start until it is resumed.",
            "*Work queue*: <{{ work_queue|ui_url }}|open {{ work_queue.name }} in Prefect>",
            "",
            status === "not-ready"
                ? "*Next*: check the workers polling this queue and their logs."
                : "*Next*: resume it if the pause was not meant.",
        ].join("\n"),
    };
}

export function workPoolPausedMessage(): Message {
    return {
        subject: "Work pool {{ work_pool.name }} was paused",
        body: [
            ":warning: *Work pool {{ work_pool.name }} was paused*",
            "",
            "None of its flow runs will start until it is resumed.",
            "*Work pool*: <{{ work_pool|ui_url }}|open {{ work_pool.name }} in Prefect>",
            "",
            "*Next*: resume it if the pause was not meant.",
        ].join("\n"),
    };
}

/**
 * Deployment, work-queue and work-pool health for named resources: not-ready (no worker polled within Prefect's
 * timeout, P1) and paused (warning). One automation per kind of event, counted per resource.
 */
export const health: SignalModule<Settings> = {
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
    automations: (s, { stack, label, resolveChannels }) => {
        if (!enabled(s)) return [];
        const warn = s.channels ?? [];
        const page = s.p1Channels ?? warn;
        const out: AutomationDraft[] = [];
        const list = (xs: string[]) => xs.join(" or ");
        if (s.deployments.length)
            out.push({
                key: "health-deployment-not-ready",
                tier: "p1",
                name: label("P1 deployment not ready"),
                description: `P1: deployment ${list(s.deployments)} went not-ready (no worker polled for its runs).`,
                trigger: statusTrigger(ANY_DEPLOYMENT, s.deployments, DEPLOYMENT_STATUS_EVENTS.notReady),
                channels: page,
                message: deploymentNotReadyMessage(),
                routes: [],
                incident: { dedupKey: deploymentIncidentKey(stack), action: "trigger", severity: "critical" },
            });
        if (s.workQueues.length)
            out.push(
                {
                    key: "health-work-queue-not-ready",
                    tier: "p1",
                    name: label("P1 work queue not ready"),
                    description: `P1: work queue ${list(s.workQueues)} went not-ready (no worker polled it).`,
                    trigger: statusTrigger(ANY_WORK_QUEUE, s.workQueues, WORK_QUEUE_STATUS_EVENTS.notReady),
                    channels: page,
                    message: workQueueStatusMessage("not-ready"),
                    routes: [],
                    incident: { dedupKey: workQueueIncidentKey(stack), action: "trigger", severity: "critical" },
                },
                {
                    key: "health-work-queue-paused",
                    tier: "warning",
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
                name: label("Work pool paused"),
                description: `Warning: work pool ${list(s.workPools)} was paused.`,
                trigger: statusTrigger(ANY_WORK_POOL, s.workPools, WORK_POOL_PAUSED_EVENT),
                channels: warn,
                message: workPoolPausedMessage(),
                routes: [],
            });
        // A resolve automation where a channel tracks incidents, or chat opted in (SignalContext.resolveChannels).
        return out.flatMap((a) => {
            const to = a.incident ? resolveChannels(a.channels, s.recoveredNotice) : [];
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
export function healthResolve(alert: AutomationDraft, channels: string[]): AutomationDraft {
    const cleared = CLEARED_BY[alert.trigger.expect[0]];
    if (!cleared) throw new Error(`${alert.key} opens no incident that a ready event clears`);
    return resolving(alert, {
        trigger: clearedAfter(alert.trigger, [cleared.event]),
        message: { subject: cleared.notice, body: `:white_check_mark: *${cleared.notice}* again` },
        description: `Resolves: ${alert.description}`,
        channels,
    });
}
