import type { z } from "zod";
import type { BlockTypeSlug } from "../prefect/vocabulary";
import type { Incident, Message } from "../alert/model";

/**
 * Everything about one kind of channel lives in its module (Alertmanager's
 * receivers, Grafana's contact points): its options (what a user writes under
 * `channels.<name>` and the secrets it reads, declared once as data), the
 * Prefect block it becomes, how a message is shown on it and how the preview
 * describes it. Everything else (the schema, config keys, secret checks, block
 * sources, Secrets Manager copies, docs rows) is derived from the options by
 * `defineKind` (channels/define.ts). The registry (channels/registry.ts) lists the kinds.
 */
export interface KindDeclaration<Spec extends { type: string } = { type: string }> {
    type: Spec["type"];
    /** One line for the generated config reference and errors. */
    summary: string;
    /** Its settings and secrets, once (see ChannelOption). */
    options: readonly ChannelOption<Spec>[];
    block: BlockDeclaration<Spec>;
    /** The message as this channel shows it (Slack mrkdwn is the canonical form the rules write). */
    render(message: Message, ctx: RenderContext): Message;
    /** It opens and resolves incidents by dedup key (PagerDuty): signals plan resolve automations for it. */
    tracksIncidents?: boolean;
    /** The channel in a few words for the preview, e.g. `#data-alerts`. */
    describe(spec: Spec): string;
    /**
     * It takes pings, not messages (a heartbeat monitor's ping URL): only a section that sends pings names it
     * (SignalSettings.pings), and such a section names no other kind (config/schema.ts).
     */
    pingOnly?: boolean;
}

/**
 * One option of a kind. A plain one is a field of `channels.<name>` (validated by its zod schema); a secret
 * one is the config key `<project>:<channel><Key>` (`alerts` + `webhookUrl` -> `alertsWebhookUrl`), a Pulumi
 * secret checked by its form, handed to the block by the name `value`, and copied to Secrets Manager.
 */
export type ChannelOption<Spec = any> = PlainOption | SecretOption<Spec>;

interface OptionBase {
    /** Field name under `channels.<name>`, or the secret's key suffix (camelCase: `webhookUrl`). */
    key: string;
    /** What it is, for the docs row. */
    description: string;
}

export interface PlainOption extends OptionBase {
    secret?: false;
    required: boolean;
    /** The expected form in words (docs row; the schema's errors say the same). */
    form: string;
    /** Its validation (without `.optional()`: `required` decides). */
    schema: z.ZodType;
}

export interface SecretOption<Spec = any> extends OptionBase {
    secret: true;
    /** A secret is always required: a block without it cannot send. */
    required: true;
    /** How a config value is checked, described and stood in for; absent only when `from` gives the value. */
    form?: SecretForm;
    /** The name the block's `data` reads the value by (BlockKind.sources); defaults to `key`. */
    value?: string;
    /** What the secret is for, in errors and the preview; defaults to `<form noun> of channel "<name>"`. */
    purpose?(channel: ChannelRef<Spec>): string;
    /**
     * Its copy in AWS Secrets Manager: name `<name>-<kebab channel>` and description. Defaults to
     * `<type>-<kebab key>` and `<form noun> of alert channel <name> (stack <stack>)`.
     */
    mirror?: { name: string; description(channel: ChannelRef<Spec>, stack: string): string };
    /** Not from config: where the value comes from instead (PagerDuty's integration key); not mirrored per channel. */
    from?(spec: Spec): SecretSource;
}

/** A row of the generated config reference: one per option of a kind. */
export interface DocsRow {
    /** `prefect-alerting:<channel>WebhookUrl` or `channels.<channel>.slackChannel`. */
    key: string;
    kind: string;
    required: boolean;
    secret: boolean;
    /** The expected form in words. */
    form: string;
    description: string;
}

