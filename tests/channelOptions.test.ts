/**
 * A channel kind declares its options once (channels/kind.ts ChannelOption); its schema, secret config keys,
 * checks, block sources, Secrets Manager copies, preview stand-ins and docs rows are derived from them
 * (channels/define.ts). What each kind derives, written out by hand per kind (a new kind must add its row: the table
 * is keyed by ChannelType), and that the loader accepts exactly the derived keys without knowing any suffix itself.
 */
import { describe, expect, it } from "vitest";
import {
    CHANNEL_KINDS,
    CHANNEL_SECRET_SUFFIXES,
    ChannelSpec,
    ChannelType,
    SECRET_FORMS,
    channelDocsRows,
    formOf,
} from "../channels/registry";
import { ChannelKind, secretConfigKey } from "../channels/kind";
import { ConfigError } from "../config/errors";
import { PROJECT, RawConfig, parseStackConfig } from "../config/load";
import { placeholderFor } from "../config/offline";

const k = (key: string) => `${PROJECT}:${key}`;
const CHANNEL = "dataTeam";
const ctx = { stack: "prod", kebab: "data-team", project: PROJECT };

interface Derived {
    spec: ChannelSpec;
    /** secretKeyNames: the project keys the channel reads. */
    keys: string[];
    forms: string[];
    sources: Record<string, unknown>;
    mirror: { name: string; description: string }[];
    /** docs rows: key, required, secret. */
    docs: [string, boolean, boolean][];
    /** The plain settings, in schema order after `type`. */
    settings: string[];
}

const SECRET_ROW = (suffix: string): [string, boolean, boolean] => [`${PROJECT}:<channel>${suffix}`, true, true];
const EXPECTED: Record<ChannelType, Derived> = {
    slack: {
        spec: { type: "slack", slackChannel: "#data-team" },
        keys: ["dataTeamWebhookUrl"],
        forms: ["slack-webhook-url"],
        sources: { url: { configKey: k("dataTeamWebhookUrl") } },
        mirror: [{ name: "slack-webhook-url-data-team", description: "Slack webhook URL for #data-team (Prefect alerts, stack prod)" }],
        docs: [["channels.<channel>.slackChannel", true, false], SECRET_ROW("WebhookUrl")],
        settings: ["slackChannel"],
    },
    webhook: {
        spec: { type: "webhook" },
        keys: ["dataTeamWebhookUrl"],
        forms: ["webhook-url"],
        sources: { url: { configKey: k("dataTeamWebhookUrl") } },
        mirror: [{ name: "webhook-url-data-team", description: "Webhook URL of alert channel dataTeam (stack prod)" }],
        docs: [["channels.<channel>.description", false, false], SECRET_ROW("WebhookUrl")],
        settings: ["description"],
    },
    pagerduty: {
        spec: { type: "pagerduty", service: "p1" },
        keys: [],
        forms: [],
        // From the integration the program creates; mirrored per service by the PagerDuty plan, not per channel.
        sources: { integrationKey: { pagerDutyService: "p1" } },
        mirror: [],
        docs: [
            ["channels.<channel>.service", true, false],
            ["(no config key)", true, true],
        ],
        settings: ["service"],
    },
    teams: {
        spec: { type: "teams" },
        keys: ["dataTeamWebhookUrl"],
        forms: ["teams-webhook-url"],
        sources: { url: { configKey: k("dataTeamWebhookUrl") } },
        mirror: [
            { name: "teams-webhook-url-data-team", description: "Microsoft Teams webhook URL of alert channel dataTeam (stack prod)" },
        ],
        docs: [["channels.<channel>.description", false, false], SECRET_ROW("WebhookUrl")],
        settings: ["description"],
    },
    heartbeat: {
        spec: { type: "heartbeat" },
        keys: ["dataTeamWebhookUrl"],
        forms: ["heartbeat-ping-url"],
        sources: { url: { configKey: k("dataTeamWebhookUrl") } },
        mirror: [{ name: "heartbeat-url-data-team", description: "Heartbeat ping URL of channel dataTeam (stack prod)" }],
        docs: [["channels.<channel>.description", false, false], SECRET_ROW("WebhookUrl")],
        settings: ["description"],
    },
    email: {
        spec: { type: "email", to: ["oncall@example.com"], from: "alerts@example.com" },
        keys: ["dataTeamApiKey"],
        forms: ["email-api-key"],
        sources: { apiKey: { configKey: k("dataTeamApiKey") } },
        mirror: [{ name: "email-api-key-data-team", description: "SendGrid API key of alert channel dataTeam (stack prod)" }],
        docs: [
            ["channels.<channel>.to", true, false],
            ["channels.<channel>.from", true, false],
            ["channels.<channel>.description", false, false],
            SECRET_ROW("ApiKey"),
        ],
        settings: ["to", "from", "description"],
    },
};

