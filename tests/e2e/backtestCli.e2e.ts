import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { PROJECT } from "../../config/load";
import { checkHtml } from "../helpers/htmlCheck";
import { LOG_DIR, ROOT } from "./prefectServer";
import { FlowRunResult, runFlows } from "./runFlows";

/**
 * `npm run backtest` against the real server: a few seeded runs (real flows, real state history), then the command on
 * two stack files that differ only in `critical.threshold` (2 and 3), with --against, --json and --html. The counts are
 * known from the seeds: every final failure warns once; a flow that fails twice within the hour is critical at
 * threshold 2, one that fails three times is critical at both. The stacks are not applied: the backtest reads the
 * history, not the automations (the engine's own differential suite compares it with what Prefect fired).
 */

const { apiUrl } = inject("prefect");
const TAG = "backtest-cli-e2e";
const TWICE = "e2e-backtest-twice";
const THRICE = "e2e-backtest-thrice";
const CRASHY = "e2e-backtest-crashy";
const FINE = "e2e-backtest-fine";

function stackFile(dir: string, name: string, threshold: number): string {
    const settings: Record<string, unknown> = {
        channels: { alerts: { type: "webhook" }, critical: { type: "webhook" } },
        routes: { btE2e: { tags: [TAG] } },
        warning: { enabled: true, channels: ["alerts"] },
        successNotice: { enabled: false },
        critical: { enabled: true, channels: ["critical"], threshold, windowHours: 1 },
        p1: { enabled: false },
    };
    const config: Record<string, unknown> = { "prefect:endpoint": apiUrl, [`${PROJECT}:environment`]: "development" };
    for (const [key, value] of Object.entries(settings)) config[`${PROJECT}:${key}`] = value;
    const path = join(dir, name, "Pulumi.backtest.yaml");
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(path, stringify({ config }));
    return path;
}

let dir: string;
let seeded: FlowRunResult[];

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "backtest-e2e-"));
    const tags = [TAG];
    seeded = await runFlows(apiUrl, [
        { kind: "fail", name: THRICE, tags, times: 3 },
        { kind: "fail", name: TWICE, tags, times: 2 },
        { kind: "crash", name: CRASHY, tags },
        { kind: "succeed", name: FINE, tags },
        // Not on the route: nothing of it may count.
        { kind: "fail", name: "e2e-backtest-untagged", tags: ["not-watched"] },
    ]);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function backtest(args: string[]): Promise<string> {
    const env = { ...process.env };
    delete env.PREFECT_API_URL;
    delete env.PREFECT_API_KEY;
    const { stdout } = await promisify(execFile)(
        join(ROOT, "node_modules", ".bin", "tsx"),
        [join(ROOT, "cli", "index.ts"), "backtest", ...args],
        {
            cwd: ROOT,
            env,
            timeout: 180_000,
            maxBuffer: 32 * 1024 * 1024,
        },
    );
    return stdout;
}

describe("npm run backtest against the real server", () => {
    it("seeded: the runs ended as their kinds say", () => {
        expect(seeded.map((r) => r.state)).toEqual(["Failed", "Failed", "Failed", "Failed", "Failed", "Crashed", "Completed", "Failed"]);
    });

    it("--against --json: 6 warnings on both; critical 2 at threshold 2, 1 at 3; the difference is the twice-failing flow", async () => {
        const two = stackFile(dir, "two", 2);
        const three = stackFile(dir, "three", 3);
        const html = join(dir, "backtest.html");
        const out = JSON.parse(await backtest([two, "--against", three, "--days", "1", "--json", "--html", html]));
        const firings = (s: any) => Object.fromEntries(s.automations.map((a: any) => [a.key, [a.firings, a.messages, a.pages]]));
        expect(firings(out.before)).toEqual({ "warning-btE2e": [6, 6, 0], "critical-btE2e": [2, 2, 0] });
        expect(firings(out.after)).toEqual({ "warning-btE2e": [6, 6, 0], "critical-btE2e": [1, 1, 0] });
        const flows = (s: any) => Object.fromEntries(s.flows.map((f: any) => [f.key, f.messages]));
        expect(flows(out.before)).toEqual({ [THRICE]: 4, [TWICE]: 3, [CRASHY]: 1 });
        expect(out.diff.automations.map((r: any) => [r.key, r.before.messages, r.after.messages])).toEqual([["critical-btE2e", 2, 1]]);
        expect(out.diff.flows.map((r: any) => [r.key, r.before.messages, r.after.messages])).toEqual([[TWICE, 3, 2]]);
        expect(out.diff.channels.map((r: any) => [r.key, r.before.messages, r.after.messages])).toEqual([["critical", 2, 1]]);
        expect(checkHtml(readFileSync(html, "utf8")).problems).toEqual([]);
    });

    it("the text and the Markdown difference on stdout", async () => {
        const stdout = await backtest([stackFile(dir, "two", 2), "--against", stackFile(dir, "three", 3), "--days", "1"]);
        expect(stdout).toMatch(/^### Backtest: .*three.* against .*two.*, \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d \(1 day, UTC\)\n/);
        expect(stdout).toMatch(/^Backtest of stack .*two.*: \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d \(1 day, UTC\), \d+ events from /m);
        expect(stdout).toMatch(/^8 firings: 8 messages \(8\.0\/day\), 0 pages/m);
        expect(stdout).toContain("| critical-btE2e | 2 → 1 (-1) | 0 | 0 | 0 |");
        expect(stdout).toContain(`| ${TWICE} | 3 → 2 (-1) | 0 | 0 | 0 |`);
        expect(stdout).not.toContain("e2e-backtest-untagged");
        // Kept with the suite's other artifacts, to look at.
        mkdirSync(LOG_DIR, { recursive: true });
        writeFileSync(join(LOG_DIR, "backtest.md"), stdout);
    });
});
