import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/**
 * The import graph between the program's top-level folders, read from the sources' import lines: which folder
 * imports which (`index.ts` at the root is "index"). Tests, generated code and vendored copies are left out; they
 * are not layers of the program. An edge is "type" when every import behind it is `import type` / `export type`
 * (erased at run time), "value" otherwise. `npx tsx scripts/importGraph.ts` prints the drawing; tests/importGraph
 * fails on a cycle.
 */

export const ROOT = resolve(__dirname, "..");
const SKIP = new Set(["node_modules", "sdks", "tests", ".venv", "vendor", "e2e", "reference", "examples"]);
const IMPORT = /^\s*(import|export)\s+(type\s+)?(?:[^"';]*?\s+from\s+)?["'](\.{1,2}\/[^"']+)["']/gm;

export type Edges = Map<string, Map<string, "type" | "value">>;

function sources(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        if (SKIP.has(name) || name.startsWith(".")) return [];
        if (statSync(path).isDirectory()) return sources(path);
        return /\.ts$/.test(name) && !/\.(test|e2e)\.ts$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
    });
}

const folderOf = (root: string, file: string) => {
    const parts = relative(root, file).split(/[\\/]/);
    return parts.length === 1 ? parts[0].replace(/\.ts$/, "") : parts[0];
};

/** Folder -> the folders it imports, each with whether any import is a value import. */
export function folderGraph(root = ROOT): Edges {
    const edges: Edges = new Map();
    for (const file of sources(root)) {
        const from = folderOf(root, file);
        const text = readFileSync(file, "utf8");
        for (const m of text.matchAll(IMPORT)) {
            const target = resolve(dirname(file), m[3]);
            if (relative(root, target).startsWith("..")) continue;
            const to = folderOf(root, target);
            if (to === from) continue;
            const kind = m[2] ? "type" : "value";
            const out = edges.get(from) ?? new Map();
            out.set(to, out.get(to) === "value" ? "value" : kind);
            edges.set(from, out);
        }
    }
    return edges;
}

/** Every cycle between folders, each as its folders in order (empty when the graph is layered). */
export function folderCycles(edges: Edges): string[][] {
    const cycles: string[][] = [];
    const seen = new Set<string>();
    const nodes = [...new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])])].sort();
    for (const start of nodes) {
        // Depth-first from `start`, through folders after it only: each cycle is found once, from its smallest folder.
        const walk = (node: string, path: string[]) => {
            for (const next of [...(edges.get(node)?.keys() ?? [])].sort()) {
                if (next === start) cycles.push([...path, start]);
                else if (next > start && !path.includes(next)) walk(next, [...path, next]);
            }
        };
        if (!seen.has(start)) walk(start, [start]);
        seen.add(start);
    }
    return cycles;
}

/** The folders from the top (imported by none) down: each is listed after every folder that imports it. */
export function layers(edges: Edges): string[] {
    const nodes = [...new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])])];
    const depth = new Map<string, number>();
    const down = (n: string, stack: string[] = []): number => {
        if (depth.has(n)) return depth.get(n)!;
        if (stack.includes(n)) return 0;
        const d = Math.max(0, ...[...(edges.get(n)?.keys() ?? [])].map((m) => down(m, [...stack, n]) + 1));
        depth.set(n, d);
        return d;
    };
    return nodes.sort((a, b) => down(b) - down(a) || a.localeCompare(b));
}

/** `folder -> a, b (type)`, from the top layer down. */
export function drawing(edges: Edges): string {
    return layers(edges)
        .map((n) => {
            const out = [...(edges.get(n) ?? new Map()).entries()].sort(([a], [b]) => layers(edges).indexOf(a) - layers(edges).indexOf(b));
            return `${n} -> ${out.map(([to, kind]) => (kind === "type" ? `${to} (type)` : to)).join(", ") || "(nothing)"}`;
        })
        .join("\n");
}

if (require.main === module) {
    const edges = folderGraph();
    console.log(drawing(edges));
    const cycles = folderCycles(edges);
    if (cycles.length) console.log(`\ncycles between folders:\n${cycles.map((c) => c.join(" -> ")).join("\n")}`);
}
