import { z } from "zod";
import { bool, channelRefs, range, routeRefs } from "../alert/fields";
import { deploymentIncidentKey, incidentSeverity } from "../alert/incidents";
import { describeDuration } from "../alert/messages";
import type { AutomationDraft, Message, Route } from "../alert/model";
import { perOwner } from "../alert/owners";
import { describeRoute, matchRelatedFor, routeFilters } from "../alert/routes";
import { clearedAfter } from "../alert/triggers";
import { ANY_FLOW_RUN, EventTriggerSpec, flowRunEvent } from "../prefect/vocabulary";
import { SignalContext, SignalModule, perWatchedRoute, toggledSectionRefs } from "./signal";

/**
 * Late runs: the server's late-runs service moves a Scheduled run that has not
 * started `PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS` (15 s) after its
 * scheduled time to `Late` (prefect/server/services/late_runs.py), emitting
 * `prefect.flow-run.Late`. A Reactive trigger per deployment with threshold 1
 * fires on the first Late run and then stays quiet for that deployment for the
 * rest of `within` (triggers.py `evaluate`): at most one alert per deployment
 * per `repeatMinutes`.
 */

export const LATE_EVENT = flowRunEvent("Late");
/** A run leaving Late for Running: what clears a late-run incident. */
export const RUNNING_EVENT = flowRunEvent("Running");
/** Bucket per deployment: late runs of one deployment share one alert per window, other deployments alert on their own. */
export const PER_DEPLOYMENT = "related:deployment:prefect.resource.id";

export const severitySchema = z.enum(["warning", "critical"], { error: '"warning" or "critical"' }).default("warning");

const schema = z
    .strictObject({
        enabled: bool()
            .default(false)
            .describe("Alert when a watched run of a deployment did not start on time (Late); one automation per route."),
        routes: routeRefs.optional().describe("The routes it watches; unset: every route."),
        channels: channelRefs.optional().describe("Where the alerts go; required when enabled."),
        severity: severitySchema.describe("Which tier owns it."),
        /** Reactive `within`: 0 alerts on every late run. */
        repeatMinutes: range(0, 10080, "a number of minutes from 0 to 10080 (0: every late run alerts)")
            .default(60)
            .describe("At most one alert per deployment per interval."),
        /** Also post "Recovered" to the chat channels when a late deployment's run starts; off: PagerDuty resolves only. */
        recoveredNotice: bool()
            .default(false)
            .describe(
                'Also post "Recovered" to the section\'s chat channels when its incident clears; off: resolves go to PagerDuty only.',
            ),
    })
    .prefault({});
type Settings = z.output<typeof schema>;

/**
 * Late runs of deployments only: the incident is keyed by the deployment (one per deployment, its next Running run
 * resolves it), and a run without one has no key to give (the key would end in an empty id). Such a run is only
 * Late when created Scheduled through the API, and no worker ever starts it.
 */
export const HAS_DEPLOYMENT = { "prefect.resource.role": "deployment" };

export function lateRunTrigger(route: Route, repeatSeconds: number): EventTriggerSpec {
    return {
        posture: "Reactive",
        match: ANY_FLOW_RUN,
        match_related: matchRelatedFor([...routeFilters(route), HAS_DEPLOYMENT]),
        after: [],
        expect: [LATE_EVENT],
        for_each: [PER_DEPLOYMENT],
        threshold: 1,
        within: repeatSeconds,
    };
}

/**
 * `flow_run` is the Late run, loaded when the automation fires;
 * `expected_start_time` is when it was scheduled to start. No state name: by
 * the time Prefect renders it a worker may have picked the run up.
 */
