import { z } from "zod";
import { CHANNEL_KINDS, channelDocsRows } from "../channels/registry";
import { SIGNALS } from "../signals/table";
import { projectSchema } from "./schema";

/**
 * The config reference of docs/configuration.md, generated: every key of the project's schema with its type and
 * default read off the schema itself (zod's JSON Schema export) and its meaning from the key's own `.describe()`,
 * the channel kinds with their options and secrets (channels/registry.ts), and the signals (signals/table.ts).
 * Nothing here is written by hand, so the reference cannot drift from what the program accepts:
 * tests/docs.test.ts fails when the committed file differs, and `npm run docs` rewrites it.
 */

type Json = Record<string, any>;

/** One row of the keys table. */
export interface KeyRow {
    key: string;
    form: string;
    meaning: string;
}

/** Keys whose entries are documented apart (channels: per kind, below), and how a map's entries are named in a key path. */
const LEAF = new Set(["channels"]);
const ENTRY_NAME: Record<string, string> = { routes: "<route>", mute: "<route>", owners: "<team>" };

/** A signal section without a description of its own: the signals it turns on and tunes. */
const SECTION_MEANING: Record<string, string> = Object.fromEntries(
    [...new Set(SIGNALS.map((s) => s.configKey))].map((key) => [
        key,
        `The section of the signal${SIGNALS.filter((s) => s.configKey === key).length > 1 ? "s" : ""} ${SIGNALS.filter(
            (s) => s.configKey === key,
        )
            .map((s) => `\`${s.id}\``)
            .join(", ")} (Signals, below).`,
    ]),
);

export function projectJsonSchema(): Json {
    return z.toJSONSchema(projectSchema, { io: "output", unrepresentable: "any", reused: "inline" }) as Json;
}

/** Every documented key in schema order (a section before its keys), with its form and meaning. */
export function keyRows(schema: Json = projectJsonSchema()): KeyRow[] {
    const rows: KeyRow[] = [];
    const walk = (path: string, node: Json, required: boolean) => {
        const n = unwrap(node);
        const own = node.description ?? n.description ?? SECTION_MEANING[path] ?? "";
        rows.push({ key: path, form: formOf(n, required), meaning: oneLine(own) });
        if (LEAF.has(path)) return;
        if (n.type === "object" && n.properties) {
            for (const [k, child] of Object.entries<Json>(n.properties)) walk(`${path}.${k}`, child, (n.required ?? []).includes(k));
        } else if (n.type === "object" && isObjectSchema(n.additionalProperties)) {
            const entry = unwrap(n.additionalProperties);
            const name = ENTRY_NAME[path] ?? "<name>";
            for (const [k, child] of Object.entries<Json>(entry.properties))
                walk(`${path}.${name}.${k}`, child, (entry.required ?? []).includes(k));
        } else if (n.type === "array" && isObjectSchema(n.items)) {
            const item = unwrap(n.items);
            for (const [k, child] of Object.entries<Json>(item.properties))
                walk(`${path}[].${k}`, child, (item.required ?? []).includes(k));
        }
    };
    for (const [k, node] of Object.entries<Json>(schema.properties)) walk(k, node, (schema.required ?? []).includes(k));
    return rows;
}

/** A schema node that is a single alternative (`x | undefined` and the like) as that alternative. */
function unwrap(node: Json): Json {
    const alts: Json[] | undefined = node.anyOf ?? node.oneOf;
    if (alts) {
        const real = alts.filter((a) => !(a.type === "null" || Object.keys(a).length === 0));
        if (real.length === 1)
            return { ...real[0], default: node.default ?? real[0].default, description: node.description ?? real[0].description };
    }
    return node;
}

const isObjectSchema = (n: unknown): n is Json =>
    typeof n === "object" && n !== null && unwrap(n as Json).type === "object" && !!unwrap(n as Json).properties;

/** The form of a value in words, then its default (or "required" / "optional"). */
export function formOf(n: Json, required: boolean): string {
    const form = typeWords(n);
    // A section (an object of named keys) may be left out: each of its keys says what it takes when it is.
    if (form === "section") return form;
    const dflt = n.default !== undefined ? `default \`${JSON.stringify(n.default)}\`` : required ? "required" : "optional";
    return `${form}; ${dflt}`;
}

