import { withoutId } from "../../alert/calibration";
import { describeDuration } from "../../alert/messages";
import { StackConfig, sectionOf } from "../../config/model";
import { freshness, freshnessSplit, windowInWords } from "../../signals/freshness";
import { lateCalibrated, lateRuns } from "../../signals/lateRuns";
import { slowRuns, usualInWords } from "../../signals/slowRuns";

/**
 * Which deployments have thresholds of their own (thresholds/<stack>.json, npm run calibrate) and which keep the
 * stack's fixed values, for slowRuns and freshness; nothing when the stack has no thresholds file. Pure.
 */
export function calibrationLines(cfg: Pick<StackConfig, "calibration" | "signals" | "routes">): string[] {
    const { path, calibrated, fixed } = cfg.calibration;
    if (!path) return [];
    const on = sectionOf(cfg, slowRuns.settings).enabled;
    const out = [
        "",
        `Calibration (${path}): ${calibrated.length} deployment(s) calibrated, ${fixed.length} on the stack's fixed values` +
            (on ? "" : "; slowRuns is off, so no limit is used"),
    ];
    const owner = (d: { owner?: string }) => (d.owner ? ` [owner ${d.owner}]` : "");
    for (const d of calibrated)
        out.push(`  calibrated  ${d.key}: slow after ${describeDuration(d.limitSeconds)} (${usualInWords(d)})${owner(d)}`);
    for (const d of fixed) out.push(`  fixed       ${d.key}: ${d.runs} completed run(s), too few to calibrate`);
    return [...out, ...freshnessLines(cfg), ...lateLines(cfg)];
}

/** Late runs: the deployments on their calibrated lateness, and that the route's automations skip them (by id). */
function lateLines(cfg: Pick<StackConfig, "calibration" | "signals" | "routes">): string[] {
    const s = sectionOf(cfg, lateRuns.settings);
    const mine = lateCalibrated(s, { routes: cfg.routes.map((r) => r.name), calibration: cfg.calibration });
    if (!s.enabled || !s.calibrated) {
        const unused = cfg.calibration.calibrated.filter((d) => d.lateness).length;
        return unused ? [`Late runs: calibrated lateness unused (${unused} measured; lateRuns.calibrated is off)`] : [];
    }
    return [
        `Late runs: ${mine.length} deployment(s) on calibrated lateness (the route's late-run automations skip them by id), ` +
            "the rest alert when Prefect marks a run Late",
        ...mine.map(
            (d) =>
                `  calibrated  ${d.key}: alert when still not started ${describeDuration(d.withinSeconds)} after marked Late ` +
                `(latest start ${describeDuration(d.lateness.maxSeconds)} late over ${d.runs} runs)` +
                (d.owner ? ` [owner ${d.owner}]` : ""),
        ),
        ...reRun(mine),
    ];
}

/** Calibrated deployments without a recorded id are not left out of the fixed automations: they may alert twice. */
function reRun(calibrated: Parameters<typeof withoutId>[0]): string[] {
    const missing = withoutId(calibrated);
    const them = missing.length > 1 ? "them" : "it";
    return missing.length
        ? [
              `  ${missing.join(", ")}: no deployment id in the file, so the fixed automations still watch ${them} too ` +
                  "(a possible duplicate alert): re-run npm run calibrate to record deployment ids",
          ]
        : [];
}

/** Freshness: the deployments on their calibrated window, and the entries that keep their fixed maxAgeHours. */
function freshnessLines(cfg: Pick<StackConfig, "calibration" | "signals">): string[] {
    const s = sectionOf(cfg, freshness.settings);
    const split = freshnessSplit(s, cfg.calibration);
    if (!s.calibrated) {
        const unused = cfg.calibration.calibrated.filter((d) => d.freshness).length;
        return unused ? [`Freshness: calibrated windows unused (${unused} proposed; freshness.calibrated is off)`] : [];
    }
    return [
        `Freshness: ${split.calibrated.length} deployment(s) on calibrated windows, ${split.fixed.length} entr(ies) on fixed maxAgeHours`,
        ...split.calibrated.map(
            ({ d, entry }) =>
                `  calibrated  ${d.key}: stale after ${windowInWords(d)}` +
                (entry
                    ? ` (severity and channels of freshness.deployments.${d.deployment}, ` +
                      (d.deploymentId ? "which leaves it out)" : "which still watches it too)")
                    : "") +
                (d.owner ? ` [owner ${d.owner}]` : ""),
        ),
        ...split.fixed.map(
            (e) =>
                `  fixed       ${e.kind} ${e.name}: stale after ${describeDuration(Math.round(e.entry.maxAgeHours * 3600))}` +
                (e.skip.length ? ` (other than ${e.skip.map((d) => d.key).join(", ")})` : ""),
        ),
        ...reRun(split.calibrated.map((c) => c.d)),
    ];
}
