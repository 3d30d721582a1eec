import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["tests/**/*.test.ts", "policy/tests/**/*.test.ts"],
        // The Pulumi runtime keeps global state: each file runs in its own process.
        pool: "forks",
        testTimeout: 60_000,
    },
});
