/**
 * The bare Pulumi program `npm run bench:preview` compares the real program
 * with: no config parsing, no planning, no templates, no component classes; a
 * flat loop that registers the resources the real program was observed to
 * register (scripts/bench/preview.ts records them), in the same order, with
 * the same type tokens, names, parents and wire inputs, secrets as secrets, and
 * the same dependencies (an input that was another resource's id is that
 * resource's `id` output here too). Custom resources are created with their
 * SDK class, found from the type token by Pulumi's SDK convention
 * (`pkg:index/x:X` -> `require("@pulumi/pkg").X`, `pkg:mod/x:X` -> `.mod.X`),
 * as a hand-written program would (a bridged SDK class also sends its output
 * slots, so a bare `pulumi.CustomResource` would understate the cost of the
 * same resources); `pulumi.CustomResource` only when no SDK class is found.
 * Components are plain `pulumi.ComponentResource`s with the observed type;
 * each reports its children's ids as its outputs, and the stack exports one
 * map of all ids, as programs commonly do.
 *
 * It is loaded in place of the program's entry by the bench (a module hook), so
 * it runs under the very same harness (harness/runProgram.ts): same mocks, same
 * settle logic. It reads the recorded shape from `globalThis.__benchShape`.
 */
import { createRequire } from "node:module";
import * as pulumi from "@pulumi/pulumi";
import { isSecretMarker } from "../../harness/runProgram";
import { REF, ShapeResource } from "./shape";

const g = globalThis as { __benchShape?: ShapeResource[]; __benchBareVia?: string[] };
const shape = g.__benchShape;
if (!shape) throw new Error("bareProgram: no recorded shape (run it through scripts/bench/preview.ts)");

const load = createRequire(__filename);

/** A custom resource of any type token, for types without an SDK class. */
class AnyCustom extends pulumi.CustomResource {
    constructor(type: string, name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
        super(type, name, props, opts);
    }
}

type ResourceClass = new (name: string, args: pulumi.Inputs, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/** The SDK class for a type token, by Pulumi's SDK layout; undefined when there is none. */
function sdkClass(token: string): ResourceClass | undefined {
    const [pkg, mod, cls] = token.split(":");
    if (!pkg || !mod || !cls || pkg === "pulumi") return undefined;
    let sdk: Record<string, unknown>;
    try {
        sdk = load(`@pulumi/${pkg}`);
    } catch {
        return undefined;
    }
    const top = mod.split("/")[0];
    const ns = top === "index" ? sdk : (sdk[top] as Record<string, unknown> | undefined);
    const found = ns?.[cls];
    return typeof found === "function" ? (found as ResourceClass) : undefined;
}

const classes = new Map<string, ResourceClass | undefined>();
for (const r of shape) if (r.custom && !classes.has(r.type)) classes.set(r.type, sdkClass(r.type));
g.__benchBareVia = [...classes].map(([type, c]) => `${type} via ${c ? `@pulumi/${type.split(":")[0]}` : "pulumi.CustomResource"}`);

/** A component whose outputs can be registered once its children exist. */
class Group extends pulumi.ComponentResource {
    done(outputs: pulumi.Inputs): void {
        this.registerOutputs(outputs);
    }
}

const made: pulumi.Resource[] = [];
const childIds = new Map<number, Record<string, pulumi.Output<string>>>();
const allIds: Record<string, pulumi.Output<string>> = {};

function rebuild(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(rebuild);
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (isSecretMarker(obj)) return pulumi.secret(rebuild(obj.value));
        if (typeof obj[REF] === "number") return (made[obj[REF] as number] as pulumi.CustomResource).id;
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, rebuild(v)]));
    }
    return value;
}

shape.forEach((r, i) => {
    const opts = r.parent >= 0 ? { parent: made[r.parent] } : {};
    if (r.custom) {
        const args = rebuild(r.inputs) as pulumi.Inputs;
        const cls = classes.get(r.type);
        const res = cls ? new cls(r.name, args, opts) : new AnyCustom(r.type, r.name, args, opts);
        made[i] = res;
        allIds[`${r.type}::${r.name}`] = res.id;
        if (r.parent >= 0) childIds.set(r.parent, { ...childIds.get(r.parent), [r.name]: res.id });
    } else {
        made[i] = new Group(r.type, r.name, {}, opts);
    }
});
shape.forEach((r, i) => {
    if (!r.custom) (made[i] as Group).done({ ids: childIds.get(i) ?? {} });
});

export const ids = pulumi.output(allIds);
