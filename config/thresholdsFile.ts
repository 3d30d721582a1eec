import { existsSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { ThresholdsSource } from "./thresholds";

/**
 * Where a stack's thresholds file lives: `thresholds/<stack>.json` in the project, next to the stack files. The
 * PREFECT_ALERTING_THRESHOLDS_DIR environment variable points elsewhere (the e2e tests calibrate throw-away stacks
 * into a temporary folder rather than the repository).
 */
export function thresholdsPath(stack: string): string {
    const dir = process.env.PREFECT_ALERTING_THRESHOLDS_DIR ?? resolve(__dirname, "..", "thresholds");
    return join(dir, `${stack}.json`);
}

/** The file's text when it exists, with its path relative to the working folder for messages. */
export function readThresholdsFile(stack: string): ThresholdsSource | undefined {
    const path = thresholdsPath(stack);
    if (!existsSync(path)) return undefined;
    const shown = relative(process.cwd(), path);
    return { path: shown.startsWith("..") ? path : shown, text: readFileSync(path, "utf8") };
}
