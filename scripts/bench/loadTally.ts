/** What the load benchmark counts, as pure functions over what was sent and what the receiver got. */

/**
 * How a run of the burst ends: failed (Running, Failed), completed, retried (its Failed proposal turned into
 * AwaitingRetry by Prefect's retry rule, then Running again and Completed or finally Failed), late (Scheduled in
 * the past, never started: the late-runs service makes it Late), stuck (Running, never ends), or failed across a
 * fault (Running before it, Failed after it: a flow that runs while the fault happens).
 */
export type RunKind = "failed" | "completed" | "retried-completed" | "retried-failed" | "late" | "stuck" | "failed-across";

/** The stack's signals the benchmark turns on, and the bare automation next to them. */
export type Signal = "warning" | "floor" | "critical" | "late" | "stuck";

export interface SentRun {
    id: string;
    kind: RunKind;
    flowId: string;
    /**
     * ms: when the run's alert became due: the final state's timestamp (failed, retried-failed), the time the
     * late-runs service may first call it Late (late), the end of the stuck window (stuck); for the others the
     * final state's timestamp.
     */
    at: number;
}

export interface Delivery {
    /** The run the message names. */
    runId: string;
    /** ms: when the receiver got it. */
    at: number;
}

/** Final failures: the runs a Failed event alerts on (warning, floor) and the repeated-failure count goes by. */
const FINAL_FAILURES: ReadonlySet<RunKind> = new Set(["failed", "retried-failed", "failed-across"]);
/**
 * What the repeated-failure automations count: a flow's final failures on its route (each route has its own
 * automation, and a flow belongs to one route). Runs failed across a fault are on a route of their own.
 */
const REPEATED: ReadonlySet<RunKind> = new Set(["failed", "retried-failed"]);
const RUN_SIGNALS: Record<Exclude<Signal, "critical">, ReadonlySet<RunKind>> = {
    warning: FINAL_FAILURES,
    floor: FINAL_FAILURES,
    late: new Set(["late"]),
    stuck: new Set(["stuck"]),
};

/** One alert the stack should give: its key (a run id, or for the repeated-failure signal the flow's) and when it became due. */
export interface Expected {
    key: string;
    at: number;
}

/**
 * The alerts `signal` should give for `runs`, one per key, as the stack's incident keys go: per run for warning,
 * floor, late (lateRuns.repeatMinutes 0: every late run) and stuck; per flow for the repeated-failure signal
 * (critical), once a flow has `threshold` final failures, due at the one that reaches it (its window is longer
 * than the benchmark, so each flow fires once: triggers.py `evaluate` opens the next bucket after the window).
 */
export function expectedAlerts(signal: Signal, runs: SentRun[], threshold: number): Expected[] {
    if (signal !== "critical") return runs.filter((r) => RUN_SIGNALS[signal].has(r.kind)).map((r) => ({ key: r.id, at: r.at }));
    const failuresByFlow = new Map<string, number[]>();
    for (const r of runs.filter((r) => REPEATED.has(r.kind))) failuresByFlow.set(r.flowId, [...(failuresByFlow.get(r.flowId) ?? []), r.at]);
    return [...failuresByFlow]
        .filter(([, times]) => times.length >= threshold)
        .map(([flowId, times]) => ({ key: flowId, at: [...times].sort((a, b) => a - b)[threshold - 1] }));
}

/** The key a message counts under: the run it names, or that run's flow for the repeated-failure signal. */
export function deliveryKey(signal: Signal, run: SentRun): string {
    return signal === "critical" ? run.flowId : run.id;
}

export interface Tally {
    expected: number;
    /** Messages that name a run of this phase. */
    delivered: number;
    lost: string[];
    doubled: string[];
    /** Messages about a run of this phase the signal should not have alerted on (e.g. a retry that completed). */
    stray: number;
    /** The kinds of the runs stray messages named, e.g. { "retried-completed": 1 }. */
    strayKinds: Partial<Record<RunKind, number>>;
    /** ms from each expected alert's due time to its first message. */
    latencies: number[];
    /** The longest stretch (ms) with no message of this signal within [from, to]. */
    blindMs: number;
}

