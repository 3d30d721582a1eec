import { z } from "zod";
import { bool, channelRefs, routeRefs } from "../alert/fields";
import { flowRunIncidentKey, incidentSeverity } from "../alert/incidents";
import { describeDuration } from "../alert/messages";
import { ANY_FLOW_RUN, type EventTriggerSpec, type Labels, labelLiteral } from "../prefect/vocabulary";
import type { AutomationDraft, Message } from "../alert/model";
import type { CalibratedDeployment } from "../alert/calibration";
import { severitySchema } from "./lateRuns";
import { SignalContext, SignalModule, toggledSectionRefs } from "./signal";
import { runEndedTrigger, stuckRunEndedMessage, stuckRunningTrigger } from "./stuckRuns";

/**
 * Slow runs: a run of a calibrated deployment (thresholds/<stack>.json, written by `npm run calibrate`) has been
 * Running longer than that deployment's own limit, learned from its past durations. The trigger is the stuck-run one
 * (signals/stuckRuns.ts): Proactive, opened by the run's own Running event (`for_each` the run), firing when no
 * terminal state follows within the limit; on time, ~5 s after the limit (prefect.md, "Measured"). One automation
 * per deployment, since each has its own `within`; Prefect has no per-bucket window. Deployments without enough
 * history get none and keep the stack's fixed values (stuckRuns.stuckAfterMinutes).
 */

const schema = z
    .strictObject({
        enabled: bool().default(false).describe("Alert on runs of calibrated deployments that run longer than their limit."),
        routes: routeRefs.optional().describe("The routes whose calibrated deployments it watches; every route when absent."),
        channels: channelRefs.optional().describe("Where its alerts go."),
        severity: severitySchema.describe('"warning" (default) or "critical": which tier owns its automations.'),
        resolveWhenEnded: bool()
            .default(false)
            .describe(
                "Resolve a slow run's PagerDuty incident when the run ends (one automation for the section, to its PagerDuty " +
                    "channels and the owners' ones, never chat). Prefect cannot tell a slow run from any run that ends, so this " +
                    "sends one resolve per run of a calibrated deployment that ends (PagerDuty drops those it never opened).",
            ),
    })
    .prefault({})
    .describe("Runs slower than usual, per deployment, from thresholds/<stack>.json (npm run calibrate).");
type Settings = z.output<typeof schema>;

/** The deployment as a route of its own: its flow and deployment names, so the trigger matches its runs only. */
export function slowRunTrigger(d: Pick<CalibratedDeployment, "flow" | "deployment" | "limitSeconds">): EventTriggerSpec {
    return stuckRunningTrigger({ name: "", tags: [], flows: [d.flow], deployments: [d.deployment] }, d.limitSeconds);
}

/** "3×", "2.5×": how many times its median the limit is. */
export function timesUsual(d: Pick<CalibratedDeployment, "medianSeconds" | "limitSeconds">): string {
    if (d.medianSeconds <= 0) return "";
    const x = Math.round((d.limitSeconds / d.medianSeconds) * 10) / 10;
    return `${Number.isInteger(x) ? x : x.toFixed(1)}×`;
}

/** The statistics in words: "median 10 seconds, limit 30 seconds over 30 runs". */
export function usualInWords(d: Pick<CalibratedDeployment, "medianSeconds" | "limitSeconds" | "runs">): string {
    return `median ${describeDuration(d.medianSeconds)}, limit ${describeDuration(d.limitSeconds)} over ${d.runs} runs`;
}

/** The run is the one that opened the window (the `after` event), loaded when the automation fires. */
export function slowRunMessage(d: CalibratedDeployment, critical: boolean): Message {
    const tag = critical ? "CRITICAL: " : "";
    const times = timesUsual(d);
    const ratio = times ? `${times} its usual time` : `longer than its limit`;
    return {
        // Names come from Prefect's own context, not the file: a name is never read as template syntax.
        subject: `${tag}Slow run: {{ flow.name }}{% if deployment %} ({{ deployment.name }}){% endif %} has run ${ratio}`,
        body: [
            `:turtle: *${tag}Slow run*: {{ flow.name }} has run ${ratio} (${usualInWords(d)}) and has not ended`,
            "",
            "*Flow*: {{ flow.name }}",
            "{% if deployment %}*Deployment*: {{ deployment.name }}\n{% endif %}*Run*: {{ flow_run.name }} (`{{ flow_run.id }}`)",
            "*Started*: {{ flow_run.start_time }}",
            "*Run page*: <{{ flow_run|ui_url }}|open the flow run in Prefect>",
            "",
            "*Next*: read the run's logs: more data than usual, a slow source, or a hang? If its usual time has changed " +
                "for good, run `npm run calibrate` again and review the new limit.",
        ].join("\n"),
    };
}

/** The automation key of a deployment: readable, and stable while its names are. */
export const slowRunKey = (d: Pick<CalibratedDeployment, "flow" | "deployment">): string =>
    `slow-runs-${`${d.flow}-${d.deployment}`
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "")}`;

