import { z } from "zod";
import { bool, channelRefs, range, routeRefs } from "../alert/fields";
import { armedResolve, deploymentIncidentKey, incidentSeverity } from "../alert/incidents";
import { type CalibratedDeployment, otherDeployments, proactiveWindowSeconds } from "../alert/calibration";
import { describeDuration } from "../alert/messages";
import type { AutomationDraft, Message, Route } from "../alert/model";
import { perOwner } from "../alert/owners";
import { describeRoute, matchRelatedFor, routeFilters } from "../alert/routes";
import { clearedAfter } from "../alert/triggers";
import { ANY_FLOW_RUN, COMPLETED_EVENT, EventTriggerSpec, FINAL_FAILURE_EVENTS, flowRunEvent, labelLiteral } from "../prefect/vocabulary";
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
        calibrated: bool()
            .default(false)
            .describe(
                "Watch each calibrated deployment of thresholds/<stack>.json (npm run calibrate) against its own lateness: an " +
                    "alert per run still not started 1.5 × its latest past start after Prefect marked it Late; the route's (and " +
                    "owners') late-run automations then skip those deployments, by the id calibrate recorded.",
            ),
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

/**
 * `skip`: deployments watched on their own calibrated lateness instead, by id (alert/calibration.ts otherDeployments):
 * a name would also silence every other flow's deployment of that name ("prod", "daily").
 */
export function lateRunTrigger(
    route: Route,
    repeatSeconds: number,
    skip: readonly Pick<CalibratedDeployment, "deploymentId">[] = [],
): EventTriggerSpec {
    const skipped = otherDeployments(skip);
    return {
        posture: "Reactive",
        match: ANY_FLOW_RUN,
        match_related: matchRelatedFor([...routeFilters(route), HAS_DEPLOYMENT, ...skipped]),
        after: [],
        expect: [LATE_EVENT],
        for_each: [PER_DEPLOYMENT],
        threshold: 1,
        within: repeatSeconds,
    };
}

/** What a late run's message says about it: the same in the route's alert and the calibrated one. */
const LATE_RUN_DETAILS = [
    "*Flow*: {{ flow.name }}",
    "{% if deployment %}*Deployment*: {{ deployment.name }}\n{% endif %}*Run*: {{ flow_run.name }} (`{{ flow_run.id }}`)",
    "*Scheduled for*: {{ flow_run.expected_start_time }}",
    "*Run page*: <{{ flow_run|ui_url }}|open the flow run in Prefect>",
    "",
];
const LATE_RUN_NEXT =
    "*Next*: check that a worker is polling this deployment's work pool, and that the pool and its queue are neither " +
    "paused nor at their concurrency limit.";

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
            ...LATE_RUN_DETAILS,
            `${LATE_RUN_NEXT} ` +
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
    const calibrated = s.calibrated ? lateCalibrated(s, ctx) : [];
    // By id only: a calibrated deployment without one (an older file) is also watched here (a duplicate, not a silence).
    const skip = calibrated;
    const plan = (name: string, r: Route, channels: string[]): AutomationDraft[] => {
        const alert: AutomationDraft = {
            key: `late-runs-${name}`,
            tier,
            name: label(`Late runs (${name})`),
            description:
                `${tier === "critical" ? "Critical" : "Warning"}: ${describeRoute(r)} that did not start on time (Late). ` +
                (repeatSeconds > 0 ? `At most one alert per deployment per ${describeDuration(repeatSeconds)}.` : "Every late run alerts."),
            trigger: lateRunTrigger(r, repeatSeconds, skip),
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
            trigger: clearedAfter(lateRunTrigger(r, 0, skip), [RUNNING_EVENT]),
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
        ...calibrated.flatMap((d) => planLaterThanUsual(s, ctx, d, resolveFor)),
    ];
}

/** A calibrated deployment with its lateness, and the window lateRuns gives it. */
type LateCalibrated = CalibratedDeployment & { lateness: NonNullable<CalibratedDeployment["lateness"]>; withinSeconds: number };

/**
 * How long a run may stay Late: 1.5 × the latest start calibrate saw (start − expected start), as a Proactive window
 * (alert/calibration.ts proactiveWindowSeconds). Counted from the Late mark, which comes 15 s after the expected start
 * by default (PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS), so it alerts that much later.
 */
export const lateWindowSeconds = (maxLatenessSeconds: number): number => proactiveWindowSeconds(1.5 * maxLatenessSeconds);

