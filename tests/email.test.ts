/**
 * The `email` channel kind (channels/email.ts): config, the API key's form, the block's data (SendGrid v3 Mail Send
 * through custom-webhook, the key only in the block's secrets), the messages as plain text, the real program under
 * mocks with a sentinel key, and the offline preview's stand-in. Bad configs: tests/badConfigs.test.ts.
 */
import { describe, expect, it, vi } from "vitest";
import { API_KEY_SECRET, SENDGRID_MAIL_SEND_URL, email, emailApiKey, mailJson, plainText } from "../channels/email";
import { SECRET_FIELDS, blockData, channelSchema } from "../channels/registry";
import { WEBHOOK_URL_SECRET } from "../channels/webhook";
import { PROJECT, RawConfig, parseStackConfig, parseStructure, requiredSecrets } from "../config/load";
import { offlineConfig } from "../config/offline";
import { isSecretMarker } from "../harness/runProgram";
import { unknownTemplateNames } from "../prefect/vocabulary";
import { withUiLinks } from "../alert/links";
import { finalFailureMessage } from "../signals/finalFailure";
import { blockFor, planAlerting } from "../rules/plan";
import { renderSample } from "../alert/templates";
import { T, ofType, plain, runStack } from "./helpers/program";
import { sentinelFor, unwrappedSentinels } from "./helpers/sentinels";
import { STACK_SECRETS, editKey, stackConfig } from "./helpers/stacks";

const k = (key: string) => `${PROJECT}:${key}`;
const SPEC = { type: "email" as const, to: ["oncall@example.com", "data-team@example.com"], from: "alerts@example.com" };
/** Made up, of SendGrid's form. */
const API_KEY = "SG.unit-test-key-id.not-a-real-sendgrid-secret";

/** prod with its warning channel (`alerts`) an e-mail channel. */
function emailProd(apiKey = API_KEY, spec: Record<string, unknown> = SPEC): RawConfig {
    const { [k("alertsWebhookUrl")]: _, ...secrets } = STACK_SECRETS.prod;
    const raw = stackConfig("prod", {}, { ...secrets, [k("alertsApiKey")]: apiKey });
    return editKey(raw, "channels", (c) => ({ ...c, alerts: spec }));
}

const jinjaTags = (t: string) => t.match(/\{\{(?:"(?:[^"\\]|\\.)*"|[^"])*?\}\}|\{%[\s\S]*?%\}/g) ?? [];

describe("config", () => {
    it("channels.<name>: {type: email, to, from, description?}; the channel reads <name>ApiKey in the email-api-key form", () => {
        expect(channelSchema.safeParse(SPEC).success).toBe(true);
        expect(channelSchema.safeParse({ ...SPEC, description: "Data on-call" }).success).toBe(true);
        expect(channelSchema.safeParse({ ...SPEC, apiKey: API_KEY }).success).toBe(false);
        expect(channelSchema.safeParse({ ...SPEC, to: "oncall@example.com" }).success).toBe(false);
        expect(channelSchema.safeParse({ ...SPEC, to: ["a@example.com", "a@example.com"] }).success).toBe(false);
        const cfg = parseStackConfig(emailProd());
        expect(cfg.channels.find((c) => c.name === "alerts")?.spec).toEqual(SPEC);
        expect(cfg.secrets.find((s) => s.key === k("alertsApiKey"))).toEqual({
            key: k("alertsApiKey"),
            form: "email-api-key",
            purpose: 'SendGrid API key of channel "alerts"',
        });
    });

    it.each([
        ["no SG. prefix", "unit-test-key-id.not-a-real-sendgrid-secret"],
        ["one part only", "SG.unit-test-key-id"],
        ["a space", "SG.unit-test-key-id.not a real secret"],
        ["a line break (it goes into an HTTP header)", "SG.unit-test-key-id.not-a-real\nX-Other: 1"],
        ["a bearer prefix", `Bearer ${API_KEY}`],
    ])("the API key form refuses %s", (_what, key) => {
        expect(emailApiKey.valid(key)).toBe(false);
        expect(() => parseStackConfig(emailProd(key))).toThrow(emailApiKey.expected);
    });
});

