import { z } from "zod";
import type { BlockTypeSlug } from "../prefect/vocabulary";
import type { ChannelKind, DocsRow, SecretForm, SecretKey, SecretSource } from "./kind";
import { email } from "./email";
import { heartbeat } from "./heartbeat";
import { pagerduty } from "./pagerduty";
import { slack } from "./slack";
import { teams } from "./teams";
import { webhook } from "./webhook";

/** Every channel kind the program knows. A new kind is one module and one line here. */
export const CHANNEL_KINDS = [slack, webhook, pagerduty, teams, heartbeat, email] as const;

type Kinds = (typeof CHANNEL_KINDS)[number];
/** What a user writes under `channels.<name>`: the union of the kinds' specs. */
export type ChannelSpec = Kinds extends ChannelKind<infer S> ? S : never;
export type ChannelType = ChannelSpec["type"];

const quoted = CHANNEL_KINDS.map((k) => `"${k.type}"`);
export const channelSchema = z.discriminatedUnion(
    "type",
    CHANNEL_KINDS.map((k) => k.schema) as unknown as [z.ZodObject, ...z.ZodObject[]],
    {
        error: `a channel with type ${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`,
    },
) as unknown as z.ZodType<ChannelSpec>;

/**
 * The config key suffixes of the kinds' secret options (`WebhookUrl`, `ApiKey`), each with the kinds that read
 * one: a project key `<channel><Suffix>` is a channel secret (config/load.ts), and nothing else names a suffix.
 */
export const CHANNEL_SECRET_SUFFIXES: readonly { suffix: string; kinds: string[] }[] = (() => {
    const bySuffix = new Map<string, string[]>();
    for (const kind of CHANNEL_KINDS as readonly ChannelKind<any>[])
        for (const name of kind.secretKeyNames("")) bySuffix.set(name, [...(bySuffix.get(name) ?? []), kind.type]);
    return [...bySuffix].map(([suffix, kinds]) => ({ suffix, kinds }));
})();

/** The config reference's rows for every kind's options (a generated docs page reads these). */
export const channelDocsRows = (project: string): DocsRow[] => CHANNEL_KINDS.flatMap((k: ChannelKind<any>) => k.docs(project));

export function kindOf(spec: { type: string }): ChannelKind<any> {
    const kind = CHANNEL_KINDS.find((k) => k.type === spec.type);
    if (!kind) throw new Error(`no channel kind "${spec.type}"`);
    return kind;
}

/** Token-like secrets (API keys): any non-empty value. */
const token: SecretForm = {
    name: "token",
    noun: "token",
    expected: "a non-empty token",
    valid: (v) => v.trim() !== "",
    placeholder: (s) => `placeholder-${s.key.replace(":", "-")}`,
};

/** The forms SecretKey.form names. */
export const SECRET_FORMS: Record<string, SecretForm> = {
    token,
    ...Object.fromEntries(CHANNEL_KINDS.flatMap((k: ChannelKind<any>) => Object.entries(k.forms))),
};

export const formOf = (s: SecretKey): SecretForm => SECRET_FORMS[s.form] ?? token;

/**
 * The `data` fields each block type's schema declares secret (`secret_fields`
 * of Prefect 3.9.1's block schemas; `x.*` is every key under `x`). Prefect
 * masks them whenever a block document is read without `include_secrets` and
 * leaves them out of its `prefect.block-document.*` events; every secret value
 * a kind hands Prefect sits in one of them (tests/blockData.test.ts; the
 * end-to-end suite checks this table against the real server's schemas).
 */
export const SECRET_FIELDS = Object.fromEntries(CHANNEL_KINDS.map((k) => [k.block.typeSlug, [...k.block.secretFields]])) as Record<
    BlockTypeSlug,
    string[]
>;

/** One planned Prefect notification block. */
export interface BlockPlan {
    channel: string;
    /** Block document name (slug): stack-prefixed so stacks sharing a workspace never collide. */
    name: string;
    typeSlug: BlockTypeSlug;
    stack: string;
    spec: ChannelSpec;
    /** The secret values its data is built from, and where each comes from. */
    sources: Record<string, SecretSource>;
}

/** Resolved secret values by the names a kind's `sources` give them (url, integrationKey, apiKey, ...). */
export type BlockSecrets = Record<string, string | undefined>;

/** The block document's `data` for resolved secret values (callers apply it inside a secret Output). */
export function blockData(block: BlockPlan, values: BlockSecrets): Record<string, unknown> {
    for (const name of Object.keys(block.sources))
        if (values[name] === undefined) throw new Error(`block ${block.name} (${block.typeSlug}) is missing a secret value (${name})`);
    return kindOf(block.spec).block.data(values as Record<string, string>, { blockName: block.name, stack: block.stack, spec: block.spec });
}
