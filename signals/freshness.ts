import { createHash } from "node:crypto";
import { z } from "zod";
import { alertSeverity, bool, channelRefs, range } from "../alert/fields";
import { armedResolve, incidentSeverity, silenceIncidentKey } from "../alert/incidents";
import { LAST_COMPLETED, OPENING, describeDuration, silenceEndedMessage } from "../alert/messages";
import type { AutomationDraft, Message } from "../alert/model";
import { templateLiteral } from "../alert/templates";
import { EventTriggerSpec, silenceAfterLastCompletion } from "../alert/triggers";
import { ANY_FLOW_RUN, PROACTIVE_MIN_WITHIN_SECONDS, labelLiteral } from "../prefect/vocabulary";
import { type CalibratedDeployment, type Calibration, otherDeployments } from "../alert/calibration";
import type { SignalContext, SignalModule } from "./signal";

/** 0.003 h is 10.8 s, the shortest window Prefect accepts (10 s) rounded up to what the config can say. */
const MIN_HOURS = 0.003;
const MAX_HOURS = 8760;

/** A deployment or flow name as a map key, exactly as Prefect labels it (no wildcard: it names one). */
const nameKey = (what: string) =>
    z.string().refine((s) => s.trim() === s && s.length > 0 && !/^[*!]/.test(s) && !s.endsWith("*"), {
        error: `a ${what} as written in Prefect (no surrounding spaces, no leading "!" or trailing "*")`,
    });

const entrySchema = z
    .strictObject({
        maxAgeHours: range(
            MIN_HOURS,
            MAX_HOURS,
            `a number of hours from ${MIN_HOURS} to ${MAX_HOURS} (a Proactive window: Prefect refuses one under ` +
                `${PROACTIVE_MIN_WITHIN_SECONDS} s)`,
        )
            .default(26)
            .describe("Stale when no run reached Completed for this long."),
        severity: alertSeverity().describe("Which tier owns the alert."),
        channels: channelRefs.optional().describe("Where this entry's alert goes; unset: freshness.channels."),
    })
    .prefault({});

const schema = z
    .strictObject({
        /** Where every entry sends, unless it names its own channels. */
        channels: channelRefs.optional().describe("Where every entry sends, unless the entry names its own."),
        deployments: z
            .record(nameKey("deployment name"), entrySchema, { error: "a map of deployment name to { maxAgeHours, severity }" })
            .default({})
            .describe(
                "Stale data, by deployment name: fires one window after the last Completed run (each completion opens a new window), " +
                    "also for a deployment that never completed since the automation was created, and again every second window while " +
                    "nothing completes; the message names the last Completed run.",
            ),
        flows: z
            .record(nameKey("flow name"), entrySchema, { error: "a map of flow name to { maxAgeHours, severity }" })
            .default({})
            .describe("Stale data, by flow name, as for deployments."),
        calibrated: bool()
            .default(false)
            .describe(
                "Also watch every calibrated deployment of thresholds/<stack>.json (npm run calibrate) with its own window (its " +
                    "freshness.proposedWindowSeconds), on that flow and deployment, sent to its owner's channels when it has one; " +
                    "it takes the severity and channels of a `deployments` entry of the same name, which keeps watching the other " +
                    "flows' deployments of that name (it leaves this one out by the id calibrate recorded).",
            ),
        /** Also post "Recovered" to chat when fresh data arrives after a stale-data alert; off: PagerDuty resolves only. */
        recoveredNotice: bool()
            .default(false)
            .describe(
                'Also post "Recovered" to the section\'s chat channels when its incident clears; off: resolves go to PagerDuty only.',
            ),
    })
    .prefault({});
type Settings = z.output<typeof schema>;
type Entry = z.output<typeof entrySchema>;
type Kind = "deployment" | "flow";

const entries = (s: Settings): { kind: Kind; group: "deployments" | "flows"; name: string; entry: Entry }[] => [
    ...Object.entries(s.deployments).map(([name, entry]) => ({ kind: "deployment" as const, group: "deployments" as const, name, entry })),
    ...Object.entries(s.flows).map(([name, entry]) => ({ kind: "flow" as const, group: "flows" as const, name, entry })),
];

/** A Pulumi resource name from a Prefect name, stable and unique: the name itself when it is a plain slug, else a slug and a hash. */
function resourceName(kind: Kind | "calibrated", name: string, plain = name): string {
    const slug = plain
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "")
        .slice(0, 60);
    const suffix = slug === plain ? "" : `-${createHash("sha256").update(name, "utf8").digest("hex").slice(0, 8)}`;
    return `freshness-${kind}-${slug}${suffix}`;
}

/** The key of a calibrated deployment's automation: "freshness-calibrated-<flow>-<deployment>" (a hash when not plain). */
export const calibratedFreshnessKey = (d: Pick<CalibratedDeployment, "flow" | "deployment">): string =>
    resourceName("calibrated", `${d.flow}/${d.deployment}`, `${d.flow}-${d.deployment}`);

