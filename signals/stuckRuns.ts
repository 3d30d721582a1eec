import { z } from "zod";
import { bool, channelRefs, range, routeRefs } from "../alert/fields";
import { flowRunIncidentKey, incidentSeverity } from "../alert/incidents";
import { describeDuration } from "../alert/messages";
import type { AutomationDraft, Message, Route } from "../alert/model";
import { perOwner } from "../alert/owners";
import { describeRoute, matchRelatedFor, routeFilters } from "../alert/routes";
import { RECOVERY_WINDOW_SECONDS } from "../alert/triggers";
import { ANY_FLOW_RUN, COMPLETED_EVENT, EventTriggerSpec, FINAL_FAILURE_EVENTS, flowRunEvent } from "../prefect/vocabulary";
import { RUNNING_EVENT, severitySchema } from "./lateRuns";
import { SignalContext, SignalModule, perWatchedRoute, toggledSectionRefs } from "./signal";

/**
 * Stuck runs: a Proactive trigger with `after` opens a window per flow run
 * (`for_each` the run's own id) when the run enters Running (or Pending) and
 * fires when none of the expected events arrives for that run before the
 * window ends (triggers.py `reactive_evaluation` / `proactive_evaluation`).
 * Without `for_each` any other run's Completed would close it. The firing's
 * event is the `after` event the window opened on, so `flow_run` is the stuck
 * run, loaded when the automation fires (checked on a real server).
 */

/**
 * Where a Running run ends: every terminal state name (types COMPLETED, FAILED,
 * CRASHED, CANCELLED; TimedOut is a FAILED state with its own name). Not
 * Cancelling: a run hanging there is still stuck. A flow that ends in a custom
 * state name is not seen to end.
 */
export const TERMINAL_EVENTS = [COMPLETED_EVENT, ...FINAL_FAILURE_EVENTS, flowRunEvent("Cancelled")];
/** PENDING-type state names (states.py): a worker proposes Submitting, then Pending; InfrastructurePending. */
export const PENDING_EVENTS = ["Pending", "Submitting", "InfrastructurePending"].map(flowRunEvent);
/** A run's own events, one window per run. */
export const PER_RUN = "prefect.resource.id";

/** 0.25 min = 15 s: Prefect refuses a Proactive window under 10 s. */
const minutes = (what: string) =>
    range(0.25, 10080, `a number of minutes from 0.25 to 10080 (${what}: a Proactive trigger's window, Prefect refuses one under 10 s)`);

const schema = z
    .strictObject({
        enabled: bool().default(false).describe("Alert when a watched run stays Running (or Pending) too long, once per run."),
        routes: routeRefs.optional().describe("The routes it watches; unset: every route."),
        channels: channelRefs.optional().describe("Where the alerts go; required when enabled."),
        severity: severitySchema.describe("Which tier owns it."),
        stuckAfterMinutes: minutes("how long a run may stay Running")
            .default(120)
            .describe("Running this long without an end state (Completed, Failed, Crashed, TimedOut, Cancelled)."),
        pendingAfterMinutes: minutes("how long a run may stay Pending")
            .optional()
            .describe("Pending (or Submitting / InfrastructurePending) this long without Running or an end state; unset: off."),
        /**
         * Resolve a stuck run's PagerDuty incident when the run ends. Off by default: Prefect cannot tell whether a run
         * that ended was ever reported stuck, so this sends PagerDuty one resolve per watched run that ends (PagerDuty
         * ignores those it never opened), and never posts "Recovered" to chat.
         */
        resolveWhenEnded: bool()
            .default(false)
            .describe(
                "Resolve a stuck run's PagerDuty incident when the run ends. Prefect cannot tell a stuck run from any run that ends, so " +
                    "this sends one resolve per watched run that ends (PagerDuty drops those it never opened); never to chat.",
            ),
    })
    .prefault({});
type Settings = z.output<typeof schema>;

