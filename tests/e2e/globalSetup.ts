import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { Postgres, e2eDatabase, startPostgres } from "./postgres";
import { PrefectServer, startPrefectServer } from "./prefectServer";

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
        await server?.stop();
        server = undefined;
        await postgres?.stop();
        postgres = undefined;
    };
    const t0 = Date.now();
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
