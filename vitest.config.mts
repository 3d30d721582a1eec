import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["tests/**/*.test.ts", "policy/tests/**/*.test.ts", "deploy/tests/**/*.test.ts"],
        // The end-to-end suite needs a Prefect server: vitest.e2e.config.mts runs it.
        exclude: ["tests/e2e/**", "**/node_modules/**"],
        // The Pulumi runtime keeps global state: each file runs in its own process.
        pool: "forks",
        testTimeout: 60_000,
        // Setup and cleanup run programs, spawn npm or remove installed trees: on a busy 2-core machine that takes
        // well over vitest's default 10 s, so no hook gets the default.
        hookTimeout: 120_000,
    },
});
