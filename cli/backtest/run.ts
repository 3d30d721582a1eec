/**
 * `npm run backtest -- <stack | stack file> [--days 7] [--against <other stack>] [--html out.html] [--json]`
 *
 * Reads the history of the Prefect API the report reads (cli/report/endpoint.ts: PREFECT_API_URL, else the stack's
 * prefect:endpoint, else Prefect Cloud from its ids), replays the stack's plan over it, and prints what people would
 * have received. With --against, the same history through a second config and the difference, as Markdown.
 */
import { writeFileSync } from "node:fs";
import { readHistory } from "../../backtest/history";
import { PrefectClient } from "../prefectApi";
import { periodOf } from "../report/aggregate";
import { resolveApi } from "../report/endpoint";
import { PlannedStack, planStack } from "../stack";
import { backtest, warmupMs } from "./backtest";
import { diffSummaries } from "./diff";
import { renderBacktestHtml } from "./html";
import type { BacktestArgs } from "./options";
import { renderBacktest, renderDiff } from "./text";

/** Exit 0: the backtest (and the difference) was printed; 1: a stack, or the Prefect API, failed. */
export async function runBacktest(args: BacktestArgs): Promise<number> {
    let base: PlannedStack;
    let other: PlannedStack | undefined;
    let target;
    try {
        base = planStack(args.stackArg);
        other = args.against === undefined ? undefined : planStack(args.against);
        target = resolveApi(base.stack, base.file.values, process.env);
    } catch (e) {
        // A ConfigError, a ReportSetupError or a missing stack file: each message says what to fix.
        console.error(e instanceof Error ? e.message : String(e));
        return 1;
    }
    const period = periodOf(args.days, new Date());
    const window = { start: period.since.getTime(), end: period.until.getTime() };
    const plans = other ? [base, other] : [base];
    const warmup = Math.max(...plans.map((p) => warmupMs({ stack: p.stack, plan: p.plan, routes: p.cfg.routes })));
    let events;
    try {
        events = await readHistory(new PrefectClient(target), window.start - warmup, window.end);
    } catch (e) {
        console.error(`Reading the history from the Prefect API failed: ${e instanceof Error ? e.message : String(e)}`);
        return 1;
    }
    const source = `${events.length} events from ${target.url.replace(/^https?:\/\//, "")} (${target.source})`;
    const [before, after] = plans.map(
        (p) => backtest({ stack: p.stack, plan: p.plan, routes: p.cfg.routes }, events, window, window.start - warmup).summary,
    );
    // Two files of one stack name (a branch's copy) are told apart by what was typed.
    if (after && before.stack === after.stack) [before.stack, after.stack] = [args.stackArg, args.against!];
    const diff = after ? diffSummaries(before, after) : undefined;
    if (args.json) process.stdout.write(`${JSON.stringify(diff ? { before, after, diff } : before, null, 2)}\n`);
    else if (!after) process.stdout.write(renderBacktest(before, source));
    // The difference first, ready to paste into a review; each config's full backtest folded under it.
    else
        process.stdout.write(
            `${renderDiff(diff!)}\n<details><summary>Each config's backtest</summary>\n\n\`\`\`\n` +
                `${renderBacktest(before, source)}\n${renderBacktest(after, source)}\`\`\`\n\n</details>\n`,
        );
    if (args.html) {
        writeFileSync(args.html, renderBacktestHtml(before, after && diff ? { after, diff } : undefined));
        if (!args.json) console.log(`\nHTML written to ${args.html}`);
    }
    return 0;
}
