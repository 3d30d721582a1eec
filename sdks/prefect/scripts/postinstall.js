// Builds this local SDK: compiles the TypeScript sources into ./bin and copies
// package.json next to them (utilities.getVersion() reads ./package.json from bin).
// The TypeScript compiler is resolved from this directory upwards, so a project-level
// `typescript` install is used when the SDK has no node_modules of its own.
"use strict";

const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const sdkDir = path.resolve(__dirname, "..");

function resolveTsc() {
    try {
        return require.resolve("typescript/bin/tsc", { paths: [sdkDir] });
    } catch (e) {
        throw new Error(
            "@pulumi/prefect: cannot find the TypeScript compiler; install `typescript` in the project " +
            "that depends on this SDK (searched upwards from " + sdkDir + ")");
    }
}

execFileSync(process.execPath, [resolveTsc(), "-p", sdkDir, "--types", "node"], {
    cwd: sdkDir,
    stdio: "inherit",
});
fs.copyFileSync(path.join(sdkDir, "package.json"), path.join(sdkDir, "bin", "package.json"));