function typeWords(n: Json): string {
    if (typeof n.form === "string") return n.form;
    if (n.const !== undefined) return `\`${JSON.stringify(n.const)}\``;
    if (Array.isArray(n.enum)) return n.enum.map((v: unknown) => `\`${String(v)}\``).join(" | ");
    const alts: Json[] | undefined = n.anyOf ?? n.oneOf;
    if (alts) return [...new Set(alts.map(typeWords))].join(" or ");
    switch (n.type) {
        case "boolean":
            return "bool";
        case "integer":
            return `whole number ${bounds(n)}`.trim();
        case "number":
            return `number ${bounds(n)}`.trim();
        case "string":
            return "text";
        case "array":
            return `list of ${n.items ? plural(typeWords(unwrap(n.items))) : "values"}`;
        case "object":
            if (n.properties) return "section";
            if (n.additionalProperties) return `map of name to ${typeWords(unwrap(n.additionalProperties)).replace(/^section$/, "entry")}`;
            return "map";
        default:
            return "any";
    }
}

const bounds = (n: Json): string => {
    // zod writes an integer's safe range as its bounds: no bound worth printing.
    const real = (v: unknown) => (typeof v === "number" && Math.abs(v) < Number.MAX_SAFE_INTEGER ? v : undefined);
    const lo = real(n.minimum ?? n.exclusiveMinimum);
    const hi = real(n.maximum ?? n.exclusiveMaximum);
    return lo !== undefined || hi !== undefined ? `${lo ?? ""}..${hi ?? ""}` : "";
};
const plural = (w: string): string => (w === "section" ? "entries" : w === "text" ? "texts" : w);
const oneLine = (s: string): string => s.replace(/\s+/g, " ").trim();
/** A table cell: pipes escaped, and outside code spans `<name>` kept as text rather than read as an HTML tag. */
const cell = (s: string): string =>
    s
        .split("`")
        .map((part, i) => (i % 2 === 0 ? part.replace(/</g, "&lt;").replace(/>/g, "&gt;") : part))
        .join("`")
        .replace(/\|/g, "\\|");

/** The generated part of docs/configuration.md. */
export function configReference(project: string): string {
    const keys = keyRows().map((r) => `| \`${r.key}\` | ${cell(r.form)} | ${cell(r.meaning)} |`);
    const kinds = CHANNEL_KINDS.map((k) => `| \`${k.type}\` | ${cell(k.summary)} |`);
    const options = channelDocsRows(project).map(
        (r) =>
            `| \`${r.key}\` | \`${r.kind}\` | ${r.secret ? "secret, " : ""}${r.required ? "required" : "optional"} | ` +
            `${cell(r.form)} | ${cell(r.description)} |`,
    );
    const signals = SIGNALS.map((s) => `| \`${s.id}\` | \`${s.configKey}\` | ${s.severity} | ${cell(s.summary)} |`);
    return [
        "### Keys",
        "",
        "Every key under `prefect-alerting:`, in the schema's order; type and default are read off the schema.",
        "",
        "| key | type; default | meaning |",
        "|---|---|---|",
        ...keys,
        "",
        "### Channel kinds",
        "",
        "`channels.<channel>.type`, and what each kind is:",
        "",
        "| type | what |",
        "|---|---|",
        ...kinds,
        "",
        "Each kind's settings (`channels.<channel>.<key>`) and secrets (their own config keys, set with `pulumi config set --secret`):",
        "",
        "| key | kind | | form | what |",
        "|---|---|---|---|---|",
        ...options,
        "",
        "### Signals",
        "",
        "What each signal watches, the section that turns it on, and the component (severity) that owns its automations:",
        "",
        "| signal | section | severity | watches |",
        "|---|---|---|---|",
        ...signals,
    ].join("\n");
}

export const BEGIN = "<!-- BEGIN generated by `npm run docs` from the schema, the channel kinds and the signal table: do not edit -->";
export const END = "<!-- END generated -->";

/** The file with its generated part replaced; the text outside the markers is kept as written. */
export function withReference(file: string, project: string): string {
    const start = file.indexOf(BEGIN);
    const end = file.indexOf(END);
    if (start < 0 || end < start) throw new Error(`docs/configuration.md: the markers ${BEGIN} ... ${END} are missing`);
    return `${file.slice(0, start + BEGIN.length)}\n\n${configReference(project)}\n\n${file.slice(end)}`;
}
