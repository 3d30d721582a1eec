import { z } from "zod";
import { channelRefs, nonEmptyText, prefectName, range } from "../alert/fields";
import { deploymentIncidentKey, incidentSeverity } from "../alert/incidents";
import { describeDuration } from "../alert/messages";
import type { AutomationDraft, Message, SlaEntry, SlaPlan } from "../alert/model";
import { templateLiteral } from "../alert/templates";
import { ANY_FLOW_RUN, EventTriggerSpec } from "../prefect/vocabulary";
import type { SignalContext, SignalModule } from "./signal";

/**
 * Prefect Cloud SLAs (docs/v3/concepts/slas.mdx; the provider's
 * `prefect_resource_sla`): Cloud watches a deployment's runs itself and emits
 * `prefect.sla.violation`, whose primary resource is the flow run
 * (`prefect.flow-run.*`, the docs' automation recipe). Each configured
 * deployment gets one `prefect_resource_sla` (its SLAs as one declarative
 * list) and one automation on that event for the deployment, sent to the
 * channels of its severity. Cloud only: a self-hosted server has no SLAs
 * (`needsCloud`), and the late/stuck/freshness signals do the job there.
 */

export const SLA_VIOLATION_EVENT = "prefect.sla.violation";
export const SLA_SEVERITIES = ["warning", "critical", "p1"] as const;
type SlaSeverity = (typeof SLA_SEVERITIES)[number];

/**
 * Our severity -> the SLA's own (`minor`, `low`, `moderate`, `high`,
 * `critical`), shown in Cloud's UI next to the violation. Sent explicitly: the
 * provider's doc says the default is `high`, Prefect's client model `moderate`.
 */