/** A calibrated deployment freshness watches with its own window, and the fixed entry of its name (its severity and channels). */
export interface CalibratedFreshness {
    d: CalibratedDeployment & { freshness: NonNullable<CalibratedDeployment["freshness"]> };
    entry?: Entry;
}

/** A fixed entry, and for a `deployments` one the calibrated deployments of its name its window leaves out (by id). */
export type FixedFreshness = ReturnType<typeof entries>[number] & { skip: CalibratedFreshness["d"][] };

/**
 * Which deployments freshness watches with their calibrated window, and the fixed entries: with `calibrated` off,
 * none and all. A fixed `deployments` entry names a deployment by name alone (any flow), so it stays, for the other
 * flows' deployments of that name, and its window leaves out the calibrated ones by their recorded id (a calibrated
 * deployment without one, from an older file, is left in: a duplicate alert beats a silent one); the calibrated
 * automation takes the entry's severity and channels. Pure; the plan and the preview share it.
 */
export function freshnessSplit(s: Settings, calibration: Calibration): { calibrated: CalibratedFreshness[]; fixed: FixedFreshness[] } {
    const seen = new Set<string>();
    const calibrated: CalibratedFreshness[] = [];
    for (const d of s.calibrated ? calibration.calibrated : []) {
        // Two deployments whose names differ only in punctuation would share a key (a resource name): the first wins.
        if (!d.freshness || seen.has(calibratedFreshnessKey(d))) continue;
        seen.add(calibratedFreshnessKey(d));
        const entry = Object.hasOwn(s.deployments, d.deployment) ? s.deployments[d.deployment] : undefined;
        calibrated.push({ d: { ...d, freshness: d.freshness }, entry });
    }
    return {
        calibrated,
        fixed: entries(s).map((e) => ({
            ...e,
            skip: e.kind === "deployment" ? calibrated.filter((c) => c.d.deployment === e.name && c.d.deploymentId).map((c) => c.d) : [],
        })),
    };
}

/** Stale data of one calibrated deployment: its flow and deployment names, so the window is its completions alone. */
export function calibratedFreshnessTrigger(d: Pick<CalibratedDeployment, "flow" | "deployment">, seconds: number): EventTriggerSpec {
    return silenceAfterLastCompletion(
        {
            match: ANY_FLOW_RUN,
            match_related: [
                { "prefect.resource.role": "flow", "prefect.resource.name": labelLiteral(d.flow) },
                { "prefect.resource.role": "deployment", "prefect.resource.name": labelLiteral(d.deployment) },
            ],
        },
        seconds,
    );
}

const TIER_WORD = { warning: "Warning", critical: "Critical", p1: "P1" } as const;

/**
 * Stale data: no Completed run of the deployment (or flow) `name` within `seconds`. Proactive and without
 * for_each, so Prefect keeps one window for the whole automation: it fires when a window passes without such a
 * run, a deployment that never completed since the automation was created included.
 */
export function freshnessTrigger(
    kind: "deployment" | "flow",
    name: string,
    seconds: number,
    skip: readonly Pick<CalibratedDeployment, "deploymentId">[] = [],
): EventTriggerSpec {
    const named = { "prefect.resource.role": kind, "prefect.resource.name": labelLiteral(name) };
    const others = otherDeployments(skip);
    return silenceAfterLastCompletion({ match: ANY_FLOW_RUN, match_related: others.length ? [named, ...others] : named }, seconds);
}

/**
 * Stale data. The window is opened by the last Completed run (alert/triggers.ts silenceAfterLastCompletion), so
 * the firing carries that run's event and the server loads it: the message names the last successful run. A window
 * the server opened by itself (never completed since set up, or a reminder while it stays stale) carries none.
 */
export function freshnessMessage(severity: "warning" | "critical" | "p1", what: string, seconds: number): Message {
    const { emoji, prefix } = OPENING[severity];
    const window = describeDuration(seconds);
    const name = templateLiteral(what);
    return {
        subject: `${prefix}Stale data: no Completed run of ${name} for ${window}`,
        body: [
            `${emoji} *${prefix}Stale data: no Completed run of ${name} for ${window}*`,
            "",
            `Prefect saw no Completed run of ${name} in the last ${window}.`,
            LAST_COMPLETED,
            "",
            "*Next*: open it in Prefect: is its schedule paused, are its runs Late, Failed or stuck in Running, is its work pool " +
                "ready?",
        ].join("\n"),
    };
}

/**
 * Stale data: no Completed run of a named deployment (or flow) for `maxAgeHours`. One Proactive automation per
 * entry, without for_each: Prefect keeps one window per automation and fires at the end of every window that saw
 * no such run, so it also fires for a deployment that has never completed since the automation was created.
 */
