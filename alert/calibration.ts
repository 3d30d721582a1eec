/**
 * What `npm run calibrate` measured of a stack's deployments (thresholds/<stack>.json, parsed by
 * config/thresholds.ts), as the signals see it: plain data, below the signals and the config.
 */

/** A calibrated deployment as slowRuns uses it. */
export interface CalibratedDeployment {
    /** "<flow>/<deployment>". */
    key: string;
    flow: string;
    deployment: string;
    /**
     * Its Prefect id, recorded by calibrate: the only way to name this one deployment in a trigger (names are unique per
     * flow only). Absent in a file written before calibrate recorded it: nothing is skipped for it then.
     */
    deploymentId?: string;
    /** The stack's routes it was found under. */
    routes: string[];
    /** Completed runs the statistics are over. */
    runs: number;
    medianSeconds: number;
    limitSeconds: number;
    /** The team of its `owner:<team>` tag when calibrated; its per-deployment automations go to that team's channels. */
    owner?: string;
    /** Gaps between its completions and the proposed "no Completed run for" window (freshness.calibrated uses it). */
    freshness?: { medianGapSeconds: number; maxGapSeconds: number; windowSeconds: number };
    /** How late its runs started (start − expected start), for the preview: informative (docs/configuration.md). */
    lateness?: { medianSeconds: number; p95Seconds: number; maxSeconds: number };
}

/** Prefect's proactive evaluation tick (server.events.proactive_granularity, 5 s) and its shortest Proactive window (10 s). */
const TICK_SECONDS = 5;
const MIN_WINDOW_SECONDS = 10;

/**
 * A calibrated window as a Proactive trigger's `within`: rounded up to whole 5 s ticks (a window the proactive loop
 * opens by itself starts on a tick, so one of whole ticks ends on one, as every window of whole minutes does:
 * tests/e2e/freshness.e2e.ts measured 36 s ending ~5 s late), from 10 minutes on to whole minutes (a reviewer reads
 * "36 hours 1 min", not "36 hours 5 s"), and at least 10 s (prefect/server/events/schemas/automations.py).
 */
export function proactiveWindowSeconds(seconds: number): number {
    const step = seconds >= 600 ? 60 : TICK_SECONDS;
    return Math.max(MIN_WINDOW_SECONDS, Math.ceil(seconds / step) * step);
}

/** The thresholds file's deployments split as the preview shows them; empty when the stack has no file. */
export interface Calibration {
    /** The file, as shown in messages; undefined without one. */
    path?: string;
    calibrated: CalibratedDeployment[];
    /** Deployments with too few runs, and how many were read: they keep the stack's fixed values. */
    fixed: { key: string; runs: number }[];
}

/**
 * Match-related objects that let through every deployment but the calibrated ones with a recorded id: one object per
 * id, since an object holds when any of a label's values matches (a list of "!" values would hold for every
 * deployment), and a deployment is a single-valued role, so "!<its id>" holds only for runs of other deployments
 * (prefect/server/events/schemas/events.py `ResourceSpecification.matches` / `includes`). A deployment without an id
 * (a file from before calibrate recorded it) skips nothing: a duplicate alert beats a silenced one.
 */
export function otherDeployments(calibrated: readonly Pick<CalibratedDeployment, "deploymentId">[]): Record<string, string>[] {
    const ids = [...new Set(calibrated.flatMap((d) => (d.deploymentId ? [d.deploymentId] : [])))].sort();
    return ids.map((id) => ({ "prefect.resource.role": "deployment", "prefect.resource.id": `!prefect.deployment.${id}` }));
}

/** The calibrated deployments without a recorded id, for the preview: "re-run npm run calibrate to record deployment ids". */
export const withoutId = (calibrated: readonly Pick<CalibratedDeployment, "deploymentId" | "key">[]): string[] =>
    calibrated.filter((d) => !d.deploymentId).map((d) => d.key);
