/**
 * The statistics `npm run calibrate` proposes thresholds from: pure functions over a deployment's completed runs,
 * no I/O. Durations, lateness and gaps are in seconds.
 *
 * The "slower than usual" limit is robust on purpose: a few runs that hung, or a backfill that took an hour, must
 * not move it. So it is built from the median and the median absolute deviation (MAD), which half the sample would
 * have to be outliers to shift, not from the mean and standard deviation (one 10-hour run doubles them):
 *
 *   limit = max(median + K × 1.4826 × MAD,  FACTOR × median,  FLOOR)      rounded up to whole seconds
 *
 * - 1.4826 × MAD estimates the standard deviation of normally spread durations; K = 5 of them is far beyond what a
 *   healthy run reaches (1 in ~3.5 million for a normal spread), since each alert wakes somebody up.
 * - FACTOR × median: flows that always take about as long (MAD near 0) would otherwise alert a second past their
 *   median; a run is "slow" at twice its usual time at the least.
 * - FLOOR: Prefect judges Proactive windows every ~5 s and refuses one under 10 s, so very short flows get 30 s.
 * - MIN_RUNS: below 10 completed runs a median says little; such a deployment gets no proposal and keeps the stack's
 *   fixed values (stuckRuns.stuckAfterMinutes, ...).
 */

export const DURATION_RULE = { k: 5, madScale: 1.4826, factor: 2, floorSeconds: 30, minRuns: 10 } as const;

/** One completed run as calibration reads it (ISO date-times, as the API returns them). */
export interface CompletedRun {
    expectedStart?: string | null;
    start?: string | null;
    end?: string | null;
    /** Prefect's own measure of time spent Running (`total_run_time`, seconds); end − start when absent or 0. */
    runSeconds?: number | null;
}

/** Rounds to 0.1 s, so that the file does not change with float noise. */
export const round1 = (x: number): number => Math.round(x * 10) / 10;

/** The q-quantile (0..1) by linear interpolation between the closest ranks (numpy's default); NaN for no values. */
export function quantile(values: readonly number[], q: number): number {
    if (values.length === 0) return NaN;
    const sorted = [...values].sort((a, b) => a - b);
    const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

/** Median absolute deviation from the median. */
export function mad(values: readonly number[]): number {
    const m = median(values);
    return median(values.map((v) => Math.abs(v - m)));
}

export interface DurationStats {
    medianSeconds: number;
    madSeconds: number;
    p95Seconds: number;
    maxSeconds: number;
    /** The proposed "slower than usual" limit (whole seconds). */
    limitSeconds: number;
    /** Which term of the rule set the limit: "median + k·MAD", "factor × median" or "floor". */
    limitFrom: "median + k·MAD" | "factor × median" | "floor";
}

/** The duration statistics and the limit (module comment); undefined for no durations. */
export function durationStats(durations: readonly number[], rule = DURATION_RULE): DurationStats | undefined {
    if (durations.length === 0) return undefined;
    const m = median(durations);
    const spread = mad(durations);
    const terms: [DurationStats["limitFrom"], number][] = [
        ["median + k·MAD", m + rule.k * rule.madScale * spread],
        ["factor × median", rule.factor * m],
        ["floor", rule.floorSeconds],
    ];
    // The first of the largest terms, so that ties name the statistical one.
    const [limitFrom, limit] = terms.reduce((best, t) => (t[1] > best[1] ? t : best));
    return {
        medianSeconds: round1(m),
        madSeconds: round1(spread),
        p95Seconds: round1(quantile(durations, 0.95)),
        maxSeconds: round1(Math.max(...durations)),
        limitSeconds: Math.ceil(round1(limit)),
        limitFrom,
    };
}

export interface LatenessStats {
    medianSeconds: number;
    p95Seconds: number;
    maxSeconds: number;
}

/** How late runs start (start − expected start; never below 0): what lateRuns' fixed delay can be checked against. */
export function latenessStats(lateness: readonly number[]): LatenessStats | undefined {
    if (lateness.length === 0) return undefined;
    const l = lateness.map((x) => Math.max(0, x));
    return { medianSeconds: round1(median(l)), p95Seconds: round1(quantile(l, 0.95)), maxSeconds: round1(Math.max(...l)) };
}

export interface FreshnessStats {
    medianGapSeconds: number;
    maxGapSeconds: number;
    /** A "no completed run for" window to propose: 1.5 × the longest gap seen, so the usual rhythm never alerts (whole seconds). */
    proposedWindowSeconds: number;
}

/** Gaps between consecutive completions (end times), for a freshness window; undefined below two completions. */
export function freshnessStats(ends: readonly number[]): FreshnessStats | undefined {
    if (ends.length < 2) return undefined;
    const sorted = [...ends].sort((a, b) => a - b);
    const gaps = sorted.slice(1).map((t, i) => t - sorted[i]);
    const max = Math.max(...gaps);
    return { medianGapSeconds: round1(median(gaps)), maxGapSeconds: round1(max), proposedWindowSeconds: Math.ceil(round1(1.5 * max)) };
}

const seconds = (iso: string | null | undefined): number | undefined => (iso ? Date.parse(iso) / 1000 : undefined);

export interface Proposal {
    runs: number;
    duration?: DurationStats;
    lateness?: LatenessStats;
    freshness?: FreshnessStats;
}

/** Everything calibrate says about one deployment's completed runs; the duration limit only from `minRuns` runs on. */
export function propose(runs: readonly CompletedRun[], rule = DURATION_RULE): Proposal {
    const durations: number[] = [];
    const lateness: number[] = [];
    const ends: number[] = [];
    for (const r of runs) {
        const start = seconds(r.start);
        const end = seconds(r.end);
        const expected = seconds(r.expectedStart);
        // total_run_time is 0 for runs whose Running state was never closed the usual way: fall back to end − start.
        const d = r.runSeconds ? r.runSeconds : start !== undefined && end !== undefined ? end - start : undefined;
        if (d !== undefined && Number.isFinite(d) && d >= 0) durations.push(d);
        if (start !== undefined && expected !== undefined) lateness.push(start - expected);
        if (end !== undefined) ends.push(end);
    }
    return {
        runs: runs.length,
        ...(durations.length >= rule.minRuns ? { duration: durationStats(durations, rule) } : {}),
        ...(lateness.length ? { lateness: latenessStats(lateness) } : {}),
        ...(ends.length >= 2 ? { freshness: freshnessStats(ends) } : {}),
    };
}