/**
 * Counts `signal`'s messages (`deliveries`, one per run a message names; ids of no run of `runs` are ignored)
 * against what it should have given for `runs`: each expected key exactly once, nothing for any other run.
 */
export function tally(signal: Signal, runs: SentRun[], deliveries: Delivery[], from: number, to: number, threshold = 3): Tally {
    const byId = new Map(runs.map((r) => [r.id, r]));
    const want = expectedAlerts(signal, runs, threshold);
    const wanted = new Set(want.map((e) => e.key));
    const byKey = new Map<string, number[]>();
    let stray = 0;
    const strayKinds: Partial<Record<RunKind, number>> = {};
    const times: number[] = [];
    for (const d of deliveries) {
        const run = byId.get(d.runId);
        if (!run) continue;
        times.push(d.at);
        const key = deliveryKey(signal, run);
        if (!wanted.has(key)) {
            stray++;
            strayKinds[run.kind] = (strayKinds[run.kind] ?? 0) + 1;
            continue;
        }
        byKey.set(key, [...(byKey.get(key) ?? []), d.at]);
    }
    return {
        expected: want.length,
        delivered: times.length,
        lost: want.filter((e) => !byKey.has(e.key)).map((e) => e.key),
        doubled: want.filter((e) => (byKey.get(e.key)?.length ?? 0) > 1).map((e) => e.key),
        stray,
        strayKinds,
        latencies: want.filter((e) => byKey.has(e.key)).map((e) => Math.min(...byKey.get(e.key)!) - e.at),
        blindMs: longestGap(times, from, to),
    };
}

/** The longest interval in [from, to] that contains none of `times`. */
export function longestGap(times: number[], from: number, to: number): number {
    const inside = times.filter((t) => t >= from && t <= to).sort((a, b) => a - b);
    let last = from;
    let longest = 0;
    for (const t of [...inside, to]) {
        longest = Math.max(longest, t - last);
        last = t;
    }
    return longest;
}

export interface HeartbeatView {
    pings: number;
    /** ms: the gap between the last ping before the fault and the first after it (or the window's end). */
    faultGapMs: number;
    /** ms: the longest gap between pings within the window (its ends count as pings). */
    longestGapMs: number;
    /** ms: how long a monitor expecting a ping every `periodMs` with `graceMs` grace would have shown the check down. */
    downMs: number;
}

/**
 * What an external heartbeat monitor sees of the watchdog's pings in [from, to], around a fault at `faultAt`:
 * the gap the fault made (vs the period), and how long a check of that period and grace would have been down
 * (the monitor's rule: down once no ping came for period + grace; tests/e2e/heartbeatMonitor.ts `checkState`).
 * The ping before `from` counts, so a gap that began before the window is seen whole.
 */
export function heartbeatView(
    pings: number[],
    from: number,
    faultAt: number,
    to: number,
    periodMs: number,
    graceMs: number,
): HeartbeatView {
    const sorted = [...pings].sort((a, b) => a - b);
    const before = sorted.filter((t) => t <= from).at(-1) ?? from;
    const inside = sorted.filter((t) => t > from && t <= to);
    const points = [before, ...inside, to];
    let longest = 0;
    let down = 0;
    for (let i = 1; i < points.length; i++) {
        const gap = points[i] - points[i - 1];
        longest = Math.max(longest, gap);
        // Only the part of a gap inside the window is counted as down time of this window.
        down += Math.max(0, points[i] - Math.max(from, points[i - 1] + periodMs + graceMs));
    }
    const lastBefore = [before, ...inside].filter((t) => t <= faultAt).at(-1) ?? before;
    const firstAfter = inside.find((t) => t > faultAt) ?? to;
    return { pings: inside.length, faultGapMs: firstAfter - lastBefore, longestGapMs: longest, downMs: down };
}

/** Nearest-rank percentile of `values` (ms), or NaN for none. */
export function percentile(values: number[], p: number): number {
    if (values.length === 0) return NaN;
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}
