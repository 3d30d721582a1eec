import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { JOURNAL_ENV } from "./automationJournal";
import { historyReport } from "./historyReport";
import { Postgres, e2eDatabase, startPostgres } from "./postgres";
import { LOG_DIR, PrefectServer, startPrefectServer } from "./prefectServer";

declare module "vitest" {
    export interface ProvidedContext {
        /** The suite's Prefect server: base URL (also the UI URL) and API URL. */
        prefect: { url: string; apiUrl: string; logFile: string };
    }
}

let server: PrefectServer | undefined;
let postgres: Postgres | undefined;

/**
 * Starts one Prefect server for the whole suite, on its own throwaway PostgreSQL
 * (production's database; E2E_DB=sqlite for a quicker local run on Prefect's
 * default SQLite). The returned teardown stops both (vitest runs it on failure too).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
    const teardown = async () => {
        if (server) await reportHistory(server.apiUrl);
        await server?.stop();
        server = undefined;
        await postgres?.stop();
        postgres = undefined;
    };
    const t0 = Date.now();
    // The automations journal (automationJournal.ts): set before the test workers start, so that they inherit it.
    mkdirSync(LOG_DIR, { recursive: true });
    writeFileSync(JOURNAL_FILE, "");
    process.env[JOURNAL_ENV] = JOURNAL_FILE;
    try {
        const env: Record<string, string> = {};
        if (e2eDatabase(process.env.E2E_DB) === "postgres") {
            // A throwaway cluster: durability buys nothing here and costs the shared cores time.
            const settings = { fsync: "off", synchronous_commit: "off", full_page_writes: "off" };
            postgres = await startPostgres({ label: "e2e", settings });
            env.PREFECT_API_DATABASE_CONNECTION_URL = postgres.connectionUrl;
            env.PREFECT_SERVER_ENCRYPTION_KEY = fernetKey();
        }
        server = await startPrefectServer({ label: "e2e", env });
    } catch (e) {
        await teardown();
        throw e;
    }
    const db = postgres ? `PostgreSQL on 127.0.0.1:${postgres.port}` : "SQLite";
    const took = ((Date.now() - t0) / 1000).toFixed(1);
    console.log(`[e2e] Prefect server ${server.url} on ${db} healthy after ${took} s (log: ${server.logFile})`);
    project.provide("prefect", { url: server.url, apiUrl: server.apiUrl, logFile: server.logFile });
    return teardown;
}

/** Kept in .e2e/ (gitignored) after the run, next to the server's log. */
const JOURNAL_FILE = join(LOG_DIR, "automation-journal.jsonl");
const HISTORY_FILE = join(LOG_DIR, "history-report.txt");
const REPORT_LIMIT_MS = 15_000;

/**
 * Predicted vs actual per automation over the whole run (historyReport.ts), printed to the CI log and kept in
 * .e2e/history-report.txt. A report: whatever it finds or fails on, the suite's result is the tests'.
 */
async function reportHistory(apiUrl: string): Promise<void> {
    const t0 = Date.now();
    // vitest exits the process if closing takes past `teardownTimeout` (30 s): the server and PostgreSQL must be
    // stopped within it, so the report gives up first on a server that has become too slow to read.
    const giveUp = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`gave up after ${REPORT_LIMIT_MS / 1000} s`)), REPORT_LIMIT_MS).unref(),
    );
    try {
        const text = await Promise.race([historyReport(apiUrl, JOURNAL_FILE, HISTORY_FILE), giveUp]);
        console.log(`${text}\n[e2e history] report took ${((Date.now() - t0) / 1000).toFixed(1)} s; kept in ${HISTORY_FILE}`);
    } catch (e) {
        console.log(`[e2e history] no report: ${(e as Error).message}`);
    }
}

/**
 * A fresh Fernet key for the server's block secrets. Without one, Prefect makes
 * its key on the first secret it stores, by reading then writing a configuration
 * row (prefect/server/utilities/encryption.py): on PostgreSQL, the first block
 * documents created in parallel race for it and all but one get 409
 * (uq_configuration__key), as seen here. SQLite serialises the writes.
 */
function fernetKey(): string {
    return randomBytes(32).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}