/** One automation per calibrated deployment found under a route the section watches. */
export function planSlowRuns(s: Settings, ctx: SignalContext): AutomationDraft[] {
    if (!s.enabled) return [];
    const watchedRoutes = s.routes ?? ctx.routes;
    const critical = s.severity === "critical";
    const seen = new Set<string>();
    const out: AutomationDraft[] = [];
    const watched: CalibratedDeployment[] = [];
    for (const d of ctx.calibration.calibrated) {
        const routes = watchedRoutes.filter((r) => d.routes.includes(r));
        const key = slowRunKey(d);
        // Two deployments whose names differ only in punctuation would share a key (a resource name): the first wins.
        if (routes.length === 0 || seen.has(key)) continue;
        seen.add(key);
        watched.push(d);
        // Its team's chat channels when calibrate recorded an owner:<team> the stack knows (alert/owners.ts), and then
        // no route: a route's mute does not silence a team.
        const owner = ctx.owners.find((o) => o.name === d.owner);
        out.push({
            tier: s.severity,
            channels: ctx.sendTo(s.channels ?? [], owner),
            routes: owner ? [] : routes,
            ...(owner ? { owner: owner.name, ...(owner.runbook ? { runbook: owner.runbook } : {}) } : {}),
            key,
            name: ctx.label(`Slow run (${d.key})`),
            description:
                `${critical ? "Critical" : "Warning"}: a run of deployment ${d.key} has been Running for more than ` +
                `${describeDuration(d.limitSeconds)} (${usualInWords(d)}; thresholds/${ctx.stack}.json). One alert per run.`,
            trigger: slowRunTrigger(d),
            message: slowRunMessage(d, critical),
            // The stuck-run key: a slow run that goes on to be stuck is one incident.
            incident: { dedupKey: flowRunIncidentKey(ctx.stack), severity: incidentSeverity(s.severity), action: "trigger" },
        });
    }
    return s.resolveWhenEnded ? [...out, ...slowRunResolve(s, ctx, out, watched)] : out;
}

/**
 * The runs of any of `watched`: by id when calibrate recorded every id (one object, a list of ids: any of them), else
 * by flow and deployment names (a few more runs than watched, e.g. another flow's deployment of the same name: each
 * just sends PagerDuty a resolve for an incident it never opened).
 */
export function runsOf(watched: readonly Pick<CalibratedDeployment, "flow" | "deployment" | "deploymentId">[]): Labels[] {
    const uniq = (xs: string[]) => [...new Set(xs)].sort();
    if (watched.every((d) => d.deploymentId))
        return [
            {
                "prefect.resource.role": "deployment",
                "prefect.resource.id": uniq(watched.map((d) => `prefect.deployment.${d.deploymentId}`)),
            },
        ];
    return [
        { "prefect.resource.role": "flow", "prefect.resource.name": uniq(watched.map((d) => labelLiteral(d.flow))) },
        { "prefect.resource.role": "deployment", "prefect.resource.name": uniq(watched.map((d) => labelLiteral(d.deployment))) },
    ];
}

/**
 * slowRuns.resolveWhenEnded: ONE automation for the section (the fewest Prefect allows: a resolve needs no window of
 * its own, unlike the alerts), resolving the run's incident (the stuck-run key the alert used) when a run of a watched
 * deployment ends, to the PagerDuty channels of every slow-run alert (the section's, an owner's own service) only.
 */
function slowRunResolve(s: Settings, ctx: SignalContext, planned: AutomationDraft[], watched: CalibratedDeployment[]): AutomationDraft[] {
    const channels = [...new Set(planned.flatMap((a) => ctx.incidentChannels(a.channels)))];
    if (!watched.length || !channels.length) return [];
    const alert: EventTriggerSpec = { ...slowRunTrigger(watched[0]), match: ANY_FLOW_RUN, match_related: runsOf(watched) };
    return [
        {
            // "slow-run-", not "slow-runs-": no deployment's key (slowRunKey) can take it.
            key: "slow-run-resolve",
            tier: s.severity,
            name: ctx.label("Slow run ended"),
            description:
                `Resolves a slow run's incident when the run ends (runs of the ${watched.length} calibrated deployment(s) ` +
                "slowRuns watches). One resolve per run that ends; PagerDuty drops those it never opened.",
            trigger: runEndedTrigger(alert),
            channels,
            message: stuckRunEndedMessage(),
            // Resolves are never muted (rules/plan.ts); the routes are for the preview's count.
            routes: [...new Set(planned.flatMap((a) => a.routes))],
            incident: { dedupKey: flowRunIncidentKey(ctx.stack), severity: incidentSeverity(s.severity), action: "resolve" },
        },
    ];
}

/** Warning (or critical): a calibrated deployment's run is running longer than its own limit. */
export const slowRuns: SignalModule<Settings> = {
    severity: "warning",
    summary:
        "a run of a calibrated deployment (thresholds/<stack>.json, npm run calibrate) stayed Running longer than that " +
        "deployment's limit; one alert per run",
    settings: { key: "slowRuns", schema, refs: toggledSectionRefs },
    automations: planSlowRuns,
};
