import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { drawing, folderCycles, folderGraph } from "../scripts/importGraph";

/** A throwaway source tree: path -> file text. */
function tree(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), "import-graph-"));
    for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
    }
    return root;
}

describe("the import graph between top-level folders", () => {
    it("has no cycle: every folder imports only folders below it (the drawing in docs/design.md)", () => {
        const edges = folderGraph();
        expect(folderCycles(edges), drawing(edges)).toEqual([]);
    });

    it("signals sit below config and the plan, and above the alert model and Prefect's vocabulary", () => {
        const edges = folderGraph();
        const to = (from: string) => [...(edges.get(from)?.keys() ?? [])].sort();
        expect(to("prefect")).toEqual([]);
        expect(to("alert")).toEqual(["prefect"]);
        expect(to("channels").every((f) => ["alert", "prefect"].includes(f))).toBe(true);
        expect(to("signals").every((f) => ["alert", "channels", "prefect"].includes(f))).toBe(true);
        expect(to("config")).not.toContain("rules");
    });

    it("finds a cycle through a type import, and none once it is gone (the checker can fail)", () => {
        const files = {
            "a/x.ts": 'import { y } from "../b/y";\nexport const x = y;\n',
            "b/y.ts": 'import type { Z } from "../c/z";\nexport const y = 1;\n',
            "c/z.ts": 'export type { X } from "../a/x";\nexport type Z = number;\n',
            "c/tests/z.test.ts": 'import { x } from "../../a/x";\n',
        };
        const looped = folderGraph(tree(files));
        expect(folderCycles(looped)).toEqual([["a", "b", "c", "a"]]);
        expect(looped.get("b")?.get("c")).toBe("type");
        expect(looped.get("a")?.get("b")).toBe("value");
        const layered = folderGraph(tree({ ...files, "c/z.ts": "export type Z = number;\n" }));
        expect(folderCycles(layered)).toEqual([]);
        expect(drawing(layered)).toBe("a -> b\nb -> c (type)\nc -> (nothing)");
    });
});
