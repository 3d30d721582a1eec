import { defineConfig } from "vitest/config";

// The pack's own suite (`npm test` in policy/, standalone). From the repository root,
// the root's vitest config runs these files too, with the program's tests.
export default defineConfig({
    test: {
        include: ["tests/**/*.test.ts"],
        exclude: ["**/node_modules/**"],
        pool: "forks",
        testTimeout: 60_000,
        // No hook gets vitest's default 10 s: a busy 2-core machine is slower than that.
        hookTimeout: 120_000,
    },
});
