import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prefectEnv, ROOT } from "./prefectServer";

export type FlowKind = "fail" | "fail_with" | "crash" | "timeout" | "flaky" | "stubborn" | "succeed";

export interface FlowSpec {
    kind: FlowKind;
    /** Flow name: distinct per scenario, so per-flow buckets and message lookups never mix. */
    name: string;
    tags?: string[];
    /** Runs of this flow, one after another. */
    times?: number;
    /** fail_with: the error message the run raises (ValueError), as is. */
    message?: string;
}

export interface FlowRunResult {
    name: string;
    kind: FlowKind;
    flow_run_id: string;
    /** Final state name as the client saw it: Failed, Crashed, TimedOut, Completed. */
    state: string;
    type: string;
    message: string | null;
}

/**
 * Runs tests/e2e/flows.py in the repo's .venv against the server at `api`
 * (PREFECT_API_URL), with a throwaway PREFECT_HOME. Resolves with one result
 * per flow run, in order.
 */
export async function runFlows(api: string, specs: FlowSpec[]): Promise<FlowRunResult[]> {
    const home = mkdtempSync(join(tmpdir(), "prefect-client-"));
    try {
        const child = spawn(join(ROOT, ".venv", "bin", "python"), [join(ROOT, "tests", "e2e", "flows.py"), JSON.stringify(specs)], {
            cwd: ROOT,
            stdio: ["ignore", "pipe", "pipe"],
            env: prefectEnv({ PREFECT_API_URL: api, PREFECT_HOME: home, PREFECT_LOGGING_LEVEL: "WARNING" }),
        });
        let out = "";
        let err = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (err += d.toString()));
        const code = await new Promise<number | null>((resolve, reject) => {
            child.once("error", reject);
            child.once("close", (c) => resolve(c));
        });
        if (code !== 0) throw new Error(`flows.py exited ${code} for ${JSON.stringify(specs)}\n${err.slice(-4000)}`);
        return out
            .split("\n")
            .filter((l) => l.startsWith("{"))
            .map((l) => JSON.parse(l) as FlowRunResult);
    } finally {
        rmSync(home, { recursive: true, force: true });
    }
}
