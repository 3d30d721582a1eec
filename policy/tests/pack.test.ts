import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { policies } from "../policies";

/** What CrossGuard checks when it starts serving the pack (server.js `serve`), and what the README promises. */
describe("the pack", () => {
    it("has valid, unique policy names and a description and level for each", () => {
        const names = policies.map((p) => p.name);
        expect(new Set(names).size).toBe(names.length);
        for (const p of policies) {
            expect(p.name).toMatch(/^[a-zA-Z0-9-_.]{1,100}$/);
            expect(p.name).not.toBe("all");
            expect(p.description.length).toBeGreaterThan(40);
            expect(["advisory", "mandatory"]).toContain(p.enforcementLevel);
        }
    });

    it("keeps enforcementLevel out of every config schema and gives each setting a default or an explanation", () => {
        for (const p of policies.filter((x) => x.configSchema)) {
            expect(p.configSchema!.properties).not.toHaveProperty("enforcementLevel");
            expect(p.configSchema!.required ?? []).not.toContain("enforcementLevel");
            for (const [key, schema] of Object.entries(p.configSchema!.properties))
                expect(schema.description, `${p.name}.${key}`).toBeTruthy();
        }
    });

    it("documents every policy, its level and its config in the README", () => {
        const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
        for (const p of policies) {
            const row = readme.split("\n").find((line) => line.startsWith(`| \`${p.name}\``));
            expect(row, p.name).toBeDefined();
            expect(row).toContain(p.enforcementLevel);
            for (const key of Object.keys(p.configSchema?.properties ?? {})) expect(readme, `${p.name}.${key}`).toContain(`\`${key}\``);
        }
    });

    it("declares exactly the policies, at exactly the levels, that the README's policy table lists", () => {
        const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
        const section = readme.slice(readme.indexOf("## The policies"), readme.indexOf("### Per-policy config"));
        const table = section
            .split("\n")
            .map((line) => /^\| `([^`]+)` \| (mandatory|advisory) \|/.exec(line))
            .filter((m): m is RegExpExecArray => m !== null)
            .map((m) => [m[1], m[2]]);
        const pack = policies.map((p) => [p.name, p.enforcementLevel]);
        expect([...pack].sort()).toEqual([...table].sort());
        // The summary line under the table counts the same.
        const mandatory = pack.filter(([, level]) => level === "mandatory").length;
        const advisory = pack.filter(([, level]) => level === "advisory").length;
        expect(section).toContain(`${mandatory} mandatory, ${advisory} advisory.`);
    });

    it("makes mandatory what a real provider or server would refuse or silently change", () => {
        const level = (name: string) => policies.find((p) => p.name === name)?.enforcementLevel;
        for (const name of [
            "trigger-threshold-within-set",
            "proactive-within-minimum",
            "automation-trigger-shape",
            "pagerduty-alert-creation",
            "escalation-delay-whole-minutes",
        ])
            expect(level(name), name).toBe("mandatory");
    });
});
