/** What the load benchmark counts, as pure functions over what was sent and what the receiver got. */

export interface SentRun {
    id: string;
    /** Failed runs should alert once on each path; completed runs never. */
    outcome: "failed" | "completed";
    /** ms: the final state's timestamp as the server stored it. */
    at: number;
}

export interface Delivery {
    /** The run the message names. */
    runId: string;
    /** ms: when the receiver got it. */
    at: number;
}

export interface Tally {
    expected: number;
    delivered: number;
    lost: string[];
    doubled: string[];
    /** Messages about runs that completed (should be none). */
    stray: number;
    /** ms from each failed run's state timestamp to its first message. */
    latencies: number[];
    /** The longest stretch (ms) with failures submitted but no message delivered, within [from, to]. */
    blindMs: number;
}

export function tally(runs: SentRun[], deliveries: Delivery[], from: number, to: number): Tally {
    const byRun = new Map<string, number[]>();
    for (const d of deliveries) byRun.set(d.runId, [...(byRun.get(d.runId) ?? []), d.at]);
    const failed = runs.filter((r) => r.outcome === "failed");
    const completed = new Set(runs.filter((r) => r.outcome === "completed").map((r) => r.id));
    const lost = failed.filter((r) => !byRun.has(r.id)).map((r) => r.id);
    const doubled = failed.filter((r) => (byRun.get(r.id)?.length ?? 0) > 1).map((r) => r.id);
    const stray = deliveries.filter((d) => completed.has(d.runId)).length;
    const latencies = failed.filter((r) => byRun.has(r.id)).map((r) => Math.min(...byRun.get(r.id)!) - r.at);
    const mine = new Set(failed.map((r) => r.id));
    const times = deliveries.filter((d) => mine.has(d.runId)).map((d) => d.at);
    return { expected: failed.length, delivered: times.length, lost, doubled, stray, latencies, blindMs: longestGap(times, from, to) };
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

/** Nearest-rank percentile of `values` (ms), or NaN for none. */
export function percentile(values: number[], p: number): number {
    if (values.length === 0) return NaN;
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}
