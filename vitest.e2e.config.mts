import { defineConfig } from "vitest/config";

/**
 * The end-to-end suite: a real Prefect server (started once by the global
 * setup), the real program applied to it, real flows. `npm run test:e2e`.
 */
export default defineConfig({
    test: {
        include: ["tests/e2e/**/*.e2e.ts"],
        globalSetup: ["tests/e2e/globalSetup.ts"],
        // One process: the Pulumi runtime keeps global state, and the scenarios share one server.
        pool: "forks",
        maxWorkers: 1,
        fileParallelism: false,
        // Scenarios inside a file may run concurrently (describe.concurrent); at most this many at once on 2 cores.
        maxConcurrency: 4,
        testTimeout: 240_000,
        hookTimeout: 240_000,
        teardownTimeout: 30_000,
    },
});
