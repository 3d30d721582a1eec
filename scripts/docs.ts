/**
 * Rewrites the generated part of docs/configuration.md (config/reference.ts): `npm run docs`. `--check` only
 * says whether the file is current (exit 1 when not); tests/docs.test.ts does the same in `npm test`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { withReference } from "../config/reference";
import { PROJECT } from "../config/load";

const file = join(__dirname, "..", "docs", "configuration.md");
const now = readFileSync(file, "utf8");
const next = withReference(now, PROJECT);
if (process.argv.includes("--check")) {
    console.log(now === next ? "docs/configuration.md is current" : "docs/configuration.md is stale: run npm run docs");
    process.exit(now === next ? 0 : 1);
}
writeFileSync(file, next);
console.log(now === next ? "docs/configuration.md was current" : "docs/configuration.md rewritten");