export const PREFECT_SLA_SEVERITY: Record<SlaSeverity, string> = { warning: "moderate", critical: "high", p1: "critical" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MINUTES = "a number of minutes from 1 to 43200 (30 days)";
const minutes = () => range(1, 43200, MINUTES);

const deploymentSchema = z.strictObject({
    /** `resource_id` is `prefect.deployment.<uuid>`: Prefect names deployments uniquely only per flow, and this program creates none. */
    deploymentId: z
        .string({ error: "the deployment's id, a UUID (prefect deployment inspect '<flow>/<deployment>')" })
        .regex(UUID, { error: "the deployment's id, a UUID (prefect deployment inspect '<flow>/<deployment>')" })
        .meta({ form: "UUID" })
        .describe("The deployment's id (Prefect names deployments uniquely only per flow)."),
    timeToCompletion: minutes().optional().describe("A run must complete within this many minutes of starting."),
    frequency: minutes().optional().describe("A run must complete at least this often."),
    lateness: minutes().optional().describe("A run may start at most this late."),
    freshness: z
        .strictObject({
            expectedEvent: nonEmptyText("an event name such as acme.table.loaded")
                .refine((e) => !e.startsWith("prefect.automation."), {
                    error: "an event name outside prefect.automation.* (an automation's own events)",
                })
                .describe("The event that proves fresh data (your pipeline's own)."),
            resourceMatch: z
                .record(z.string(), z.union([z.string(), z.array(z.string())]), {
                    error: 'resource labels such as {"prefect.resource.id": "acme.table.orders"}',
                })
                .meta({ form: "resource labels" })
                .optional()
                .describe("Only events of a resource with these labels."),
            withinMinutes: minutes().describe("The event must arrive at least this often."),
        })
        .optional()
        .describe("The expected event must arrive within withinMinutes (resourceMatch: the labels of its resource)."),
    severity: z
        .enum(SLA_SEVERITIES, { error: '"warning", "critical" or "p1"' })
        .default("warning")
        .describe("Cloud's moderate / high / critical."),
});
type DeploymentSla = z.output<typeof deploymentSchema>;

const schema = z
    .strictObject({
        /** Where a violation goes, by its deployment's severity. */
        channels: z
            .strictObject({
                warning: channelRefs.optional().describe("Where warning violations go."),
                critical: channelRefs.optional().describe("Where critical violations go."),
                p1: channelRefs.optional().describe("Where P1 violations go."),
            })
            .optional()
            .describe("Where violations go, by severity."),
        /** By deployment name (a label for messages and resource names; the id selects the deployment). */
        deployments: z
            .record(prefectName("deployment name"), deploymentSchema, { error: "a map of deployment name to its SLAs" })
            .default({})
            .describe(
                "Prefect Cloud only: one prefect_resource_sla per deployment and one automation on prefect.sla.violation. A " +
                    "self-hosted stack that sets it gets an error pointing to lateRuns, stuckRuns and freshness.",
            ),
    })
    .prefault({});
type Settings = z.output<typeof schema>;

/** The SLA kinds in the provider's fields, each with the words a message uses. */
function slaEntries(d: DeploymentSla): { kind: string; fields: SlaFields; words: string }[] {
    const out: { kind: string; fields: SlaFields; words: string }[] = [];
    const s = (m: number) => Math.round(m * 60);
    if (d.timeToCompletion !== undefined)
        out.push({
            kind: "time-to-completion",
            fields: { duration: s(d.timeToCompletion) },
            words: `a run taking longer than ${describeDuration(s(d.timeToCompletion))}`,
        });
    if (d.frequency !== undefined)
        out.push({
            kind: "frequency",
            fields: { staleAfter: s(d.frequency) },
            words: `no Completed run for ${describeDuration(s(d.frequency))}`,
        });
    if (d.lateness !== undefined)
        out.push({
            kind: "lateness",
            fields: { within: s(d.lateness) },
            words: `a run not started ${describeDuration(s(d.lateness))} after its scheduled time`,
        });
    if (d.freshness !== undefined)
        out.push({
            kind: "freshness",
            fields: {
                within: s(d.freshness.withinMinutes),
                expectedEvent: d.freshness.expectedEvent,
                resourceMatch: d.freshness.resourceMatch === undefined ? undefined : JSON.stringify(d.freshness.resourceMatch),
            },
            words: `no ${d.freshness.expectedEvent} event for ${describeDuration(s(d.freshness.withinMinutes))}`,
        });
    return out;
}

type SlaFields = Omit<SlaEntry, "name" | "severity" | "enabled" | "ownerResource">;
export type { SlaEntry, SlaPlan };

const deploymentResource = (id: string) => `prefect.deployment.${id}`;

/** The stack's SLA resources, as data (the signal's `slas`: rules/plan.ts carries them to the tiers' components). */
export function planSlas(s: Settings, stack: string): SlaPlan[] {
    return Object.entries(s.deployments).map(([name, d]) => {
        const resourceId = deploymentResource(d.deploymentId);
        return {
            key: `sla-${name}`,
            tier: d.severity,
            deployment: name,
            resourceId,
            slas: slaEntries(d).map((e) => ({
                // Unique per deployment (Prefect's rule); the stack in it says who manages it.
                name: `${stack}-${e.kind}`,
                severity: PREFECT_SLA_SEVERITY[d.severity],
                enabled: true,
                // What Prefect's own client sends (SlaClient.apply_slas_for_deployment): the deployment owns its SLAs.
                ownerResource: resourceId,
                ...e.fields,
            })),
        };
    });
}

/** A violation of any SLA of the deployment: the run is the primary resource, its deployment a related one. */
export function slaViolationTrigger(deploymentId: string): EventTriggerSpec {
    return {
        posture: "Reactive",
        match: ANY_FLOW_RUN,
        match_related: { "prefect.resource.role": "deployment", "prefect.resource.id": deploymentResource(deploymentId) },
        after: [],
        expect: [SLA_VIOLATION_EVENT],
        for_each: [],
        threshold: 1,
        within: 0,
    };
}

const WORD: Record<SlaSeverity, string> = { warning: "Warning", critical: "Critical", p1: "P1" };

const HEAD: Record<SlaSeverity, { icon: string; tag: string }> = {
    warning: { icon: ":warning:", tag: "" },
    critical: { icon: ":rotating_light:", tag: "CRITICAL: " },
    p1: { icon: ":fire:", tag: "P1: " },
};

/** Names the deployment (as configured, rendered literally) and its SLAs; the run when the violation has one. */
export function slaViolationMessage(deployment: string, deploymentId: string, severity: SlaSeverity, slas: string[]): Message {
    const { icon, tag } = HEAD[severity];
    const name = templateLiteral(deployment);
    return {
        subject: `${tag}SLA violated: ${name}`,
        body: [
            `${icon} *${tag}SLA violated*: deployment ${name}`,
            "",
            `*Deployment*: ${name} (\`${deploymentId}\`)`,
            `*Its Prefect Cloud SLAs*: ${slas.map(templateLiteral).join("; ")}`,
            "{% if flow_run %}*Run*: {{ flow_run.name }} (`{{ flow_run.id }}`), {{ flow_run.state.name }}",
            "*Run page*: <{{ flow_run|ui_url }}|open the flow run in Prefect>",
            "{% endif %}",
            "*Next*: open the deployment's SLA view in Prefect Cloud to see which SLA fired, then check its recent runs, " +
                "its work pool's workers and the upstream data.",
        ].join("\n"),
    };
}

function planAutomations(s: Settings, { stack, label }: SignalContext): AutomationDraft[] {
    return Object.entries(s.deployments).map(([name, d]) => ({
        key: `sla-violation-${name}`,
        tier: d.severity,
        name: label(`SLA violated (${name})`),
        description: `${WORD[d.severity]}: a Prefect Cloud SLA of deployment ${name} was violated.`,
        trigger: slaViolationTrigger(d.deploymentId),
        channels: s.channels?.[d.severity] ?? [],
        message: slaViolationMessage(
            name,
            d.deploymentId,
            d.severity,
            slaEntries(d).map((e) => e.words),
        ),
        routes: [],
        // No clearing event is documented for an SLA: the incident is opened, people resolve it.
        incident: { dedupKey: deploymentIncidentKey(stack), severity: incidentSeverity(d.severity), action: "trigger" },
    }));
}

/** Prefect Cloud SLAs on named deployments, and an automation per deployment on their violations, routed by severity. */
export const sla: SignalModule<Settings> = {
    severity: "warning",
    summary: "a Prefect Cloud SLA (time to completion, frequency, lateness, freshness) of a named deployment was violated",
    settings: {
        key: "slas",
        schema,
        refs: (s: Settings) => {
            const used = SLA_SEVERITIES.filter((sev) => Object.values(s.deployments).some((d) => d.severity === sev));
            return {
                enabled: used.length > 0,
                channels: [...new Set(used.flatMap((sev) => s.channels?.[sev] ?? []))],
                routes: [],
                // Each severity's list, so a bad channel name is reported as slas.channels.<severity>[i].
                channelsAt: SLA_SEVERITIES.map((sev) => ({ path: ["channels", sev], names: s.channels?.[sev] ?? [] })),
            };
        },
        problem: (s: Settings) => {
            const seen = new Map<string, string>();
            for (const [name, d] of Object.entries(s.deployments)) {
                if (slaEntries(d).length === 0)
                    return {
                        path: ["deployments", name],
                        expected: "at least one SLA: timeToCompletion, frequency, lateness or freshness (minutes)",
                    };
                // Two resources on one deployment would each delete the other's SLAs (the list is declarative).
                const other = seen.get(d.deploymentId.toLowerCase());
                if (other)
                    return {
                        path: ["deployments", name, "deploymentId"],
                        expected: `a deployment id not already used by "${other}" (merge their SLAs into one entry)`,
                    };
                seen.set(d.deploymentId.toLowerCase(), name);
                if (!s.channels?.[d.severity]?.length)
                    return {
                        path: ["channels", d.severity],
                        expected: `at least one channel name for ${d.severity} SLA violations (deployment "${name}" has that severity)`,
                    };
            }
        },
        needsCloud: (s: Settings) =>
            Object.keys(s.deployments).length === 0
                ? undefined
                : "no SLAs on a self-hosted Prefect server: SLAs exist only in Prefect Cloud. Remove slas and use the signals " +
                  "that do the same job on any server: lateRuns (lateness), stuckRuns (time to completion) and freshness " +
                  "(frequency, freshness)",
    },
    automations: planAutomations,
    slas: (s, { stack }) => planSlas(s, stack),
};
