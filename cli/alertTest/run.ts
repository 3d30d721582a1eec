/**
 * Alert test: runs a deliberately failing flow against the stack's Prefect API,
 * tagged so that exactly the chosen routes match, then watches Prefect's own
 * automation events and reports, per automation and channel, whether the alert
 * fired and went out, with timings. Exit 0: every tested alert went out; 1: one
 * did not (not fired, or an action failed); 2: the test could not be run.
 *
 *   npm run alert-test -- local                       (warning tier, every route it watches; = npm run cli -- alert-test local)
 *   npm run alert-test -- prod --route dlt --tier critical   (pages someone)
 *   npm run alert-test -- path/to/Pulumi.<stack>.yaml --timeout 60
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../config/errors";
import { parseStackConfig } from "../../config/load";
import { readThresholdsFile } from "../../config/thresholdsFile";
import { offlineConfig } from "../../config/offline";
import { planAlerting } from "../../rules/plan";
import { ROOT, resolveStack } from "../stack";
import type { Options } from "./options";
import { Target, resolveTarget } from "./target";
import { PrefectClient } from "../prefectApi";
import { RunResult, WATCHED_EVENTS, allDone, assess, findOnServer, formatReport, progress } from "./report";
import { AlertTestError, TEST_MESSAGE, TestPlan, planAlertTest } from "./select";

const POLL_MS = 2000;

/** Exit 0: every tested alert went out; 1: one did not; 2: the test could not be run. */
export async function runAlertTest(opts: Options): Promise<number> {
    let test: TestPlan;
    let target: Target;
    let stack: string;
    try {
        const resolved = resolveStack(opts.target);
        stack = resolved.stack;
        const file = resolved.file;
        // The plan needs no secret values: the preview's stand-ins take their place (config/offline.ts).
        const cfg = parseStackConfig({ ...offlineConfig(stack, file).raw, thresholds: readThresholdsFile(stack) });
        const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
        test = planAlertTest(cfg, planAlerting(cfg), opts.tier, opts.routes, stamp);
        const endpoint = file.encrypted.includes("prefect:endpoint") ? process.env.PREFECT_API_URL : file.values["prefect:endpoint"];
        if (file.encrypted.includes("prefect:endpoint") && !endpoint)
            throw new AlertTestError("the stack's prefect:endpoint is encrypted: set PREFECT_API_URL to it");
        target = resolveTarget(
            endpoint,
            { accountId: file.values["prefect:accountId"], workspaceId: file.values["prefect:workspaceId"] },
            process.env,
        );
    } catch (e) {
        console.error(e instanceof ConfigError || e instanceof AlertTestError ? e.message : `alert-test: ${(e as Error).message}`);
        return 2;
    }

    printIntent(test, target);
    const client = new PrefectClient({ url: target.api, headers: target.headers });
    const prefix = `[${stack}] `;
    const ours = (await client.automations()).filter((a) => typeof a.name === "string" && a.name.startsWith(prefix));
    const found = findOnServer(test.expected, ours);
    const testable = found.filter((f) => f.expectation.tested && !f.problem);
    const blockNames: Record<string, string> = {};
    for (const f of found)
        for (const a of f.automation?.actions ?? [])
            if (a.block_document_id && !(a.block_document_id in blockNames))
                blockNames[a.block_document_id] = (await client.blockName(a.block_document_id)) ?? a.block_document_id;
    if (!testable.length) {
        console.log(formatReport(test, [], assess(found, [], []), false).join("\n"));
        console.log("Nothing ran: no tested automation can fire.");
        return 1;
    }

    // Events are stamped by the server; a few seconds' margin covers a clock that differs from this machine's.
    const since = new Date(Date.now() - 10_000);
    let runs: RunResult[];
    try {
        runs = await runFlows(test, target);
    } catch (e) {
        console.error(`alert-test: the test flow did not run: ${(e as Error).message}`);
        return 2;
    }
    const notFailed = runs.filter((r) => r.state !== "Failed");
    if (notFailed.length)
        console.error(`alert-test: runs that did not end Failed: ${notFailed.map((r) => `${r.flow_run_id} ${r.state}`).join(", ")}`);

    const deadline = Date.now() + opts.timeoutSeconds * 1000;
    const line = progressLine();
    let results = assess(found, runs, await client.events(watchedSince(since)), blockNames);
    while (!allDone(results) && Date.now() < deadline) {
        line(`waiting for Prefect's automation events, ${Math.ceil((deadline - Date.now()) / 1000)} s left: ${progress(results)}`);
        await new Promise((r) => setTimeout(r, POLL_MS));
        results = assess(found, runs, await client.events(watchedSince(since)), blockNames);
    }
    line(undefined);
    console.log(formatReport(test, runs, results, !allDone(results)).join("\n"));
    return results.some((r) => r.expectation.tested && !r.ok) || notFailed.length ? 1 : 0;
}

