import type { TestProject } from "vitest/node";
import { PrefectServer, startPrefectServer } from "./prefectServer";

declare module "vitest" {
    export interface ProvidedContext {
        /** The suite's Prefect server: base URL (also the UI URL) and API URL. */
        prefect: { url: string; apiUrl: string; logFile: string };
    }
}

let server: PrefectServer | undefined;

/** Starts one Prefect server for the whole suite; the returned teardown stops it (vitest runs it on failure too). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
    const t0 = Date.now();
    server = await startPrefectServer({ label: "e2e" });
    console.log(`[e2e] Prefect server ${server.url} healthy after ${((Date.now() - t0) / 1000).toFixed(1)} s (log: ${server.logFile})`);
    project.provide("prefect", { url: server.url, apiUrl: server.apiUrl, logFile: server.logFile });
    return async () => {
        await server?.stop();
        server = undefined;
    };
}
