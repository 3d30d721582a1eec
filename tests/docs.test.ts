import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { PROJECT } from "../config/load";
import { BEGIN, END, configReference, keyRows, projectJsonSchema, withReference } from "../config/reference";
import { CHANNEL_KINDS } from "../channels/registry";
import { SIGNALS } from "../signals/table";

const file = join(__dirname, "..", "docs", "configuration.md");

describe("docs/configuration.md: the config reference is generated from the schema", () => {
    it("the committed file is what `npm run docs` writes (run it after changing a schema, a kind or a signal)", () => {
        const now = readFileSync(file, "utf8");
        expect(withReference(now, PROJECT)).toBe(now);
    });

    it("every key of the schema has a row that says what it means", () => {
        const rows = keyRows();
        expect(rows.filter((r) => r.meaning === "").map((r) => r.key)).toEqual([]);
        // Each top-level key of the schema is a row, so a new section shows up without anyone listing it.
        for (const key of Object.keys(projectJsonSchema().properties)) expect(rows.map((r) => r.key)).toContain(key);
    });

    it("type and default come from the schema itself: a changed default changes the row", () => {
        const schema = (dflt: number) =>
            z.toJSONSchema(z.object({ s: z.object({ n: z.number().min(1).max(9).default(dflt).describe("n things") }) })) as Record<
                string,
                any
            >;
        const row = (dflt: number) => keyRows(schema(dflt)).find((r) => r.key === "s.n");
        expect(row(3)).toEqual({ key: "s.n", form: "number 1..9; default `3`", meaning: "n things" });
        expect(row(4)?.form).toBe("number 1..9; default `4`");
    });

    it("every channel kind and every signal is in the reference", () => {
        const text = configReference(PROJECT);
        for (const kind of CHANNEL_KINDS) expect(text).toContain(`| \`${kind.type}\` |`);
        for (const signal of SIGNALS) expect(text).toContain(`| \`${signal.id}\` | \`${signal.configKey}\` |`);
    });

    it("text outside the markers is kept; a file without them is refused", () => {
        const doc = `intro\n${BEGIN}\nold\n${END}\noutro\n`;
        const out = withReference(doc, PROJECT);
        expect(out.startsWith(`intro\n${BEGIN}\n`)).toBe(true);
        expect(out.endsWith(`${END}\noutro\n`)).toBe(true);
        expect(out).not.toContain("\nold\n");
        expect(() => withReference("no markers", PROJECT)).toThrow(/markers/);
    });
});
