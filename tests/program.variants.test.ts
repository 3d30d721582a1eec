import { describe, expect, it, vi } from "vitest";
import { editKey, stackConfig } from "./helpers/stacks";
import { T, ofType, plain, runStack } from "./helpers/program";

describe("stack variants under mocks", () => {
    it("with warnings and success notices off, no WarningTier is created; the critical tier stands alone", async () => {
        vi.resetModules();
        // Every warning-severity signal prod turns on (final failures, late and stuck runs, stale data) is off.
        let raw = editKey(stackConfig("prod"), "warning", () => ({ enabled: false }));
        raw = editKey(raw, "lateRuns", () => ({ enabled: false }));
        raw = editKey(raw, "stuckRuns", () => ({ enabled: false }));
        raw = editKey(raw, "freshness", () => undefined);
        const run = await runStack("prod", raw);
        const components = run.resources.filter((r) => !r.custom).map((r) => r.type);
        expect(components).not.toContain("alerting:index:WarningTier");
        expect(components).toContain("alerting:index:CriticalTier");
        expect(
            ofType(run, T.automation)
                .map((a) => a.name)
                .sort(),
        ).toEqual([
            "critical-dlt",
            "critical-dlt-resolve",
            "p1-no-success-dlt",
            "p1-no-success-dlt-resolve",
            "p1-work-pool-not-ready",
            "p1-work-pool-not-ready-resolve",
        ]);
        // The alerts channel is no longer used by an enabled tier, so it gets no block.
        expect(
            ofType(run, T.block)
                .map((b) => b.name)
                .sort(),
        ).toEqual(["block-critical", "block-pager", "block-pagerP1"]);
    });

    const shortestWindows =
        "at the shortest windows the config accepts, every registered trigger sets threshold and within, Proactive at least 10 s";
    it(shortestWindows, async () => {
        vi.resetModules();
        let raw = editKey(stackConfig("local"), "critical", (v) => ({ ...v, threshold: 2, windowHours: 0.1 }));
        raw = editKey(raw, "p1", (v) => ({ ...v, noSuccessMinutes: 0.5 }));
        const run = await runStack("local", raw);
        const events = ofType(run, T.automation).map((a) => [a.name, plain(a).trigger.event] as const);
        expect(events.map(([name]) => name).sort()).toEqual([
            "critical-dlt",
            "p1-no-success-dlt",
            "p1-work-pool-not-ready",
            "success-notice",
            "warning-dlt",
        ]);
        for (const [name, e] of events) {
            expect(Number.isInteger(e.threshold) && e.threshold >= 1, `${name}.threshold = ${e.threshold}`).toBe(true);
            expect(typeof e.within, `${name}.within`).toBe("number");
            if (e.posture === "Proactive") expect(e.within, name).toBeGreaterThanOrEqual(10);
        }
        expect(Object.fromEntries(events.map(([name, e]) => [name, [e.posture, e.threshold, e.within]]))).toEqual({
            "critical-dlt": ["Reactive", 2, 360],
            "p1-no-success-dlt": ["Proactive", 1, 30],
            "p1-work-pool-not-ready": ["Reactive", 1, 0],
            "success-notice": ["Reactive", 1, 0],
            "warning-dlt": ["Reactive", 1, 0],
        });
    });
});
