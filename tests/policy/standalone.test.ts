import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

/**
 * The policy pack stands alone, for real: policy/ copied without its
 * node_modules into an empty folder passes `npm ci && npm test` there (its own
 * lockfile, its own typecheck and tests). That is what `pulumi policy publish`
 * relies on: it uploads that folder only. Needs the npm registry, or a warm
 * npm cache (--prefer-offline).
 */

const run = promisify(execFile);
const POLICY = join(__dirname, "..", "..", "policy");
const dir = mkdtempSync(join(tmpdir(), "policy-standalone-"));
const pack = join(dir, "policy");

/** The outer `npm test` and vitest set npm_* and VITEST* variables; the copy must not inherit them (npm reads npm_config_*). */
const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|VITEST)/i.test(k))),
    NO_COLOR: "1",
    FORCE_COLOR: "0",
};

async function npm(args: string[]): Promise<string> {
    try {
        return (await run("npm", args, { cwd: pack, env, maxBuffer: 64 * 1024 * 1024 })).stdout;
    } catch (e) {
        const { stdout = "", stderr = "" } = e as { stdout?: string; stderr?: string };
        throw new Error(`npm ${args.join(" ")} failed in ${pack}:\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`, { cause: e });
    }
}

// Removing an installed node_modules takes well over vitest's default 10 s hook timeout on a busy 2-core machine.
afterAll(() => rmSync(dir, { recursive: true, force: true }), 120_000);

describe("policy/ copied alone", () => {
    it("passes npm ci && npm test in an empty folder", { timeout: 300_000 }, async () => {
        cpSync(POLICY, pack, { recursive: true, filter: (src) => basename(src) !== "node_modules" });
        expect(existsSync(join(pack, "node_modules"))).toBe(false);
        await npm(["ci", "--no-audit", "--no-fund", "--prefer-offline"]);
        // Installed from the pack's own lockfile, into the copy.
        expect(existsSync(join(pack, "node_modules", "@pulumi", "policy", "package.json"))).toBe(true);
        const out = await npm(["test"]);
        // Every test file of the pack ran there, and passed.
        const files = readdirSync(join(pack, "tests")).filter((f) => f.endsWith(".test.ts")).length;
        expect(files).toBeGreaterThan(0);
        expect(out).toMatch(new RegExp(`Test Files\\s+${files} passed \\(${files}\\)`));
    });
});
