import type { z } from "zod";
import type { BlockTypeSlug } from "../prefect/vocabulary";
import type { Incident, Message } from "../alert/model";

/**
 * Everything about one kind of channel lives in its module (Alertmanager's
 * receivers, Grafana's contact points): what a user writes under
 * `channels.<name>`, the secrets it reads, the Prefect block it becomes, how a
 * message is shown on it, what is copied to Secrets Manager and how the
 * preview describes it. The registry (channels/registry.ts) lists the kinds.
 */
export interface ChannelKind<Spec extends { type: string } = { type: string }> {
    type: Spec["type"];
    /** One line for the README's config table and errors. */
    summary: string;
    /** `channels.<name>` for this kind: a strict object whose `type` is the kind's literal. */
    schema: z.ZodType<Spec>;
    /** Names (in the project namespace) of the secret keys a channel of this kind called `name` reads itself. */
    secretKeyNames(name: string): string[];
    /** Config keys (in the project namespace) holding this channel's secrets, with their form. */
    secrets(channel: ChannelRef<Spec>, project: string): SecretKey[];
    block: BlockKind<Spec>;
    /** The message as this channel shows it (Slack mrkdwn is the canonical form the rules write). */
    render(message: Message, ctx: RenderContext): Message;
    /** It opens and resolves incidents by dedup key (PagerDuty): signals plan resolve automations for it. */
    tracksIncidents?: boolean;
    /** Secrets copied to AWS Secrets Manager: name after the stack's prefix, and which config key holds the value. */
    mirror(channel: ChannelRef<Spec>, ctx: { stack: string; kebab: string; project: string }): MirrorSource[];
    /** The channel in a few words for the preview, e.g. `#data-alerts`. */
    describe(spec: Spec): string;
    /** The secret forms (SecretKey.form) its secrets use, by name. */
    forms?: Record<string, SecretForm>;
    /**
     * It takes pings, not messages (a heartbeat monitor's ping URL): only a section that sends pings names it
     * (SignalSettings.pings), and such a section names no other kind (config/schema.ts).
     */
    pingOnly?: boolean;
}

/** What a channel may need besides the message: where the alert comes from and the incident it opens or resolves. */
export interface RenderContext {
    stack: string;
    tier: string;
    signal: string;
    incident?: Incident;
}

export interface BlockKind<Spec> {
    typeSlug: BlockTypeSlug;
    /** The block schema's `secret_fields` (Prefect masks them in its API, UI and events). */
    secretFields: readonly string[];
    /** Named secret values the block's data is built from, and where each comes from. */
    sources(channel: ChannelRef<Spec>, project: string): Record<string, SecretSource>;
    /** The block document's `data` from those values (applied inside a secret Output). */
    data(values: Record<string, string>, ctx: { blockName: string; stack: string; spec: Spec }): Record<string, unknown>;
}

export interface ChannelRef<Spec> {
    name: string;
    spec: Spec;
}

/** Where a secret value comes from: stack config, or a PagerDuty service's Events API v2 integration. */
export type SecretSource = { configKey: string } | { pagerDutyService: "critical" | "p1" };

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

/** The config key of a channel's webhook URL: `<project>:<channel>WebhookUrl`. */
export const WEBHOOK_URL_SUFFIX = "WebhookUrl";
export const webhookUrlKey = (project: string, channel: string) => `${project}:${channel}${WEBHOOK_URL_SUFFIX}`;

/** Secrets Manager and block names use the channel's kebab-case name: `pagerP1` -> `pager-p1`. */
export const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