/**
 * No end state for `seconds` after a run on the route entered one of `after`. On time, unlike a Proactive trigger
 * without `after`: the run's own `after` event opens its bucket at that event's time, and the proactive loop judges
 * each bucket at its end (triggers.py `proactive_evaluation` runs again at the earliest bucket end), so the alert
 * comes `seconds` plus Prefect's ~5 s tick after the run started (measured in tests/e2e/lateStuck.e2e.ts).
 */
export function stuckTrigger(route: Route, after: string[], expect: string[], seconds: number): EventTriggerSpec {
    return {
        posture: "Proactive",
        match: ANY_FLOW_RUN,
        match_related: matchRelatedFor(routeFilters(route)),
        after,
        expect,
        for_each: [PER_RUN],
        threshold: 1,
        within: seconds,
    };
}

export const stuckRunningTrigger = (route: Route, seconds: number) => stuckTrigger(route, [RUNNING_EVENT], TERMINAL_EVENTS, seconds);
export const stuckPendingTrigger = (route: Route, seconds: number) =>
    stuckTrigger(route, PENDING_EVENTS, [RUNNING_EVENT, ...TERMINAL_EVENTS], seconds);

/**
 * The resolve of a run-keyed incident (flowRunIncidentKey) when the run moves on: Reactive on `alert`'s runs, opened by
 * the run's own `after` event (`for_each` the run, so each run resolves once, with its own id in the key) and fired by
 * its first `expect` event. Prefect cannot tell whether the run was reported, so every watched run that ends sends one.
 */
export function runEndedTrigger(alert: EventTriggerSpec, after = [RUNNING_EVENT], expect = TERMINAL_EVENTS): EventTriggerSpec {
    return { ...alert, posture: "Reactive", for_each: [PER_RUN], after, expect, threshold: 1, within: RECOVERY_WINDOW_SECONDS };
}

/** `phase` Running or Pending; the window is how long the run has been in it at least (the automation fires when it ends). */
export function stuckRunMessage(phase: "Running" | "Pending", seconds: number, critical: boolean): Message {
    const tag = critical ? "CRITICAL: " : "";
    const window = describeDuration(seconds);
    const running = phase === "Running";
    return {
        subject: `${tag}Stuck run: {{ flow.name }} ${running ? "still running" : "still pending"} after ${window}`,
        body: [
            `:hourglass_flowing_sand: *${tag}Run stuck in ${phase}*: {{ flow.name }} has been ${phase} for more than ${window}`,
            "",
            "*Flow*: {{ flow.name }}",
            "{% if deployment %}*Deployment*: {{ deployment.name }}\n{% endif %}*Run*: {{ flow_run.name }} (`{{ flow_run.id }}`)",
            running ? "*Started*: {{ flow_run.start_time }}" : "*Scheduled for*: {{ flow_run.expected_start_time }}",
            "*Run page*: <{{ flow_run|ui_url }}|open the flow run in Prefect>",
            "",
            running
                ? "*Next*: read the run's logs: is it still making progress? A run waiting on a hung source or a lost worker " +
                  "will not end by itself; cancel it from its page and rerun it."
                : "*Next*: its infrastructure has not started: check the worker's logs and the work pool's infrastructure " +
                  "(image pulls, quotas, pending pods).",
        ].join("\n"),
    };
}

export function stuckRunEndedMessage(): Message {
    return {
        subject: "Recovered: {{ flow.name }} run {{ flow_run.name }} is {{ flow_run.state.name }}",
        body: [
            ":white_check_mark: *Recovered*: the stuck run {{ flow_run.name }} of {{ flow.name }} is {{ flow_run.state.name }}",
            "<{{ flow_run|ui_url }}|open the flow run in Prefect>",
        ].join("\n"),
    };
}

