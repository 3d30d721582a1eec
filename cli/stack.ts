import { resolve } from "node:path";
import { parseStackConfig } from "../config/load";
import type { StackConfig } from "../config/model";
import { offlineConfig } from "../config/offline";
import { readStackFile, readStackFileAt, stackOfFile } from "../harness/stackFile";
import { AlertPlan, planAlerting } from "../rules/plan";

/** The project root: where `Pulumi.<stack>.yaml` files live. */
export const ROOT = resolve(__dirname, "..");

/** What every subcommand's first argument names: a stack of this project, or a stack file anywhere. */
export interface StackTarget {
    /** The stack's name (`prod`; `typo` for `examples/Pulumi.typo.yaml`). */
    stack: string;
    /** The stack file as Pulumi's runtime sees it (plain values; encrypted keys listed, not read). */
    file: { values: Record<string, string>; encrypted: string[] };
}

export const TARGET_HELP = "a stack name (dev, prod, local: Pulumi.<stack>.yaml here) or a stack file path (…/Pulumi.<stack>.yaml)";

/** A path ends in .yaml / .yml; anything else is a stack name. Throws (plain Error) when the file is missing. */
export function resolveStack(arg: string, root: string = ROOT): StackTarget {
    const byPath = /\.ya?ml$/.test(arg);
    const stack = byPath ? stackOfFile(arg) : arg;
    const file = byPath ? readStackFileAt(resolve(arg)) : readStackFile(root, stack);
    return { stack, file };
}

/** A target with the plan the program builds from it (the preview's automations); secrets are stood in for, none is needed. */
export interface PlannedStack extends StackTarget {
    cfg: StackConfig;
    plan: AlertPlan;
}

/** resolveStack, then the program's own parser and planner; throws the stack's ConfigError. */
export function planStack(arg: string, root: string = ROOT): PlannedStack {
    const target = resolveStack(arg, root);
    const cfg = parseStackConfig(offlineConfig(target.stack, target.file).raw);
    return { ...target, cfg, plan: planAlerting(cfg) };
}
