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

/** The thresholds file's deployments split as the preview shows them; empty when the stack has no file. */
export interface Calibration {
    /** The file, as shown in messages; undefined without one. */
    path?: string;
    calibrated: CalibratedDeployment[];
    /** Deployments with too few runs, and how many were read: they keep the stack's fixed values. */
    fixed: { key: string; runs: number }[];
}
