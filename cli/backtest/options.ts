import { Command } from "commander";
import { UsageError } from "../command";
import { TARGET_HELP } from "../stack";

export interface BacktestArgs {
    stackArg: string;
    days: number;
    /** A second stack (name or file): the same history through it, and the difference. */
    against?: string;
    html?: string;
    json: boolean;
}

/** The `backtest` subcommand's arguments and options (no action: cli/index.ts adds it). */
export function backtestCommand(): Command {
    return new Command("backtest")
        .description(
            "Replay the stack's automations over the flow runs Prefect recorded and count what people would have received: " +
                "messages and pages per automation, route, channel and flow; --against compares a second config.",
        )
        .argument("[stack]", TARGET_HELP)
        .option("--days <n>", "the history to replay, in whole days (1 to 90)", "7")
        .option("--against <stack>", "a second stack (name or file) to replay over the same history; prints the difference")
        .option("--html <file>", "also write the result as a self-contained HTML page")
        .option("--json", "print the result as JSON, for tools", false)
        .allowExcessArguments(true);
}

/** The parsed values, checked (pure). */
export function checkBacktestArgs(args: string[], values: { days: string; against?: string; html?: string; json?: boolean }): BacktestArgs {
    if (args.length !== 1)
        throw new UsageError(args.length ? `name one stack, got ${args.join(" ")}` : "which stack? (dev, prod, local or a stack file)");
    const days = Number(values.days);
    // Prefect keeps runs and states far longer, but a replay of months says little about next week's noise.
    if (!/^\d+$/.test(values.days ?? "") || days < 1 || days > 90)
        throw new UsageError(`--days expects a whole number of days from 1 to 90, got "${values.days}"`);
    if (values.against === "") throw new UsageError("--against expects a stack name or a stack file");
    if (values.html === "") throw new UsageError("--html expects a file name");
    return { stackArg: args[0], days, against: values.against, html: values.html, json: values.json === true };
}
