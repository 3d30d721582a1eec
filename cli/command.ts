import { Command, CommanderError } from "commander";

/**
 * Exit codes, the same for every subcommand (the table in docs/operations.md):
 * 0 done (and, for a check, passed); 1 it ran and found a problem (bad config, a blocked policy, an alert that did
 * not go out, an API that failed); 2 it could not run as asked (the command line, or a test that could not start).
 */
export const EXIT = { ok: 0, problem: 1, usage: 2 } as const;

/** A command line that names no stack, two stacks, or an option value out of range. */
export class UsageError extends Error {}

/** Commander reports instead of exiting, so callers (and tests) get an exit code; `--help` is not an error. */
export function configure(cmd: Command): Command {
    return cmd.exitOverride().showHelpAfterError("(add --help for usage)");
}

/** Help shown, version shown: exit 0; anything else commander refused: a usage error. */
export function exitCodeOf(e: CommanderError): number {
    // `help <command>` reports commander.help with exit code 0; a bare call without a subcommand, with 1.
    const asked =
        e.code === "commander.helpDisplayed" || e.code === "commander.version" || (e.code === "commander.help" && e.exitCode === 0);
    return asked ? EXIT.ok : EXIT.usage;
}

/** Repeatable option values (`--route a --route b,c`), in order. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * Parse `argv` (the subcommand's own arguments) with `cmd`, silently: a refusal becomes a UsageError with
 * commander's message, a help request returns "help". For the pure option parsers the subcommands export.
 */
export function parseQuietly(cmd: Command, argv: string[]): "help" | "parsed" {
    cmd.exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
    try {
        cmd.parse(argv, { from: "user" });
        return "parsed";
    } catch (e) {
        if (e instanceof CommanderError) {
            if (exitCodeOf(e) === EXIT.ok) return "help";
            throw new UsageError(e.message.replace(/^error: /, ""));
        }
        throw e;
    }
}
