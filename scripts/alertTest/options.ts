import { parseArgs } from "node:util";
import { TIERS, Tier } from "./select";

export const USAGE = [
    "usage: npm run alert-test -- <stack | path/to/Pulumi.<stack>.yaml> [--route R[,R2]] [--tier warning|critical|all] [--timeout 120]",
    "  --route    test only these routes (repeat or comma-separate); default: every route the tier watches",
    "  --tier     warning (default), critical (pages someone: must be asked for), or all",
    "  --timeout  seconds to wait for Prefect's automation events after the runs end (default 120)",
].join("\n");

export interface Options {
    /** A stack name (Pulumi.<stack>.yaml in the project) or a stack file path. */
    target: string;
    routes?: string[];
    tier: Tier;
    timeoutSeconds: number;
}

export class UsageError extends Error {}

/** The command line, with Node's own parser (node:util parseArgs). */
export function parseOptions(argv: string[]): Options {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            allowPositionals: true,
            strict: true,
            options: {
                route: { type: "string", multiple: true },
                tier: { type: "string", default: "warning" },
                timeout: { type: "string", default: "120" },
                help: { type: "boolean", short: "h" },
            },
        });
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.help) throw new UsageError("");
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `one stack, got ${positionals.join(" ")}` : "which stack?");
    const tier = values.tier as Tier;
    if (!TIERS.includes(tier)) throw new UsageError(`--tier: expected one of ${TIERS.join(", ")}, got "${values.tier}"`);
    const timeoutSeconds = Number(values.timeout);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > 3600)
        throw new UsageError(`--timeout: expected seconds between 1 and 3600, got "${values.timeout}"`);
    const routes = values.route?.flatMap((r) => r.split(",")).map((r) => r.trim());
    if (routes?.some((r) => !r)) throw new UsageError("--route: expected route names, got an empty one");
    return { target: positionals[0], routes, tier, timeoutSeconds };
}