/**
 * The stuck-run automations of a stack: per route, and per owner on its `owner:<team>` tag (its chat channels,
 * alert/owners.ts): stuck in Running, stuck in Pending (when `pendingAfterMinutes` is set), and, when `resolveFor` its
 * channels gives any, one automation resolving the run's incident when it moves on (Running, for a Pending alert, or a
 * terminal state).
 */
export function planStuckRuns(s: Settings, ctx: SignalContext, resolveFor: (channels: string[]) => string[]): AutomationDraft[] {
    if (!s.enabled) return [];
    const tier = s.severity;
    const critical = tier === "critical";
    const incident = { dedupKey: flowRunIncidentKey(ctx.stack), severity: incidentSeverity(tier) };
    const running = Math.round(s.stuckAfterMinutes * 60);
    const pending = s.pendingAfterMinutes === undefined ? undefined : Math.round(s.pendingAfterMinutes * 60);
    const level = critical ? "Critical" : "Warning";
    const { label } = ctx;
    const plan = (name: string, r: Route, channels: string[]): AutomationDraft[] => {
        const resolveTo = resolveFor(channels);
        const common: Pick<AutomationDraft, "tier" | "channels" | "routes"> = {
            tier,
            channels,
            routes: [name],
        };
        const specs: AutomationDraft[] = [
            {
                ...common,
                key: `stuck-running-${name}`,
                name: label(`Run stuck in Running (${name})`),
                description:
                    `${level}: one of the ${describeRoute(r)} has been Running for ${describeDuration(running)} without reaching ` +
                    `Completed, Failed, Crashed, TimedOut or Cancelled. One alert per run.`,
                trigger: stuckRunningTrigger(r, running),
                message: stuckRunMessage("Running", running, critical),
                incident: { ...incident, action: "trigger" },
            },
        ];
        if (pending !== undefined)
            specs.push({
                ...common,
                key: `stuck-pending-${name}`,
                name: label(`Run stuck in Pending (${name})`),
                description:
                    `${level}: one of the ${describeRoute(r)} has been Pending for ${describeDuration(pending)} without starting ` +
                    `to run or ending. One alert per run.`,
                trigger: stuckPendingTrigger(r, pending),
                message: stuckRunMessage("Pending", pending, critical),
                incident: { ...incident, action: "trigger" },
            });
        if (resolveTo.length)
            specs.push({
                ...common,
                channels: resolveTo,
                key: `stuck-runs-resolve-${name}`,
                name: label(`Stuck run recovered (${name})`),
                description: `Resolves a stuck run's incident when the run moves on (${describeRoute(r)}).`,
                // Opened by the run's own Running (or Pending) event, so a run resolves once, with its own id in the key.
                trigger:
                    pending === undefined
                        ? runEndedTrigger(stuckRunningTrigger(r, 0))
                        : runEndedTrigger(
                              stuckRunningTrigger(r, 0),
                              [...PENDING_EVENTS, RUNNING_EVENT],
                              [RUNNING_EVENT, ...TERMINAL_EVENTS],
                          ),
                message: stuckRunEndedMessage(),
                incident: { ...incident, action: "resolve" },
            });
        return specs;
    };
    const channels = s.channels ?? [];
    return [
        ...perWatchedRoute(s.routes, ctx, (name, r) => plan(name, r, ctx.sendTo(channels))),
        ...perOwner(ctx.owners, (o, r) => plan(r.name, r, ctx.sendTo(channels, o))),
    ];
}

/** Warning (or critical, when configured): a watched run stayed Running (or Pending) longer than configured. */
export const stuckRuns: SignalModule<Settings> = {
    severity: "warning",
    summary:
        "a watched flow run stayed Running longer than stuckRuns.stuckAfterMinutes (or Pending longer than " +
        "stuckRuns.pendingAfterMinutes); one alert per run",
    settings: {
        key: "stuckRuns",
        schema,
        refs: toggledSectionRefs,
    },
    automations: (s, ctx) => planStuckRuns(s, ctx, (channels) => (s.resolveWhenEnded ? ctx.incidentChannels(channels) : [])),
};