/** Prefect's automation events since `since`, oldest first (the events filter's body). */
const watchedSince = (since: Date) => ({ event: { name: WATCHED_EVENTS }, occurred: { since: since.toISOString() }, order: "ASC" });

function printIntent(test: TestPlan, target: Target): void {
    const out = [`Alert test of stack "${test.stack}" (tier ${test.tier}) against ${target.api}${target.cloud ? " (Prefect Cloud)" : ""}`];
    for (const r of test.runs)
        out.push(
            `  route ${r.route}: ${r.times} failing run(s) of flow "${r.flow}"${r.tags.length ? ` tagged ${r.tags.join(", ")}` : ""}` +
                ` ("${TEST_MESSAGE}")`,
        );
    for (const e of test.expected)
        out.push(
            `  expects ${e.automation.name} to fire ${e.firings}x -> ${e.automation.actions.map((a) => a.channel).join(", ")}` +
                (e.tested ? "" : " (fires too, not tested)"),
        );
    for (const n of test.notes) out.push(`  note: ${n}`);
    console.log(out.join("\n"));
}

/** cli/alertTest/flow.py in the project's .venv; one result line per run, a progress line per run on stderr. */
async function runFlows(test: TestPlan, target: Target): Promise<RunResult[]> {
    const python = join(ROOT, ".venv", "bin", "python");
    if (!existsSync(python)) throw new Error(`no ${python}: build it with bash scripts/e2e/ensure-venv.sh`);
    const spec = { message: TEST_MESSAGE, runs: test.runs };
    const total = test.runs.reduce((n, r) => n + r.times, 0);
    const line = progressLine();
    line(`running failing flow 1/${total}`);
    const child = spawn(python, [join(__dirname, "flow.py"), JSON.stringify(spec)], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, ...target.env, PREFECT_LOGGING_LEVEL: "WARNING", PYTHONUNBUFFERED: "1" },
    });
    const results: RunResult[] = [];
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const lines = out.split("\n");
        out = lines.pop()!;
        for (const l of lines.filter((x) => x.startsWith("{"))) {
            results.push(JSON.parse(l) as RunResult);
            if (results.length < total) line(`running failing flow ${results.length + 1}/${total}`);
        }
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((res, rej) => {
        child.once("error", rej);
        child.once("close", (c) => res(c));
    });
    line(undefined);
    if (code !== 0 || results.length !== total)
        throw new Error(`cli/alertTest/flow.py exited ${code} after ${results.length}/${total} runs\n${err.slice(-3000)}`);
    return results;
}

/** One line on stderr, rewritten in place on a terminal; elsewhere (CI logs) a plain line when it changes, at most every 10 s. */
function progressLine(): (text: string | undefined) => void {
    const tty = process.stderr.isTTY;
    let last = "";
    let lastAt = 0;
    return (text) => {
        if (text === undefined) {
            if (tty && last) process.stderr.write("\r\x1b[K");
            last = "";
            return;
        }
        if (tty) process.stderr.write(`\r\x1b[K${text}`);
        else if (text.replace(/\d+ s left/, "") !== last.replace(/\d+ s left/, "") || Date.now() - lastAt > 10_000) {
            process.stderr.write(`${text}\n`);
            lastAt = Date.now();
        }
        last = text;
    };
}
