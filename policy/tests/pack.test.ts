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
            for (const [key, schema] of Object.entries(p.configSchema!.properties)) expect(schema.description, `${p.name}.${key}`).toBeTruthy();
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

    it("counts", () => {
        expect(policies.filter((p) => p.enforcementLevel === "mandatory").length).toBeGreaterThanOrEqual(14);
        expect(policies.filter((p) => p.enforcementLevel === "advisory").length).toBeGreaterThanOrEqual(4);
    });
});
