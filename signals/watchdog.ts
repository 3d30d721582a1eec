import { z } from "zod";
import { kindOf } from "../channels/registry";
import { bool, channelName, range } from "../alert/fields";
import { describeDuration } from "../alert/messages";
import type { Message } from "../alert/model";
import {
    EventTriggerSpec,
    labelLiteral,
    PROACTIVE_MIN_WITHIN_SECONDS,
    WATCHDOG_EVENT,
    WATCHDOG_RESOURCE_PREFIX,
} from "../prefect/vocabulary";
import type { SignalModule } from "./signal";

/**
 * A watchdog outside Prefect: every `intervalMinutes`, an automation of the stack pings an external heartbeat
 * monitor (a `heartbeat` channel), which pages when a ping is missing. Prefect cannot report its own silence:
 * a webhook answering HTTP 500 is retried and dropped with no `action.failed` event, and when a service of the
 * server stops, every automation goes quiet and nothing in Prefect notices.
 *
 * What a ping proves: Prefect's triggers service still runs its proactive loop (the automation is Proactive and
 * fires at the end of each window with no event: server/events/triggers.py, `proactive_evaluation`), its actions
 * service still runs actions, and the server still reaches the outside (egress, DNS, the block's URL).
 * What it does NOT prove: that the reactive event pipeline works. The heartbeat needs no event to arrive, so a
 * stopped event ingestion or a broken reactive trigger evaluation leaves the pings flowing while failure alerts
 * stop. Nor that any other channel's webhook still works.
 *
 * Measured on Prefect 3.9.1 (shared/reference/prefect.md, tests/e2e/watchdog.e2e.ts): such an automation fires
 * every W + 0.03…0.6 s. After a restart, a window that ended less than PREFECT_EVENTS_EXPIRED_BUCKET_BUFFER (60 s)
 * before fires at once (one catch-up ping); an older one is swept (triggers.py, `sweep_closed_buckets`) and the first
 * ping comes about W after the restart.
 */

/** Prefect refuses a Proactive `within` under 10 s: 0.25 minutes (15 s) is the shortest interval offered. */
export const WATCHDOG_MIN_MINUTES = 0.25;
const MAX_MINUTES = 1440;

const schema = z
    .strictObject({
        enabled: bool()
            .default(false)
            .describe("A heartbeat to an external monitor every interval, through Prefect's own automation engine (see Watchdog)."),
        /** The heartbeat channel (type heartbeat) whose ping URL the monitor gave. */
        channel: channelName
            .optional()
            .describe(
                "The heartbeat channel the pings go to; required when enabled. " +
                    "It takes no alerts, and the watchdog sends to no other kind.",
            ),
        intervalMinutes: range(
            WATCHDOG_MIN_MINUTES,
            MAX_MINUTES,
            `a number of minutes from ${WATCHDOG_MIN_MINUTES} to ${MAX_MINUTES} (a Proactive window: Prefect refuses one under ` +
                `${PROACTIVE_MIN_WITHIN_SECONDS} s)`,
        )
            .default(5)
            .describe("The ping period; give the monitor's check this period and a grace of at least one minute."),
    })
    .prefault({});
type Settings = z.output<typeof schema>;

/** The resource the watchdog waits on, one per stack: nothing emits events for it. */
export const watchdogResource = (stack: string) => `${WATCHDOG_RESOURCE_PREFIX}${stack}`;

/** Proactive on an event that never occurs: it fires at the end of every window of `seconds`, each firing opening the next. */
export function watchdogTrigger(stack: string, seconds: number): EventTriggerSpec {
    return {
        posture: "Proactive",
        // Prefect matches labels with fnmatch: the stack name as written (labelLiteral).
        match: { "prefect.resource.id": labelLiteral(watchdogResource(stack)) },
        match_related: {},
        after: [],
        expect: [WATCHDOG_EVENT],
        for_each: [],
        threshold: 1,
        within: seconds,
    };
}

/** The small body the monitor logs with each ping (healthchecks shows it); nothing in it needs rendering. */
export function watchdogMessage(stack: string, seconds: number): Message {
    return {
        subject: `prefect-alerting watchdog: stack ${stack}`,
        body: `Heartbeat of stack ${stack}, every ${describeDuration(seconds)}: Prefect's triggers and actions services run and reach out.`,
    };
}

export const watchdog: SignalModule<Settings> = {
    severity: "info",
    summary:
        "a heartbeat every `intervalMinutes` to an external heartbeat monitor, which pages when Prefect's triggers service, " +
        "actions service or egress stops (not when only its event pipeline does)",
    settings: {
        key: "watchdog",
        schema,
        pings: true,
        refs: (s: Settings) => ({ enabled: s.enabled, channels: s.enabled && s.channel ? [s.channel] : [], routes: [] }),
        problem: (s: Settings, all) => {
            if (!s.enabled) return undefined;
            const channels = (all.channels ?? {}) as Record<string, { type: string }>;
            if (!s.channel)
                return { path: ["channel"], expected: 'the name of a channel of type "heartbeat" when watchdog.enabled is true' };
            const spec = channels[s.channel];
            if (!spec)
                return {
                    path: ["channel"],
                    expected: `one of the channels defined under channels (${Object.keys(channels).join(", ") || "none defined"})`,
                };
            if (!kindOf(spec).pingOnly)
                return {
                    path: ["channel"],
                    expected:
                        `a channel of type "heartbeat" (an external heartbeat monitor's ping URL; ` +
                        `channel "${s.channel}" is ${spec.type}, where pings would be messages no monitor counts)`,
                };
            return undefined;
        },
    },
    automations: (s, { stack, label }) => {
        if (!s.enabled || !s.channel) return [];
        const seconds = Math.round(s.intervalMinutes * 60);
        return [
            {
                key: "watchdog-heartbeat",
                tier: "info",
                name: label("Watchdog heartbeat"),
                description:
                    `Pings the heartbeat monitor of channel ${s.channel} every ${describeDuration(seconds)}: proves that Prefect's ` +
                    "triggers service (proactive loop), actions service and egress work; not that events are received.",
                trigger: watchdogTrigger(stack, seconds),
                channels: [s.channel],
                message: watchdogMessage(stack, seconds),
                routes: [],
            },
        ];
    },
};
