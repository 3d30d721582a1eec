import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { parseStackConfig } from "../config/load";
import { planAlerting } from "../rules/plan";
import { runStack } from "./helpers/program";
import { ROOT, stackConfig } from "./helpers/stacks";

/**
 * What must not change by accident, pinned against committed files:
 * - every resource's URN (type, name, parent chain) of the committed stacks: `pulumi up` turns a new URN into
 *   delete + create, and a deleted automation is a gap in alerting;
 * - the plan (triggers, messages, channels, incidents of every automation) as JSON: a refactor that moves code
 *   must leave it byte-identical.
 * Both change only on purpose: `UPDATE_PINS=1 npx vitest run tests/pins.test.ts` rewrites them, and the diff is
 * reviewed with the change.
 */

const DIR = join(ROOT, "tests", "pins");
const STACKS = ["dev", "prod", "local"];
const update = process.env.UPDATE_PINS === "1";

function pinned(file: string, actual: string): void {
    const path = join(DIR, file);
    if (update || !existsSync(path)) {
        mkdirSync(DIR, { recursive: true });
        writeFileSync(path, actual);
        if (!update) throw new Error(`${file} was missing and is now written: commit it, then run the tests again`);
    }
    expect(actual, `${file} differs: a renamed resource is delete + create; update on purpose with UPDATE_PINS=1`).toBe(
        readFileSync(path, "utf8"),
    );
}

describe("pinned URNs and plans of the committed stacks", () => {
    it.each(STACKS)("%s: every URN as committed", async (stack) => {
        vi.resetModules();
        const run = await runStack(stack);
        pinned(
            `${stack}.urns.txt`,
            `${run.resources
                .map((r) => r.urn)
                .sort()
                .join("\n")}\n`,
        );
    });

    it.each(STACKS)("%s: the plan as committed", (stack) => {
        // The plan's clock (mute timers' waits, the windows' states) is not part of what it means: a fixed one.
        const cfg = parseStackConfig({ ...stackConfig(stack), now: new Date("2026-12-01T00:00:00Z") });
        const plan = planAlerting(cfg);
        pinned(`${stack}.plan.json`, `${JSON.stringify(plan, null, 2)}\n`);
    });
});
