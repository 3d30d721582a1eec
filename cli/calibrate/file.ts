import type { Thresholds } from "../../config/thresholds";
import { DURATION_RULE, Proposal } from "./stats";

/** What calibrate read of one deployment. */
export interface DeploymentSample {
    flow: string;
    deployment: string;
    /** Its Prefect id (names are unique per flow only). */
    deploymentId?: string;
    /** The stack's routes it was found under, in the stack's order. */
    routes: string[];
    /** The team of its `owner:<team>` tag, if any (collect.ts ownerOf). */
    owner?: string;
    proposal: Proposal;
}

/** The thresholds file's content (config/thresholds.ts): every deployment, calibrated or not, by "<flow>/<deployment>". */
export function thresholdsFile(stack: string, runsRead: number, samples: DeploymentSample[], rule = DURATION_RULE): Thresholds {
    const deployments: Thresholds["deployments"] = {};
    for (const s of samples) {
        const { runs, duration, lateness, freshness } = s.proposal;
        deployments[`${s.flow}/${s.deployment}`] = {
            flow: s.flow,
            deployment: s.deployment,
            ...(s.deploymentId ? { deploymentId: s.deploymentId } : {}),
            routes: s.routes,
            ...(s.owner ? { owner: s.owner } : {}),
            runs,
            ...(duration ? { duration } : {}),
            ...(lateness ? { lateness } : {}),
            ...(freshness ? { freshness } : {}),
        };
    }
    const { k, madScale, factor, floorSeconds, minRuns } = rule;
    return { stack, rule: { k, madScale, factor, floorSeconds, minRuns, runsRead }, deployments };
}

/** JSON with every object's keys sorted and a final newline, so that the same runs always give the same bytes. */
export function stableJson(value: unknown): string {
    const sorted = (v: unknown): unknown =>
        Array.isArray(v)
            ? v.map(sorted)
            : v && typeof v === "object"
              ? Object.fromEntries(
                    Object.keys(v)
                        .sort()
                        .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
                )
              : v;
    return `${JSON.stringify(sorted(value), null, 2)}\n`;
}

/** One line per deployment for the terminal: its limit and why, or why it keeps the fixed values. */
export function summary(file: Thresholds): string[] {
    const { minRuns } = file.rule;
    return Object.keys(file.deployments)
        .sort()
        .map((key) => {
            const d = file.deployments[key];
            if (!d.duration) return `  ${key}: ${d.runs} completed runs, fewer than ${minRuns}: keeps the stack's fixed values`;
            const { medianSeconds, madSeconds, limitSeconds, limitFrom } = d.duration;
            const stats = `median ${medianSeconds} s, MAD ${madSeconds} s over ${d.runs} runs`;
            const stale = d.freshness ? `; stale after ${d.freshness.proposedWindowSeconds} s without a completion` : "";
            const owner = d.owner ? `; owner ${d.owner}` : "";
            return `  ${key}: slow after ${limitSeconds} s (${stats}; set by ${limitFrom})${stale}${owner}`;
        });
}
