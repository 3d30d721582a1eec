import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["tests/**/*.test.ts", "policy/tests/**/*.test.ts", "deploy/tests/**/*.test.ts"],
        // The end-to-end suite needs a Prefect server: vitest.e2e.config.mts runs it.
        exclude: ["tests/e2e/**", "**/node_modules/**"],
        // The Pulumi runtime keeps global state: each file runs in its own process.
        pool: "forks",
        testTimeout: 60_000,
    },
});