/** The calibrated deployments (with lateness) under a route the section watches; the first of two equal keys wins. */
export function lateCalibrated(s: Settings, ctx: Pick<SignalContext, "routes" | "calibration">): LateCalibrated[] {
    const watched = s.routes ?? ctx.routes;
    const seen = new Set<string>();
    return ctx.calibration.calibrated.flatMap((d) => {
        // Two deployments whose names differ only in punctuation would share a key (a resource name): the first wins.
        if (!d.lateness || !d.routes.some((r) => watched.includes(r)) || seen.has(laterThanUsualKey(d))) return [];
        seen.add(laterThanUsualKey(d));
        return [{ ...d, lateness: d.lateness, withinSeconds: lateWindowSeconds(d.lateness.maxSeconds) }];
    });
}

/** The automation key of a calibrated deployment: readable, and stable while its names are. */
export const laterThanUsualKey = (d: Pick<CalibratedDeployment, "flow" | "deployment">): string =>
    `late-runs-calibrated-${`${d.flow}-${d.deployment}`
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "")}`;

/** What ends a Late run's wait: it starts Running, or ends without starting (cancelled, crashed, ...). */
const STARTED_OR_ENDED = [RUNNING_EVENT, COMPLETED_EVENT, ...FINAL_FAILURE_EVENTS, flowRunEvent("Cancelled")];

/**
 * Later than usual: the run's own Late event opens a window (`for_each` the run) that its Running (or an end) closes;
 * Proactive, so it fires when the run is still waiting `withinSeconds` after it was marked Late.
 */
export function laterThanUsualTrigger(d: Pick<CalibratedDeployment, "flow" | "deployment">, withinSeconds: number): EventTriggerSpec {
    return {
        posture: "Proactive",
        match: ANY_FLOW_RUN,
        match_related: [
            { "prefect.resource.role": "flow", "prefect.resource.name": labelLiteral(d.flow) },
            { "prefect.resource.role": "deployment", "prefect.resource.name": labelLiteral(d.deployment) },
        ],
        after: [LATE_EVENT],
        expect: STARTED_OR_ENDED,
        for_each: ["prefect.resource.id"],
        threshold: 1,
        within: withinSeconds,
    };
}

export function laterThanUsualMessage(d: LateCalibrated, critical: boolean): Message {
    const tag = critical ? "CRITICAL: " : "";
    const usual = `its runs started at most ${describeDuration(d.lateness.maxSeconds)} late over ${d.runs} runs`;
    return {
        subject: `${tag}Late run: {{ flow.name }}{% if deployment %} ({{ deployment.name }}){% endif %} is later than usual`,
        body: [
            `:hourglass: *${tag}Late run*: {{ flow.name }} has not started ${describeDuration(d.withinSeconds)} after it was ` +
                `marked Late (${usual})`,
            "",
            ...LATE_RUN_DETAILS,
            LATE_RUN_NEXT,
        ].join("\n"),
    };
}

/** One calibrated deployment's later-than-usual alert (to its owner's channels when the stack knows it) and its resolve. */
function planLaterThanUsual(
    s: Settings,
    ctx: SignalContext,
    d: LateCalibrated,
    resolveFor: (channels: string[]) => string[],
): AutomationDraft[] {
    const owner = ctx.owners.find((o) => o.name === d.owner);
    const critical = s.severity === "critical";
    const alert: AutomationDraft = {
        key: laterThanUsualKey(d),
        tier: s.severity,
        name: ctx.label(`Late run later than usual (${d.key})`),
        description:
            `${critical ? "Critical" : "Warning"}: a run of deployment ${d.key} still not started ${describeDuration(d.withinSeconds)} ` +
            `after it was marked Late (1.5 × its latest start, ${describeDuration(d.lateness.maxSeconds)} late, over ${d.runs} runs; ` +
            `thresholds/${ctx.stack}.json). One alert per run.`,
        trigger: laterThanUsualTrigger(d, d.withinSeconds),
        channels: ctx.sendTo(s.channels ?? [], owner),
        message: laterThanUsualMessage(d, critical),
        routes: owner ? [] : d.routes,
        ...(owner ? { owner: owner.name, ...(owner.runbook ? { runbook: owner.runbook } : {}) } : {}),
        incident: { dedupKey: deploymentIncidentKey(ctx.stack), severity: incidentSeverity(s.severity), action: "trigger" },
    };
    const to = resolveFor(alert.channels);
    if (!to.length) return [alert];
    return [
        alert,
        armedResolve(alert, {
            // Armed by the alert: the deployment's next run to start resolves it; runs that start on time send nothing.
            trigger: { ...alert.trigger, posture: "Reactive", after: [], expect: [RUNNING_EVENT], within: 60 },
            message: lateRunRecoveredMessage(),
            description: `Resolves the late-run incident of ${alert.name} when a run of it starts.`,
            channels: to,
        }),
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
