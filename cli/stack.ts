import { resolve } from "node:path";
import { readStackFile, readStackFileAt, stackOfFile } from "../harness/stackFile";

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
