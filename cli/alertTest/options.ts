import { Command } from "commander";
import { TIERS, Tier } from "./select";
import { TARGET_HELP } from "../stack";
import { UsageError, collect, parseQuietly } from "../command";

export { UsageError };

export interface Options {
    /** A stack name (Pulumi.<stack>.yaml in the project) or a stack file path. */
    target: string;
    routes?: string[];
    tier: Tier;
    timeoutSeconds: number;
}

/** The `alert-test` subcommand's arguments and options (no action: cli/index.ts adds it). */
export function alertTestCommand(): Command {
    return new Command("alert-test")
        .description(
            "Run a deliberately failing flow against the stack's Prefect API, tagged so that exactly the chosen routes match, " +
                "and report per automation and channel whether the alert fired and went out.",
        )
        .argument("[stack]", TARGET_HELP)
        .option("--route <routes>", "test only these routes (repeat or comma-separate); default: every route the tier watches", collect)
        .option("--tier <tier>", "warning, critical (pages someone: must be asked for), or all", "warning")
        .option("--timeout <seconds>", "seconds to wait for Prefect's automation events after the runs end", "120")
        .allowExcessArguments(true);
}

/** The parsed values, checked (pure): one stack, a known tier, a sane timeout, no empty route name. */
export function checkOptions(args: string[], values: { route?: string[]; tier: string; timeout: string }): Options {
    if (args.length !== 1) throw new UsageError(args.length ? `one stack, got ${args.join(" ")}` : "which stack?");
    const tier = values.tier as Tier;
    if (!TIERS.includes(tier)) throw new UsageError(`--tier: expected one of ${TIERS.join(", ")}, got "${values.tier}"`);
    const timeoutSeconds = Number(values.timeout);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > 3600)
        throw new UsageError(`--timeout: expected seconds between 1 and 3600, got "${values.timeout}"`);
    const routes = values.route?.flatMap((r) => r.split(",")).map((r) => r.trim());
    if (routes?.some((r) => !r)) throw new UsageError("--route: expected route names, got an empty one");
    return { target: args[0], routes, tier, timeoutSeconds };
}

/** The command line after `alert-test`, with the CLI's own parser; a UsageError when it is refused or only asks for help. */
export function parseOptions(argv: string[]): Options {
    const cmd = alertTestCommand();
    if (parseQuietly(cmd, argv) === "help") throw new UsageError("");
    return checkOptions(cmd.args, cmd.opts());
}
