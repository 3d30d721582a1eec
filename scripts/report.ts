/**
 * Health report of a stack's watched flows and of its alerts, from the Prefect API.
 *
 *   npm run report -- <stack | path/to/Pulumi.<stack>.yaml> [--days 7] [--html report.html]
 *
 * Which runs: those the stack's enabled tiers watch (its routes, read by the
 * program's own config parser; no secret is needed). Where from: PREFECT_API_URL,
 * else the stack's prefect:endpoint, else Prefect Cloud from its account and
 * workspace ids; PREFECT_API_KEY for Prefect Cloud (scripts/report/endpoint.ts).
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../config/errors";
import { parseStructure } from "../config/load";
import { offlineConfig } from "../config/offline";
import { readStackFile, readStackFileAt, stackOfFile } from "../harness/stackFile";
import { periodOf } from "./report/aggregate";
import { collectReport } from "./report/collect";
import { ReportSetupError, resolveApi } from "./report/endpoint";
import { renderHtml } from "./report/html";
import { renderText } from "./report/text";
import { watchedRoutes } from "./report/watched";

const ROOT = resolve(__dirname, "..");
const USAGE = "usage: npm run report -- <stack | path/to/Pulumi.<stack>.yaml> [--days 7] [--html report.html]";

export interface ReportArgs {
    stackArg: string;
    days: number;
    html?: string;
}

/** The command line, or a usage error (pure). */
export function parseReportArgs(argv: string[]): ReportArgs | { error: string } | { help: true } {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            allowPositionals: true,
            options: { days: { type: "string", default: "7" }, html: { type: "string" }, help: { type: "boolean", short: "h" } },
        });
    } catch (e) {
        return { error: (e as Error).message };
    }
    if (parsed.values.help) return { help: true };
    if (parsed.positionals.length !== 1) return { error: "name one stack (dev, prod, local) or a stack file" };
    const days = Number(parsed.values.days);
    if (!/^\d+$/.test(parsed.values.days ?? "") || days < 1 || days > 366)
        return { error: `--days expects a whole number of days from 1 to 366, got "${parsed.values.days}"` };
    if (parsed.values.html === "") return { error: "--html expects a file name" };
    return { stackArg: parsed.positionals[0], days, html: parsed.values.html };
}

async function main(): Promise<number> {
    const args = parseReportArgs(process.argv.slice(2));
    if ("help" in args) {
        console.log(USAGE);
        return 0;
    }
    if ("error" in args) {
        console.error(`${args.error}\n${USAGE}`);
        return 2;
    }
    const byPath = /\.ya?ml$/.test(args.stackArg);
    const stack = byPath ? stackOfFile(args.stackArg) : args.stackArg;
    try {
        const file = byPath ? readStackFileAt(resolve(args.stackArg)) : readStackFile(ROOT, stack);
        // The program's own parser judges the stack; secrets are stood in for (the report needs none).
        const cfg = parseStructure(offlineConfig(stack, file).raw);
        const target = resolveApi(stack, file.values, process.env);
        const report = await collectReport({ stack, routes: watchedRoutes(cfg), period: periodOf(args.days, new Date()), target });
        process.stdout.write(renderText(report));
        if (args.html) {
            writeFileSync(args.html, renderHtml(report));
            console.log(`\nHTML report written to ${args.html}`);
        }
        return 0;
    } catch (e) {
        if (e instanceof ConfigError || e instanceof ReportSetupError) {
            console.error(e.message);
            return 1;
        }
        console.error(`Reading the Prefect API failed: ${e instanceof Error ? e.message : String(e)}`);
        return 1;
    }
}

if (require.main === module) main().then((code) => process.exit(code));
