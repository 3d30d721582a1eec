/**
 * What a program run registered, as data: the bench records it from the real
 * program (harness/runProgram.ts's resource list), the bare program replays it,
 * and the bench checks the replay registered the same.
 */
import type { RegisteredResource } from "../../harness/runProgram";

/** One observed registration. `parent` is an index into the list (-1: the stack). */
export interface ShapeResource {
    type: string;
    name: string;
    custom: boolean;
    parent: number;
    /** Wire inputs as the engine saw them; `{ [REF]: i }` stands for resource i's id. */
    inputs: Record<string, unknown>;
}

export const REF = "__benchRef";

/** What the program registered, in order, as data the bare program can replay. */
export function recordShape(resources: RegisteredResource[]): ShapeResource[] {
    const byUrn = new Map(resources.map((r, i) => [r.urn, i]));
    const byId = new Map<string, number>();
    const seen = new Set<string>();
    resources.forEach((r, i) => {
        if (!r.custom || r.id === undefined) return;
        if (seen.has(r.id))
            byId.delete(r.id); // ambiguous ids are not dependencies we can tell
        else byId.set(r.id, i);
        seen.add(r.id);
    });
    const refs = (v: unknown, before: number): unknown => {
        if (typeof v === "string" && byId.has(v) && byId.get(v)! < before) return { [REF]: byId.get(v) };
        if (Array.isArray(v)) return v.map((x) => refs(x, before));
        if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([key, x]) => [key, refs(x, before)]));
        return v;
    };
    return resources.map((r, i) => ({
        type: r.type,
        name: r.name,
        custom: r.custom,
        parent: byUrn.get(r.parent) ?? -1,
        inputs: refs(r.rawInputs, i) as Record<string, unknown>,
    }));
}

/** A record with indices replaced by type::name and sorted, so registration order (async) does not matter. */
export function canonical(shape: ShapeResource[]): string[] {
    const key = (i: number) => (i < 0 ? "(stack)" : `${shape[i].type}::${shape[i].name}`);
    const walk = (v: unknown): unknown => {
        if (Array.isArray(v)) return v.map(walk);
        if (v && typeof v === "object") {
            const obj = v as Record<string, unknown>;
            if (typeof obj[REF] === "number") return { [REF]: key(obj[REF] as number) };
            return Object.fromEntries(Object.entries(obj).map(([k, x]) => [k, walk(x)]));
        }
        return v;
    };
    return shape.map((r) => JSON.stringify({ ...r, parent: key(r.parent), inputs: walk(r.inputs) })).sort();
}
