import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { PROJECT } from "../../config/load";
import type { Applied } from "./applyToPrefect";
import { OwnStack, OwnStackSpec, applyOwnStack } from "./ownStack";
import { events, prefectRequest } from "./prefectApi";
import { ROOT, prefectEnv } from "./prefectServer";
import { Receiver } from "./receiver";

/**
 * `npm run alert-test` against the real server (issue 12, item 1), as the real
 * command in a child process, given a stack file by path. Two small stacks of
 * its own, each on a tag no other scenario uses:
 * - `alerttest`: the warning tier sends to three channels: `good` (the receiver
 *   answers 200), `broken` (it answers 500) and `gone` (its block was deleted
 *   after the apply, as someone cleaning up the UI might). The test must exit 1
 *   and say which channel delivered and which did not.
 * - `alerttestok`: warning and critical (threshold 2) to channels that answer
 *   200; `--tier all` runs the flow twice and must exit 0.
 * The flows really run (cli/alertTest/flow.py in .venv); nothing of Prefect is mocked.
 */

const { apiUrl } = inject("prefect");

const BROKEN_STACK = "alerttest";
const BROKEN: OwnStackSpec = {
    stack: BROKEN_STACK,
    channels: {
        good: { type: "webhook", description: "loopback receiver, answers 200" },
        broken: { type: "webhook", description: "loopback receiver, answers 500" },
        gone: { type: "webhook", description: "its block is deleted after the apply" },
    },
    routes: { alertTestE2e: { tags: ["alert-test-e2e"] } },
    sections: { warning: { enabled: true, channels: ["good", "broken", "gone"] } },
};
const OK_STACK = "alerttestok";
const OK: OwnStackSpec = {
    stack: OK_STACK,
    channels: {
        okAlerts: { type: "webhook", description: "loopback receiver, answers 200" },
        okPager: { type: "webhook", description: "loopback receiver, answers 200" },
    },
    routes: { alertTestOk: { tags: ["alert-test-e2e-ok"] } },
    sections: {
        warning: { enabled: true, channels: ["okAlerts"] },
        critical: { enabled: true, channels: ["okPager"], threshold: 2, windowHours: 1 },
    },
};

let receiver: Receiver;
let dir: string;
const files: Record<string, string> = {};
const applied: Record<string, Applied> = {};
const stacks: OwnStack[] = [];

/** The stack file the command reads: the same project keys the stack was applied with, and the server as prefect:endpoint. */
function writeStackFile(stack: string, config: Record<string, unknown>): string {
    const file = join(dir, `Pulumi.${stack}.yaml`);
    const keys = Object.fromEntries(Object.entries(config).map(([k, v]) => [`${PROJECT}:${k}`, v]));
    writeFileSync(file, stringify({ config: { "prefect:endpoint": apiUrl, [`${PROJECT}:environment`]: "development", ...keys } }));
    return file;
}

/** Both stacks deliver to the one receiver this file started. */
async function apply(spec: OwnStackSpec): Promise<void> {
    const own = await applyOwnStack({ ...spec, receiver });
    stacks.push(own);
    applied[spec.stack] = own.applied;
    files[spec.stack] = writeStackFile(spec.stack, own.settings);
}

/** `npx tsx cli/index.ts alert-test <args>` with no PREFECT_* from this environment; stderr is not a TTY here. */
async function alertTest(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(join(ROOT, "node_modules", ".bin", "tsx"), [join(ROOT, "cli", "index.ts"), "alert-test", ...args], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
        env: prefectEnv({}),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
        child.once("error", reject);
        child.once("close", resolve);
    });
    return { code, stdout, stderr };
}

const about = (automationId: string) => (e: { resource: Record<string, string> }) =>
    e.resource["prefect.resource.id"] === `prefect.automation.${automationId}`;

beforeAll(async () => {
    receiver = await Receiver.start();
    receiver.status.set("/broken", 500);
    dir = mkdtempSync(join(tmpdir(), "alert-test-e2e-"));
    await apply(BROKEN);
    const gone = applied[BROKEN_STACK].blocks.find((b) => b.sent.name === `${BROKEN_STACK}-gone`)!;
    await prefectRequest(apiUrl, "DELETE", `/block_documents/${gone.id}`);
    await apply(OK);
});