describe.each(CHANNEL_KINDS.map((kind) => [kind.type, kind as ChannelKind<any>] as const))("%s: derived from its options", (type, kind) => {
    const want = EXPECTED[type];
    const c = { name: CHANNEL, spec: want.spec };

    it("the config keys it reads, <channel><Option> for each secret option", () => {
        expect(kind.secretKeyNames(CHANNEL)).toEqual(want.keys);
        expect(kind.secrets(c, PROJECT).map((s) => [s.key, s.form])).toEqual(want.keys.map((key, i) => [k(key), want.forms[i]]));
        for (const o of kind.options.filter((o) => o.secret === true && !o.from))
            expect(kind.secretKeyNames(CHANNEL)).toContain(secretConfigKey(PROJECT, CHANNEL, o).split(":")[1]);
    });

    it("the block's sources, by the names its data reads", () => {
        expect(kind.block.sources(c, PROJECT)).toEqual(want.sources);
    });

    it("its Secrets Manager copies", () => {
        expect(kind.mirror(c, ctx)).toEqual(want.mirror.map((m, i) => ({ ...m, source: { configKey: k(want.keys[i]) } })));
    });

    it("the preview's stand-in for each secret passes that secret's own check, and its form is registered", () => {
        for (const s of kind.secrets(c, PROJECT)) {
            expect(SECRET_FORMS[s.form], s.form).toBe(kind.forms[s.form]);
            expect(formOf(s).valid(placeholderFor(s)), s.key).toBe(true);
        }
    });

    it("its docs rows, one per option", () => {
        expect(kind.docs(PROJECT).map((r) => [r.key, r.required, r.secret])).toEqual(want.docs);
        expect(kind.docs(PROJECT).every((r) => r.kind === type && r.description !== "" && r.form !== "")).toBe(true);
        for (const row of kind.docs(PROJECT).filter((r) => r.secret && r.key !== "(no config key)"))
            expect(Object.values(kind.forms).map((f) => f.expected)).toContain(row.form);
    });

    it("its schema: `type` and the plain options; a required one missing is refused, an unknown key is refused", () => {
        const shape = (kind.schema as any)._zod.def.shape as Record<string, unknown>;
        expect(Object.keys(shape)).toEqual(["type", ...want.settings]);
        expect(kind.schema.safeParse(want.spec).success).toBe(true);
        for (const o of kind.options.filter((o) => o.secret !== true && o.required)) {
            const { [o.key]: _, ...missing } = want.spec as Record<string, unknown>;
            expect(kind.schema.safeParse(missing).success, o.key).toBe(false);
        }
        expect(kind.schema.safeParse({ ...want.spec, [`${CHANNEL}Extra`]: "x" }).success).toBe(false);
    });
});

describe("the loader knows the suffixes only from the kinds", () => {
    it("every secret suffix, with the kinds that read it", () => {
        expect(CHANNEL_SECRET_SUFFIXES).toEqual([
            { suffix: "WebhookUrl", kinds: ["slack", "webhook", "teams", "heartbeat"] },
            { suffix: "ApiKey", kinds: ["email"] },
        ]);
    });

    /** A self-hosted stack whose warning tier sends to `dataTeam` (an e-mail channel), with `extra` keys set as secrets. */
    const stack = (extra: Record<string, string>): RawConfig => {
        const secrets = { [k("dataTeamApiKey")]: "SG.placeholder.dataTeamApiKey-not-a-real-key", ...extra };
        return {
            project: PROJECT,
            stack: "kinds",
            values: {
                "prefect:endpoint": "http://127.0.0.1:4200/api",
                [k("channels")]: JSON.stringify({ dataTeam: EXPECTED.email.spec }),
                [k("warning")]: JSON.stringify({ enabled: true, channels: ["dataTeam"] }),
                ...secrets,
            },
            secretKeys: new Set(Object.keys(secrets)),
        };
    };
    const refusal = (raw: RawConfig): ConfigError => {
        try {
            parseStackConfig(raw);
        } catch (e) {
            if (e instanceof ConfigError) return e;
            throw e;
        }
        throw new Error("accepted");
    };

    it("a derived key is read; the same suffix for no channel, or another kind's suffix, is refused naming the key", () => {
        expect(parseStackConfig(stack({})).secrets.map((s) => s.key)).toEqual([k("dataTeamApiKey")]);
        const typo = refusal(stack({ [k("dataTeemApiKey")]: "SG.placeholder.x-not-a-real-key" }));
        expect([typo.key, typo.expected]).toEqual([
            k("dataTeemApiKey"),
            "a <channel>ApiKey key for an email channel defined under channels (dataTeam)",
        ]);
        // dataTeam is an e-mail channel: a URL key for it belongs to no channel.
        const other = refusal(stack({ [k("dataTeamWebhookUrl")]: "https://example.com/x" }));
        expect(other.key).toBe(k("dataTeamWebhookUrl"));
        expect(other.expected).toMatch(/^a <channel>WebhookUrl key for a slack, webhook, teams or heartbeat channel/);
    });

    it("an unknown project key lists every suffix the kinds declare", () => {
        const e = refusal(stack({ [k("dataTeamToken")]: "x" }));
        expect(e.expected).toContain("<channel>WebhookUrl, <channel>ApiKey");
    });

    it("the docs rows of all kinds: every kind's, in registry order", () => {
        const rows = channelDocsRows(PROJECT);
        expect([...new Set(rows.map((r) => r.kind))]).toEqual(CHANNEL_KINDS.map((kind) => kind.type));
        expect(rows).toHaveLength(CHANNEL_KINDS.reduce((n, kind) => n + kind.options.length, 0));
    });
});
