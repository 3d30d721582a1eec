import { describeDuration } from "../../alert/messages";
import { StackConfig, sectionOf } from "../../config/model";
import { slowRuns, usualInWords } from "../../signals/slowRuns";

/**
 * Which deployments have thresholds of their own (thresholds/<stack>.json, npm run calibrate) and which keep the
 * stack's fixed values; nothing when the stack has no thresholds file. Pure.
 */
export function calibrationLines(cfg: Pick<StackConfig, "calibration" | "signals">): string[] {
    const { path, calibrated, fixed } = cfg.calibration;
    if (!path) return [];
    const on = sectionOf(cfg, slowRuns.settings).enabled;
    const out = [
        "",
        `Calibration (${path}): ${calibrated.length} deployment(s) calibrated, ${fixed.length} on the stack's fixed values` +
            (on ? "" : "; slowRuns is off, so no limit is used"),
    ];
    for (const d of calibrated) out.push(`  calibrated  ${d.key}: slow after ${describeDuration(d.limitSeconds)} (${usualInWords(d)})`);
    for (const d of fixed) out.push(`  fixed       ${d.key}: ${d.runs} completed run(s), too few to calibrate`);
    return out;
}