afterAll(async () => {
    for (const own of stacks) await own.cleanup();
    await receiver?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("npm run alert-test against the real server", () => {
    it("a channel answering 500 and one whose block is gone: each channel reported, exit 1; the good one got the test alert", async () => {
        const since = new Date(Date.now() - 5_000);
        const { code, stdout, stderr } = await alertTest(files[BROKEN_STACK], "--timeout", "45");
        const name = `[${BROKEN_STACK}] Pipeline failed (alertTestE2e)`;
        expect(stdout).toContain(`expects ${name} to fire 1x -> good, broken, gone`);
        expect(stdout).toMatch(/route alertTestE2e: 1 failing run\(s\) of flow "alert-test-alertTestE2e-\d{14}" tagged alert-test-e2e/);
        expect(stdout).toMatch(/fired 1\/1; triggered \d+ ms after the failure/);
        expect(stdout).toMatch(/#1 good \(block alerttest-good\): delivered \d+ ms\n/);
        expect(stdout).toMatch(/#2 broken \(block alerttest-broken\): NOT DELIVERED: Prefect recorded no outcome/);
        expect(stdout).toMatch(/#3 gone \(block [0-9a-f-]{36}\): FAILED \d+ ms: Unexpected status from 'send-notification' action: 404/);
        expect(stdout).toContain(`FAILED: 1 of 1 tested automation(s) did not get every alert out: ${name}`);
        expect(code).toBe(1);
        // The progress line, as plain lines (stderr is not a terminal here).
        expect(stderr).toMatch(/waiting for Prefect's automation events, \d+ s left: fired 1\/1, delivered 1\/3, failed 1\n/);

        // What the report rests on, from the server and the receiver themselves.
        const [good] = receiver.on("/good");
        expect(good.json?.subject).toMatch(/^Pipeline failed: alert-test-alertTestE2e-\d{14} \(Failed\)$/);
        expect(good.json?.body).toContain("ALERT TEST: deliberate failure, no action needed (route alertTestE2e, run 1/1)");
        expect(receiver.on("/broken").length).toBeGreaterThanOrEqual(1);
        const automation = applied[BROKEN_STACK].automations.find((a) => a.name === "warning-alertTestE2e")!.id;
        const outcomes = (await events(apiUrl, ["prefect.automation.action.executed", "prefect.automation.action.failed"], since)).filter(
            about(automation),
        );
        expect(outcomes.map((e) => [e.payload.action_index, e.event]).sort()).toEqual([
            [0, "prefect.automation.action.executed"],
            [2, "prefect.automation.action.failed"],
        ]);
        // Prefect 3.9 records nothing for the 500: the custom-webhook block raises an HTTPStatusError past the action.
    });

    it("every channel delivers: --tier all fails the flow threshold (2) times, warning 2x and critical 1x delivered, exit 0", async () => {
        const { code, stdout } = await alertTest(files[OK_STACK], "--tier", "all", "--timeout", "90");
        expect(stdout).toMatch(/route alertTestOk: 2 failing run\(s\) of flow "alert-test-alertTestOk-\d{14}" tagged alert-test-e2e-ok/);
        expect(stdout).toMatch(/\[alerttestok\] Pipeline failed \(alertTestOk\) {2}\[warning\].*\n {2}fired 2\/2/);
        expect(stdout).toMatch(/\[alerttestok\] CRITICAL repeated failures \(alertTestOk\) {2}\[critical\].*\n {2}fired 1\/1/);
        expect(stdout).toMatch(/#1 okAlerts \(block alerttestok-ok-alerts\): delivered \d+ ms; delivered \d+ ms\n/);
        expect(stdout).toMatch(/#1 okPager \(block alerttestok-ok-pager\): delivered \d+ ms\n/);
        expect(stdout).toContain("OK: every tested alert went out (fired 3/3, delivered 3/3).");
        expect(code).toBe(0);
        expect(receiver.on("/okAlerts", "ALERT TEST")).toHaveLength(2);
        expect(receiver.on("/okPager")).toHaveLength(1);
    });

    it("a critical test on a stack whose critical tier is off: refused before anything runs, exit 2", async () => {
        const before = receiver.requests.length;
        const { code, stderr } = await alertTest(files[BROKEN_STACK], "--tier", "critical");
        expect(stderr).toContain(`the critical tier of stack "${BROKEN_STACK}" is off or watches no route: nothing to test`);
        expect(code).toBe(2);
        expect(receiver.requests.length).toBe(before);
    });
});
