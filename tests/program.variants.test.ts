import { describe, expect, it, vi } from "vitest";
import { editKey, stackConfig } from "./helpers/stacks";
import { T, ofType, runStack } from "./helpers/program";

describe("stack variants under mocks", () => {
    it("with warnings and success notices off, no WarningTier is created; the critical tier stands alone", async () => {
        vi.resetModules();
        const raw = editKey(stackConfig("prod"), "warning", () => ({ enabled: false }));
        const run = await runStack("prod", raw);
        const components = run.resources.filter((r) => !r.custom).map((r) => r.type);
        expect(components).not.toContain("alerting:index:WarningTier");
        expect(components).toContain("alerting:index:CriticalTier");
        expect(ofType(run, T.automation).map((a) => a.name).sort()).toEqual(["critical-dlt", "p1-no-success-dlt", "p1-work-pool-not-ready"]);
        // The alerts channel is no longer used by an enabled tier, so it gets no block.
        expect(ofType(run, T.block).map((b) => b.name).sort()).toEqual(["block-critical", "block-pager", "block-pagerP1"]);
    });
});
