/**
 * Proposes per-deployment thresholds from history into a reviewed file the program reads.
 *
 *   npm run calibrate -- <stack | path/to/Pulumi.<stack>.yaml> [--runs 30] [--out thresholds/<stack>.json]
 *
 * Which deployments: those the stack's routes select (the routes its enabled tiers watch, and slowRuns' own), read by
 * the program's own config parser (no secret is needed). Where from: the same API the report reads
 * (cli/report/endpoint.ts: PREFECT_API_URL, else the stack's prefect:endpoint, else Prefect Cloud).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Command } from "commander";
import { parseStructure } from "../../config/load";
import { sectionOf } from "../../config/model";
import { offlineConfig } from "../../config/offline";
import { thresholdsPath } from "../../config/thresholdsFile";
import { slowRuns } from "../../signals/slowRuns";
import { UsageError } from "../command";
import { PrefectClient } from "../prefectApi";
import { apiReadFailed, resolveApi } from "../report/endpoint";
import { watchedRoutes } from "../report/watched";
import { TARGET_HELP, resolveStack } from "../stack";
import { collectSamples } from "./collect";
import { stableJson, summary, thresholdsFile } from "./file";
import { DURATION_RULE } from "./stats";

export interface CalibrateArgs {
    stackArg: string;
    runs: number;
    out?: string;
}

export function calibrateCommand(): Command {
    return new Command("calibrate")
        .description("Propose per-deployment thresholds (slowRuns' limits) from each watched deployment's completed runs.")
        .argument("[stack]", TARGET_HELP)
        .option("--runs <n>", `the last N completed runs per deployment (${DURATION_RULE.minRuns} to 1000)`, "30")
        .option("--out <file>", "where to write (default thresholds/<stack>.json, which the program reads)")
        .allowExcessArguments(true);
}

/** The parsed values, checked (pure). */
export function checkCalibrateArgs(args: string[], values: { runs: string; out?: string }): CalibrateArgs {
    if (args.length !== 1) throw new UsageError("name one stack (dev, prod, local) or a stack file");
    const runs = Number(values.runs);
    if (!/^\d+$/.test(values.runs ?? "") || runs < DURATION_RULE.minRuns || runs > 1000)
        throw new UsageError(`--runs expects a whole number from ${DURATION_RULE.minRuns} to 1000, got "${values.runs}"`);
    if (values.out === "") throw new UsageError("--out expects a file name");
    return { stackArg: args[0], runs, out: values.out };
}

/** Exit 0: the file was written; 1: the stack or the Prefect API failed. */
export async function runCalibrate(args: CalibrateArgs): Promise<number> {
    try {
        const { stack, file } = resolveStack(args.stackArg);
        const cfg = parseStructure(offlineConfig(stack, file).raw);
        const slow = sectionOf(cfg, slowRuns.settings);
        const names = new Set([...watchedRoutes(cfg).map((r) => r.name), ...(slow.enabled ? (slow.routes ?? []) : [])]);
        const routes = cfg.routes.filter((r) => names.has(r.name));
        const client = new PrefectClient(resolveApi(stack, file.values, process.env));
        const content = thresholdsFile(stack, args.runs, await collectSamples(client, routes, args.runs));
        const out = args.out ?? thresholdsPath(stack);
        mkdirSync(dirname(out), { recursive: true });
        writeFileSync(out, stableJson(content));
        console.log(`Thresholds of stack "${stack}" from the last ${args.runs} completed runs per deployment, written to ${out}:`);
        for (const line of summary(content)) console.log(line);
        console.log("Review the file and commit it: the preview and `pulumi up` read it.");
        return 0;
    } catch (e) {
        return apiReadFailed(e);
    }
}
