/**
 * Health report of a stack's watched flows and of its alerts, from the Prefect API.
 *
 *   npm run report -- <stack | path/to/Pulumi.<stack>.yaml> [--days 7] [--html report.html]
 *
 * Which runs: those the stack's enabled tiers watch (its routes, read by the
 * program's own config parser; no secret is needed). Where from: PREFECT_API_URL,
 * else the stack's prefect:endpoint, else Prefect Cloud from its account and
 * workspace ids; PREFECT_API_KEY for Prefect Cloud (cli/report/endpoint.ts).
 */
import { writeFileSync } from "node:fs";
import { Command } from "commander";
import { parseStructure } from "../../config/load";
import { offlineConfig } from "../../config/offline";
import { parseQuietly, UsageError } from "../command";
import { TARGET_HELP, resolveStack } from "../stack";
import { periodOf } from "./aggregate";
import { collectReport } from "./collect";
import { apiReadFailed, resolveApi } from "./endpoint";
import { renderHtml } from "./html";
import { renderText } from "./text";
import { watchedRoutes } from "./watched";

export interface ReportArgs {
    stackArg: string;
    days: number;
    html?: string;
}

/** The `report` subcommand's arguments and options (no action: cli/index.ts adds it). */
export function reportCommand(): Command {
    return new Command("report")
        .description("Health report of the stack's watched flows and of its alerts, read from the Prefect API.")
        .argument("[stack]", TARGET_HELP)
        .option("--days <n>", "the period, in whole days (1 to 366)", "7")
        .option("--html <file>", "also write the report as a self-contained HTML page")
        .allowExcessArguments(true);
}

/** The parsed values, checked (pure). */
export function checkReportArgs(args: string[], values: { days: string; html?: string }): ReportArgs {
    if (args.length !== 1) throw new UsageError("name one stack (dev, prod, local) or a stack file");
    const days = Number(values.days);
    if (!/^\d+$/.test(values.days ?? "") || days < 1 || days > 366)
        throw new UsageError(`--days expects a whole number of days from 1 to 366, got "${values.days}"`);
    if (values.html === "") throw new UsageError("--html expects a file name");
    return { stackArg: args[0], days, html: values.html };
}

/** The command line after `report`, or a usage error, or a help request (pure). */
export function parseReportArgs(argv: string[]): ReportArgs | { error: string } | { help: true } {
    const cmd = reportCommand();
    try {
        if (parseQuietly(cmd, argv) === "help") return { help: true };
        return checkReportArgs(cmd.args, cmd.opts());
    } catch (e) {
        if (e instanceof UsageError) return { error: e.message };
        throw e;
    }
}

/** Exit 0: the report was printed; 1: the stack or the Prefect API failed. */
export async function runReport(args: ReportArgs): Promise<number> {
    try {
        const { stack, file } = resolveStack(args.stackArg);
        // The program's own parser judges the stack; secrets are stood in for (the report needs none).
        const cfg = parseStructure(offlineConfig(stack, file).raw);
        const target = resolveApi(stack, file.values, process.env);
        const report = await collectReport({
            stack,
            routes: watchedRoutes(cfg),
            owners: cfg.owners,
            period: periodOf(args.days, new Date()),
            target,
        });
        process.stdout.write(renderText(report));
        if (args.html) {
            writeFileSync(args.html, renderHtml(report));
            console.log(`\nHTML report written to ${args.html}`);
        }
        return 0;
    } catch (e) {
        return apiReadFailed(e);
    }
}
