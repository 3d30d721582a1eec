import { FINAL_FAILURE_STATES } from "../../prefect/vocabulary";
import type { AutomationNoise, DayCount, Firing, FlowStats, LastSuccess, Outcome, Period, RunRecord } from "./model";

/** Pure computations of the report: the period, outcomes, percentiles, per-flow figures, alert noise. */

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of an instant, in UTC. */
export const utcDay = (d: Date): string => d.toISOString().slice(0, 10);

/** The last `days` calendar days in UTC, today (the day of `now`) included, up to `now`. */
export function periodOf(days: number, now: Date): Period {
    if (!Number.isInteger(days) || days < 1) throw new Error(`--days must be a whole number of days, 1 or more (got ${days})`);
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const since = new Date(today - (days - 1) * DAY_MS);
    return { since, until: now, days: Array.from({ length: days }, (_, i) => utcDay(new Date(since.getTime() + i * DAY_MS))) };
}

const FAILURES = new Set<string>(FINAL_FAILURE_STATES);

/** Completed, a final failure (what the alerts fire on), or anything else. */
export function outcomeOf(state: string): Outcome {
    if (state === "Completed") return "completed";
    return FAILURES.has(state) ? "failed" : "other";
}

/**
 * The p-th percentile (0..100) of `values`, by linear interpolation between
 * the closest ranks (numpy's default): the median of [1, 2, 3, 4] is 2.5.
 * Undefined for no values.
 */