export function lateRunMessage(critical: boolean, repeatSeconds: number): Message {
    const tag = critical ? "CRITICAL: " : "";
    return {
        subject: `${tag}Late run: {{ flow.name }}{% if deployment %} ({{ deployment.name }}){% endif %} has not started`,
        body: [
            `:hourglass: *${tag}Late run*: {{ flow.name }} has not started on time`,
            "",
            "*Flow*: {{ flow.name }}",
            "{% if deployment %}*Deployment*: {{ deployment.name }}\n{% endif %}*Run*: {{ flow_run.name }} (`{{ flow_run.id }}`)",
            "*Scheduled for*: {{ flow_run.expected_start_time }}",
            "*Run page*: <{{ flow_run|ui_url }}|open the flow run in Prefect>",
            "",
            "*Next*: check that a worker is polling this deployment's work pool, and that the pool and its queue are neither " +
                "paused nor at their concurrency limit. " +
                (repeatSeconds > 0
                    ? `Further late runs of this deployment are not reported for ${describeDuration(repeatSeconds)}.`
                    : "Every late run is reported."),
        ].join("\n"),
    };
}

export function lateRunRecoveredMessage(): Message {
    return {
        subject: "Recovered: {{ flow.name }}{% if deployment %} ({{ deployment.name }}){% endif %} is running",
        body: [
            ":white_check_mark: *Recovered*: a run of {{ flow.name }} started",
            "*Run*: {{ flow_run.name }} (`{{ flow_run.id }}`): <{{ flow_run|ui_url }}|open the flow run in Prefect>",
        ].join("\n"),
    };
}

/**
 * The late-run automations of a stack: one alert per route, and one per owner on its `owner:<team>` tag (its chat
 * channels, alert/owners.ts), each with, when `resolveFor` its channels gives any, one automation that resolves the
 * deployment's incident when one of its runs starts Running (same filter, same dedup key).
 */
export function planLateRuns(s: Settings, ctx: SignalContext, resolveFor: (channels: string[]) => string[]): AutomationDraft[] {
    if (!s.enabled) return [];
    const tier = s.severity;
    const repeatSeconds = Math.round(s.repeatMinutes * 60);
    const incident = { dedupKey: deploymentIncidentKey(ctx.stack), severity: incidentSeverity(tier) };
    const { label } = ctx;
    const plan = (name: string, r: Route, channels: string[]): AutomationDraft[] => {
        const alert: AutomationDraft = {
            key: `late-runs-${name}`,
            tier,
            name: label(`Late runs (${name})`),
            description:
                `${tier === "critical" ? "Critical" : "Warning"}: ${describeRoute(r)} that did not start on time (Late). ` +
                (repeatSeconds > 0 ? `At most one alert per deployment per ${describeDuration(repeatSeconds)}.` : "Every late run alerts."),
            trigger: lateRunTrigger(r, repeatSeconds),
            channels,
            message: lateRunMessage(tier === "critical", repeatSeconds),
            routes: [name],
            incident: { ...incident, action: "trigger" },
        };
        const resolveTo = resolveFor(channels);
        if (!resolveTo.length) return [alert];
        const recovered: AutomationDraft = {
            key: `late-runs-resolve-${name}`,
            tier,
            name: label(`Late runs recovered (${name})`),
            description:
                `Resolves the late-run incident of a deployment when one of its ${describeRoute(r)} starts Running after one ` +
                "was Late.",
            // After a Late run of the same deployment only: a deployment whose runs start on time sends nothing.
            trigger: clearedAfter(lateRunTrigger(r, 0), [RUNNING_EVENT]),
            channels: resolveTo,
            message: lateRunRecoveredMessage(),
            routes: [name],
            incident: { ...incident, action: "resolve" },
        };
        return [alert, recovered];
    };
    const channels = s.channels ?? [];
    return [
        ...perWatchedRoute(s.routes, ctx, (name, r) => plan(name, r, ctx.sendTo(channels))),
        ...perOwner(ctx.owners, (o, r) => plan(r.name, r, ctx.sendTo(channels, o))),
    ];
}

/** Warning (or critical, when configured): a watched run is Late; at most one alert per deployment per `repeatMinutes`. */
export const lateRuns: SignalModule<Settings> = {
    severity: "warning",
    summary: "a watched flow run did not start on time (Late); at most one alert per deployment per lateRuns.repeatMinutes",
    settings: {
        key: "lateRuns",
        schema,
        refs: toggledSectionRefs,
    },
    automations: (s, ctx) => planLateRuns(s, ctx, (channels) => ctx.resolveChannels(channels, s.recoveredNotice)),
};