describe("block", () => {
    const block = blockFor("prod", { name: "alerts", spec: SPEC }, PROJECT);

    it("a custom-webhook POST to SendGrid Mail Send; the key only in its secrets, named by the Authorization header", () => {
        expect(block.typeSlug).toBe("custom-webhook");
        expect(block.sources).toEqual({ apiKey: { configKey: k("alertsApiKey") } });
        const data = blockData(block, { apiKey: API_KEY }) as Record<string, any>;
        expect(data).toEqual({
            name: "prod-alerts",
            url: `{{${WEBHOOK_URL_SECRET}}}`,
            method: "POST",
            headers: { Authorization: `Bearer {{${API_KEY_SECRET}}}` },
            json_data: {
                personalizations: [{ to: [{ email: "oncall@example.com" }, { email: "data-team@example.com" }] }],
                from: { email: "alerts@example.com" },
                subject: "{{subject}}",
                content: [{ type: "text/plain", value: "{{body}}" }],
            },
            timeout: 10,
            secrets: { [WEBHOOK_URL_SECRET]: SENDGRID_MAIL_SEND_URL, [API_KEY_SECRET]: API_KEY },
        });
        const { secrets: _, ...rest } = data;
        expect(JSON.stringify(rest)).not.toContain("not-a-real-sendgrid-secret");
        // Prefect masks every key under secrets (the block schema's secret_fields).
        expect(SECRET_FIELDS["custom-webhook"]).toEqual(["secrets.*"]);
    });

    it("names only placeholders custom-webhook fills (subject, body, and its own secrets)", () => {
        const data = blockData(block, { apiKey: API_KEY }) as Record<string, any>;
        const { secrets, ...rest } = data;
        const names = [...JSON.stringify(rest).matchAll(/\{\{\s*([A-Za-z_]+)\s*\}\}/g)].map((m) => m[1]);
        expect(names.sort()).toEqual(["api_key", "body", "subject", "webhook_url"]);
        for (const name of names.filter((n) => n !== "subject" && n !== "body")) expect(Object.keys(secrets)).toContain(name);
    });

    it("is mirrored as email-api-key-<kebab>, and described by its description, else by its recipients", () => {
        const c = { name: "dataTeam", spec: SPEC };
        expect(email.mirror(c, { stack: "prod", kebab: "data-team", project: PROJECT })).toEqual([
            {
                name: "email-api-key-data-team",
                description: "SendGrid API key of alert channel dataTeam (stack prod)",
                source: { configKey: k("dataTeamApiKey") },
            },
        ]);
        expect(email.describe(SPEC)).toBe("e-mail to oncall@example.com, data-team@example.com");
        expect(email.describe({ ...SPEC, description: "Data on-call" })).toBe("Data on-call");
        expect(mailJson({ to: ["a@example.com"], from: "b@example.com" }).personalizations).toEqual([{ to: [{ email: "a@example.com" }] }]);
    });
});