export const freshness: SignalModule<Settings> = {
    severity: "warning",
    summary:
        "no Completed run of a named deployment or flow for `maxAgeHours` (stale data), at the severity each entry names " +
        "(default warning)",
    settings: {
        key: "freshness",
        schema,
        refs: (s: Settings) => {
            const all = entries(s);
            const on = all.length > 0 || s.calibrated;
            const channels = [...new Set([...(s.channels ?? []), ...all.flatMap((e) => e.entry.channels ?? [])])];
            return {
                enabled: on,
                channels: on ? channels : [],
                routes: [],
                channelsAt: [
                    ...(s.channels ? [{ path: ["channels"], names: s.channels }] : []),
                    ...all.flatMap((e) => (e.entry.channels ? [{ path: [e.group, e.name, "channels"], names: e.entry.channels }] : [])),
                ],
            };
        },
        problem: (s: Settings) => {
            // A calibrated deployment without an entry of its own sends where the section sends.
            if (s.calibrated && !s.channels)
                return { path: ["channels"], expected: "channel names: calibrated is on, and calibrated deployments send here" };
            const orphan = entries(s).find((e) => !e.entry.channels && !s.channels);
            return orphan
                ? {
                      path: [orphan.group, orphan.name, "channels"],
                      expected: "channel names here, or for every entry under freshness.channels",
                  }
                : undefined;
        },
    },
    automations: (s, ctx) => {
        const { stack, label, resolveChannels } = ctx;
        const split = freshnessSplit(s, ctx.calibration);
        const fixed = split.fixed.map(({ kind, name, entry, skip }): AutomationDraft => {
            const seconds = Math.round(entry.maxAgeHours * 3600);
            const what = `${kind} ${name}`;
            return {
                key: resourceName(kind, name),
                tier: entry.severity,
                name: label(`Stale data: ${what}`),
                description:
                    `${TIER_WORD[entry.severity]}: no Completed run of ${what} within ${describeDuration(seconds)} ` +
                    `(also when it never completed since this automation was created).`,
                trigger: freshnessTrigger(kind, name, seconds, skip),
                channels: entry.channels ?? s.channels ?? [],
                message: freshnessMessage(entry.severity, what, seconds),
                routes: [],
                // A fixed key per entry: the firing loads no resource to key by. Its Completed run would resolve it.
                incident: {
                    dedupKey: silenceIncidentKey(stack, templateLiteral(`freshness/${kind}/${name}`)),
                    action: "trigger",
                    severity: incidentSeverity(entry.severity),
                },
            };
        });
        const calibrated = split.calibrated.map((c) => calibratedFreshness(s, ctx, c));
        return [...fixed, ...calibrated].flatMap((a) => {
            const to = resolveChannels(a.channels, s.recoveredNotice);
            return to.length ? [a, freshnessResolve(a, to)] : [a];
        });
    },
};

/** A window in words with the gaps it came from: "90 minutes (1.5 × the longest gap between completions, 1 hour; ...)". */
export function windowInWords(d: CalibratedFreshness["d"]): string {
    const { windowSeconds, maxGapSeconds, medianGapSeconds } = d.freshness;
    return (
        `${describeDuration(windowSeconds)} (1.5 × the longest gap between completions, ${describeDuration(maxGapSeconds)}; ` +
        `median gap ${describeDuration(medianGapSeconds)}, over ${d.runs} runs)`
    );
}

/**
 * Stale data of one calibrated deployment: its own window, on its flow and deployment, to its owner's chat channels
 * (alert/owners.ts) when the stack knows its `owner:<team>` (recorded by calibrate), else as the section sends.
 */
function calibratedFreshness(s: Settings, ctx: SignalContext, { d, entry }: CalibratedFreshness): AutomationDraft {
    const severity = entry?.severity ?? "warning";
    const seconds = d.freshness.windowSeconds;
    const what = `deployment ${d.key}`;
    const owner = ctx.owners.find((o) => o.name === d.owner);
    return {
        key: calibratedFreshnessKey(d),
        tier: severity,
        name: ctx.label(`Stale data: ${what}`),
        description:
            `${TIER_WORD[severity]}: no Completed run of ${what} within ${windowInWords(d)}; thresholds/${ctx.stack}.json ` +
            `(also when it never completed since this automation was created).`,
        trigger: calibratedFreshnessTrigger(d, seconds),
        channels: ctx.sendTo(entry?.channels ?? s.channels ?? [], owner),
        message: freshnessMessage(severity, what, seconds),
        // A team's automation watches no route (a route's mute does not silence a team: alert/owners.ts perOwner).
        routes: owner ? [] : d.routes,
        ...(owner ? { owner: owner.name, ...(owner.runbook ? { runbook: owner.runbook } : {}) } : {}),
        incident: {
            dedupKey: silenceIncidentKey(ctx.stack, templateLiteral(`freshness/calibrated/${d.key}`)),
            action: "trigger",
            severity: incidentSeverity(severity),
        },
    };
}

/**
 * The automation that resolves a freshness incident: the entry's first Completed run after a stale-data alert (an
 * armed resolve, Reactive on the same match, same dedup key), sent to `channels`.
 */
export function freshnessResolve(alert: AutomationDraft, channels: string[]): AutomationDraft {
    return armedResolve(alert, {
        trigger: { ...alert.trigger, posture: "Reactive", after: [], within: 60 },
        message: silenceEndedMessage(),
        description: `Resolves the stale-data incident of ${alert.name} when a run completes.`,
        channels,
    });
}