/** A kind as the program uses it: the declaration plus what is derived from its options (channels/define.ts). */
export interface ChannelKind<Spec extends { type: string } = { type: string }> extends Omit<KindDeclaration<Spec>, "block"> {
    /** `channels.<name>` for this kind: a strict object whose `type` is the kind's literal. */
    schema: z.ZodType<Spec>;
    /** Names (in the project namespace) of the secret keys a channel of this kind called `name` reads itself. */
    secretKeyNames(name: string): string[];
    /** Config keys (in the project namespace) holding this channel's secrets, with their form. */
    secrets(channel: ChannelRef<Spec>, project: string): SecretKey[];
    block: BlockKind<Spec>;
    /** Secrets copied to AWS Secrets Manager: name after the stack's prefix, and which config key holds the value. */
    mirror(channel: ChannelRef<Spec>, ctx: { stack: string; kebab: string; project: string }): MirrorSource[];
    /** The secret forms (SecretKey.form) its secrets use, by name. */
    forms: Record<string, SecretForm>;
    /** Its rows of the config reference. */
    docs(project: string): DocsRow[];
}

/** What a channel may need besides the message: where the alert comes from and the incident it opens or resolves. */
export interface RenderContext {
    stack: string;
    tier: string;
    signal: string;
    incident?: Incident;
}

export interface BlockDeclaration<Spec> {
    typeSlug: BlockTypeSlug;
    /** The block schema's `secret_fields` (Prefect masks them in its API, UI and events). */
    secretFields: readonly string[];
    /** The block document's `data` from the secret values, by their `value` names (applied inside a secret Output). */
    data(values: Record<string, string>, ctx: { blockName: string; stack: string; spec: Spec }): Record<string, unknown>;
}

export interface BlockKind<Spec> extends BlockDeclaration<Spec> {
    /** Named secret values the block's data is built from, and where each comes from (from the secret options). */
    sources(channel: ChannelRef<Spec>, project: string): Record<string, SecretSource>;
}

export interface ChannelRef<Spec> {
    name: string;
    spec: Spec;
}

/** Where a secret value comes from: stack config, or a PagerDuty service's Events API v2 integration. */
export type SecretSource = { configKey: string } | { pagerDutyService: "critical" | "p1" | `owner:${string}` };

export interface MirrorSource {
    name: string;
    description: string;
    source: SecretSource;
}

/** A secret config key the stack must set, what it is for, and its form (SECRET_FORMS). */
export interface SecretKey {
    /** Full config key, e.g. `prefect-alerting:alertsWebhookUrl` or `pagerduty:token`. */
    key: string;
    form: string;
    purpose: string;
}

/** How a secret's value is checked, described, and stood in for in the offline preview. */
export interface SecretForm {
    /** Its name, SecretKey.form (e.g. "slack-webhook-url"). */
    name: string;
    /** "Slack incoming webhook URL", for "expected a secret …". */
    noun: string;
    /** The expected-form message when the value does not pass `valid`. */
    expected: string;
    valid(value: string): boolean;
    placeholder(key: SecretKey): string;
}

/** An http(s) URL with a host and no whitespace (URL() forgives surrounding spaces; the block would keep them). */
export function isHttpUrl(text: string, protocols: readonly string[] = ["http:", "https:"]): boolean {
    try {
        const u = new URL(text);
        return protocols.includes(u.protocol) && u.hostname !== "" && !/\s/.test(text);
    } catch {
        return false;
    }
}

/** The suffix of a secret option's config key: `webhookUrl` -> `WebhookUrl`. */
export const secretSuffix = (option: { key: string }) => option.key.charAt(0).toUpperCase() + option.key.slice(1);
/** The config key of a channel's secret option: `<project>:<channel><Key>`, e.g. `prefect-alerting:alertsWebhookUrl`. */
export const secretConfigKey = (project: string, channel: string, option: { key: string }) =>
    `${project}:${channel}${secretSuffix(option)}`;

/** Secrets Manager and block names use the channel's kebab-case name: `pagerP1` -> `pager-p1`. */
export const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