describe("messages as plain text", () => {
    it("links become `text (url)`; bold, code and the title's emoji code go; Jinja passes through byte for byte", () => {
        const template = [
            ":x: *Pipeline failed*: {{ flow.name }}",
            "*Run*: {{ r }} (`{{ id }}`)",
            "<{{ u|ui_url }}|open it> <https://x.example/a>",
            '```{{ "*e*" }}```',
        ].join("\n");
        expect(plainText(template)).toBe(
            'Pipeline failed: {{ flow.name }}\nRun: {{ r }} ({{ id }})\nopen it ({{ u|ui_url }}) https://x.example/a\n{{ "*e*" }}',
        );
    });

    const raw = editKey(
        stackConfig("local", {}, { ...Object.fromEntries(["alerts", "critical", "pager", "info"].map((c) => [k(`${c}ApiKey`), API_KEY])) }),
        "channels",
        (c) => Object.fromEntries(Object.keys(c).map((name) => [name, SPEC])),
    );
    const cfg = parseStackConfig(raw);
    const actions = planAlerting(cfg).automations.flatMap((a) =>
        a.actions.map((action) => ({ key: a.key, body: withUiLinks(a.message.body, cfg.prefect.uiUrl), action })),
    );

    it("every message of the local stack (all tiers and notices) on e-mail: plain text, the same Jinja tags", () => {
        expect(actions.length).toBeGreaterThanOrEqual(5);
        for (const { key, body, action } of actions) {
            expect(action.body, key).toBe(plainText(body));
            expect(jinjaTags(action.body).sort(), key).toEqual(jinjaTags(body).sort());
            expect(unknownTemplateNames(action.body), key).toEqual([]);
            const text = renderSample(action.body, "http://127.0.0.1:4200");
            expect(text, key).not.toMatch(/<[^<>\n]*\|[^<>\n]*>/);
            expect(text, key).not.toMatch(/(^|\s)\*[^*\s][^*\n]*\*/);
            expect(text, key).not.toMatch(/^:[a-z][a-z0-9_+-]*:/m);
        }
    });

    it("a failure reads as plain text, with the run's link as `text (url)`", () => {
        const text = renderSample(plainText(finalFailureMessage(true).body), "http://127.0.0.1:4200");
        expect(text.split("\n").slice(0, 5)).toEqual([
            "Pipeline failed: exchange-rates-daily",
            "",
            "Flow: exchange-rates-daily",
            "Deployment: exchange-rates-daily-prod",
            "Run: crimson-okapi (0f1e2d3c-4b5a-4968-8776-655443322110)",
        ]);
        expect(text).toContain("open the flow run in Prefect (http://127.0.0.1:4200/runs/flow-run/0f1e2d3c-4b5a-4968-8776-655443322110)");
    });
});

describe("the real program under mocks: prod with its warning channel on e-mail", () => {
    it("a sentinel API key reaches only secret inputs: the block and its Secrets Manager copy email-api-key-alerts", async () => {
        vi.resetModules();
        const key = requiredSecrets(parseStructure(emailProd())).find((s) => s.key === k("alertsApiKey"))!;
        const sentinel = sentinelFor("prod", key);
        const run = await runStack("prod", emailProd(sentinel.value));
        expect(run.resources.flatMap((r) => unwrappedSentinels(r.rawInputs, [sentinel], `${r.type} ${r.name}`))).toEqual([]);
        const holders = run.resources.filter((r) => JSON.stringify(r.rawInputs).includes(sentinel.value)).map((r) => r.type);
        expect(holders.sort()).toEqual([T.secretVersion, T.block]);
        expect(ofType(run, T.secret).map((r) => plain(r).name)).toContain("prod/prefect/email-api-key-alerts");

        const block = ofType(run, T.block).find((b) => b.name === "block-alerts")!;
        expect(isSecretMarker(block.rawInputs.data)).toBe(true);
        expect(JSON.parse(plain(block).data).secrets[API_KEY_SECRET]).toBe(sentinel.value);
        const warning = plain(ofType(run, T.automation).find((a) => a.name === "warning-dlt")!);
        const ui = parseStackConfig(emailProd()).prefect.uiUrl;
        expect(warning.actions.map((a: { body: string }) => a.body)).toEqual([plainText(withUiLinks(finalFailureMessage(true).body, ui))]);
    });
});

describe("the offline preview", () => {
    it("stands in for a missing API key with a value of SendGrid's form, and lists it", () => {
        const raw = emailProd();
        const values = { ...raw.values };
        delete values[k("alertsApiKey")];
        const { raw: offline, placeholders } = offlineConfig("prod", {
            values,
            encrypted: [...raw.secretKeys].filter((key) => key !== k("alertsApiKey")),
        });
        const stand = placeholders.find((p) => p.key === k("alertsApiKey"))!;
        expect(stand).toMatchObject({ mustSet: true, command: "pulumi config set --secret alertsApiKey <value>" });
        expect(emailApiKey.valid(stand.value)).toBe(true);
        expect(parseStackConfig(offline).channels.map((c) => c.spec.type)).toContain("email");
    });
});