export function percentile(values: number[], p: number): number | undefined {
    if (values.length === 0) return undefined;
    const sorted = [...values].sort((a, b) => a - b);
    const rank = (p / 100) * (sorted.length - 1);
    const lo = Math.floor(rank);
    const hi = Math.ceil(rank);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/** Wall-clock seconds from start to end; undefined for a run that has not both. */
export function durationSeconds(run: Pick<RunRecord, "start" | "end">): number | undefined {
    if (!run.start || !run.end) return undefined;
    return (Date.parse(run.end) - Date.parse(run.start)) / 1000;
}

/** The key a run is grouped under: its flow and deployment. */
export const flowKey = (flow: string, deployment?: string): string => JSON.stringify([flow, deployment ?? null]);

/** The day a run counts for: when it started, or (never started) when it was expected to. */
const dayOfRun = (run: RunRecord): string => utcDay(new Date(run.start ?? run.expectedStart));

/**
 * Per flow/deployment figures over the period. `runs` are the period's runs
 * (any order); `lastSuccess` holds, by flowKey, the newest Completed run of
 * each group, which may be older than the period; `expected` adds rows for
 * flows a route names that did not run in the period (a stale flow must show).
 * Rows are sorted by flow, then deployment.
 */
export function flowStats(
    runs: RunRecord[],
    period: Period,
    lastSuccess: ReadonlyMap<string, LastSuccess> = new Map(),
    expected: { flow: string; deployment?: string }[] = [],
): FlowStats[] {
    const groups = new Map<string, { flow: string; deployment?: string; runs: RunRecord[] }>();
    const group = (flow: string, deployment?: string) => {
        const key = flowKey(flow, deployment);
        if (!groups.has(key)) groups.set(key, { flow, deployment, runs: [] });
        return groups.get(key)!;
    };
    for (const run of runs) group(run.flow, run.deployment).runs.push(run);
    // A named flow that ran (under any deployment, or the named one) already has its row.
    for (const e of expected)
        if (!runs.some((r) => r.flow === e.flow && (e.deployment === undefined || r.deployment === e.deployment)))
            group(e.flow, e.deployment);

    const stats: FlowStats[] = [];
    for (const [key, g] of groups) {
        const outcomes = g.runs.map((r) => outcomeOf(r.state));
        const completed = outcomes.filter((o) => o === "completed").length;
        const failures = outcomes.filter((o) => o === "failed").length;
        const durations = g.runs
            .filter((r) => outcomeOf(r.state) !== "other")
            .map(durationSeconds)
            .filter((d): d is number => d !== undefined);
        const daily: DayCount[] = period.days.map((day) => ({ day, completed: 0, failed: 0, other: 0 }));
        const byDay = new Map(daily.map((d) => [d.day, d]));
        for (const r of g.runs) {
            const d = byDay.get(dayOfRun(r));
            if (d) d[outcomeOf(r.state)]++;
        }
        // The newest success: the period's own runs, or the separately read one (older, or all the API gave).
        const candidates: LastSuccess[] = g.runs
            .filter((r) => r.state === "Completed" && r.end)
            .map((r) => ({ id: r.id, name: r.name, end: r.end! }));
        const known = lastSuccess.get(key);
        if (known) candidates.push(known);
        const last = candidates.sort((a, b) => Date.parse(b.end) - Date.parse(a.end))[0];
        stats.push({
            flow: g.flow,
            deployment: g.deployment,
            runs: g.runs.length,
            completed,
            failures,
            other: g.runs.length - completed - failures,
            successRate: completed + failures > 0 ? completed / (completed + failures) : undefined,
            medianSeconds: percentile(durations, 50),
            p95Seconds: percentile(durations, 95),
            lastSuccess: last,
            lastSuccessAgeSeconds: last ? Math.max(0, (period.until.getTime() - Date.parse(last.end)) / 1000) : undefined,
            daily,
        });
    }
    return stats.sort((a, b) => a.flow.localeCompare(b.flow) || (a.deployment ?? "").localeCompare(b.deployment ?? ""));
}

/** The automation names of a stack start with `[<stack>] ` (rules/plan.ts labels them so). */
export const stackPrefix = (stack: string): string => `[${stack}] `;

const countCauses = (causes: string[]) =>
    [...causes.reduce((m, c) => m.set(c, (m.get(c) ?? 0) + 1), new Map<string, number>())]
        .map(([cause, count]) => ({ cause, count }))
        .sort((a, b) => b.count - a.count || a.cause.localeCompare(b.cause));

/**
 * Alert noise per automation of the stack: every automation on the server
 * whose name carries the stack's prefix (0 when it never fired), plus any that
 * fired in the period and is gone since. Sorted by firings, most first, then name.
 */
export function alertNoise(
    stack: string,
    automations: { id: string; name: string; enabled: boolean }[],
    firings: Firing[],
): { automations: AutomationNoise[]; noisiest: { cause: string; count: number }[] } {
    const prefix = stackPrefix(stack);
    const ours = firings.filter((f) => f.automationName.startsWith(prefix));
    const rows = new Map<string, { id: string; name: string; enabled?: boolean; causes: string[] }>();
    for (const a of automations) if (a.name.startsWith(prefix)) rows.set(a.id, { id: a.id, name: a.name, enabled: a.enabled, causes: [] });
    for (const f of ours) {
        if (!rows.has(f.automationId)) rows.set(f.automationId, { id: f.automationId, name: f.automationName, causes: [] });
        rows.get(f.automationId)!.causes.push(f.cause);
    }
    const noise = [...rows.values()]
        .map((r) => ({ id: r.id, name: r.name, enabled: r.enabled, firings: r.causes.length, causes: countCauses(r.causes) }))
        .sort((a, b) => b.firings - a.firings || a.name.localeCompare(b.name));
    return { automations: noise, noisiest: countCauses(ours.map((f) => f.cause)) };
}

/** A Prefect event, as /events/filter returns it. */
export interface PrefectEvent {
    id: string;
    event: string;
    occurred: string;
    resource: Record<string, string>;
    related?: Record<string, string>[];
    payload?: Record<string, any>;
}

/** No triggering event: a Proactive trigger fired because something did NOT happen (all pipelines down). */
export const NO_EVENT_CAUSE = "(no event: nothing happened in the window)";

/**
 * A `prefect.automation.triggered` event as a Firing. The cause is read from
 * the event that triggered it (payload.triggering_event): the flow related to
 * the flow run, else the primary resource (a work pool), else the per-flow
 * bucket label; a Proactive firing has no triggering event.
 */
export function firingOf(e: PrefectEvent): Firing {
    const id = e.resource["prefect.resource.id"] ?? "";
    const trigger = e.payload?.triggering_event as PrefectEvent | null | undefined;
    return {
        automationId: id.replace(/^prefect\.automation\./, ""),
        automationName: e.resource["prefect.resource.name"] ?? id,
        occurred: e.occurred,
        cause: trigger ? causeOf(trigger, e.payload?.triggering_labels) : NO_EVENT_CAUSE,
    };
}

function causeOf(trigger: PrefectEvent, labels: Record<string, string> | undefined): string {
    const flow = (trigger.related ?? []).find((r) => r["prefect.resource.role"] === "flow");
    if (flow?.["prefect.resource.name"]) return flow["prefect.resource.name"];
    const resource = trigger.resource ?? {};
    const kind = /^prefect\.([a-z-]+)\./.exec(resource["prefect.resource.id"] ?? "")?.[1];
    const name = resource["prefect.resource.name"];
    if (kind && name) return `${kind.replace(/-/g, " ")} ${name}`;
    const label = Object.values(labels ?? {})[0];
    return label ?? resource["prefect.resource.id"] ?? trigger.event;
}
