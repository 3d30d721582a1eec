import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The README promises two commands that work verbatim on a fresh clone, and CI
 * must run exactly the test command, nothing the README does not say.
 */
const ROOT = resolve(__dirname, "..");
const read = (p: string) => readFileSync(resolve(ROOT, p), "utf8");

/** The code block under "## Two commands …", comments stripped, as the fresh-clone check reads it. */
export function readmeCommands(readme: string): string[] {
    const section = readme.split(/^## /m).find((s) => /^[^\n]*two commands/i.test(s));
    if (!section) return [];
    const block = section.match(/```[^\n]*\n([\s\S]*?)```/);
    return (block?.[1] ?? "")
        .split("\n")
        .map((l) => l.replace(/\s#.*$/, "").trim())
        .filter(Boolean);
}

describe("the README's two commands", () => {
    const commands = readmeCommands(read("README.md"));

    it("are two: the offline preview and the tests", () => {
        expect(commands).toHaveLength(2);
        expect(commands[0]).toMatch(/npm run preview -- \w+/);
        expect(commands[1]).toMatch(/npm test$/);
    });

    it(".ci/run runs the test command verbatim and installs nothing else", () => {
        const steps = read(".ci/run")
            .split("\n")
            .map((l) => l.trim())
            .filter((l) => l && !l.startsWith("#") && !/^(set |cd |start=|echo )/.test(l));
        expect(steps).toEqual([commands[1]]);
    });

    it("one npm ci installs the policy pack's dependencies too (npm workspaces)", () => {
        const pkg = JSON.parse(read("package.json"));
        expect(pkg.workspaces).toContain("policy");
        const lock = JSON.parse(read("package-lock.json"));
        expect(lock.packages["policy"]?.dependencies?.["@pulumi/policy"]).toBeDefined();
        expect(lock.packages["node_modules/prefect-alerting-policy"]?.link).toBe(true);
    });
});
