import type { Message } from "../alert/model";
import { withUiLinks } from "../alert/links";
/**
 * The `teams` channel kind (issue 9, item 1): config, secret form, block data,
 * how the rules' messages read on Teams, the preview's stand-in, and the real
 * program with a Teams channel under mocks (sentinel secrets included).
 */
import { describe, expect, it, vi } from "vitest";
import { blockKitBody } from "../channels/blockKit";
import { SECRET_FIELDS, SECRET_FORMS, blockData, channelSchema, kindOf } from "../channels/registry";
import { TEAMS_EMOJI, isTeamsWebhookUrl, teams, teamsCard, teamsCardTemplate, teamsMarkdown, teamsWebhookUrl } from "../channels/teams";
import { RUNBOOK_TEXT, withRunbook } from "../alert/runbook";
import { WEBHOOK_URL_SECRET } from "../channels/webhook";
import { ConfigError } from "../config/errors";
import { PROJECT, RawConfig, parseStackConfig, requiredSecrets, parseStructure } from "../config/load";
import { offlineConfig } from "../config/offline";
import { isSecretMarker } from "../harness/runProgram";
import { unknownTemplateNames } from "../prefect/vocabulary";
import { finalFailureMessage } from "../signals/finalFailure";
import { noSuccessMessage } from "../signals/allPipelinesDown";
import { blockFor, planAlerting } from "../rules/plan";
import { renderSample } from "../alert/templates";
import { T, ofType, plain, runStack } from "./helpers/program";
import { sentinelFor, unwrappedSentinels } from "./helpers/sentinels";
import { STACK_SECRETS, editKey, stackConfig } from "./helpers/stacks";
import { NASTY } from "./helpers/templateSyntax";

const k = (key: string) => `${PROJECT}:${key}`;
/** Made-up Teams webhook URLs of the forms Teams hands out (no real tenant, workflow or signature). */
const SIGNED = "?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
const WORKFLOW_ID = "00000000000000000000000000000000";
const WORKFLOW_URL = [
    "https://default0000000000000000000000000000.00.environment.api.powerplatform.com:443",
    `/powerautomate/automations/direct/workflows/${WORKFLOW_ID}/triggers/manual/paths/invoke${SIGNED}`,
].join("");
const LOGIC_APPS_URL = `https://prod-00.westeurope.logic.azure.com:443/workflows/${WORKFLOW_ID}/triggers/manual/paths/invoke${SIGNED}`;
const GUID = "00000000-0000-0000-0000-000000000000";
const CONNECTOR_URL = `https://contoso.webhook.office.com/webhookb2/${GUID}@${GUID}/IncomingWebhook/${WORKFLOW_ID}/${GUID}`;

/** prod with its warning channel (`alerts`) on Microsoft Teams. */
function teamsProd(url = WORKFLOW_URL, spec: Record<string, unknown> = { type: "teams", description: "Data team / Alerts" }): RawConfig {
    const raw = stackConfig("prod", {}, { ...STACK_SECRETS.prod, [k("alertsWebhookUrl")]: url });
    return editKey(raw, "channels", (c) => ({ ...c, alerts: spec }));
}

function configError(raw: RawConfig): ConfigError {
    try {
        parseStackConfig(raw);
    } catch (e) {
        if (e instanceof ConfigError) return e;
        throw e;
    }
    throw new Error("accepted");
}

/** Slack mrkdwn the rules write that Teams would show as is. */
const SLACK_SYNTAX: [string, RegExp][] = [
    ["<url|text> link", /<[^<>\n]*\|[^<>\n]*>/],
    ["*bold*", /(^|[^*])\*(?!\s|\*)[^*\n]+(?<!\s|\*)\*(?!\*)/],
    // Emoji names start with a letter (a time such as 06:02:11 is not one).
    [":emoji: code", /:[a-z][a-z0-9_+-]*:/],
    ["`code`", /`/],
    ["single line break", /[^\n]\n(?!\n)/],
];
const slackSyntaxIn = (text: string) => SLACK_SYNTAX.filter(([, re]) => re.test(text)).map(([what]) => what);
const jinjaTags = (t: string) => t.match(/\{\{(?:"(?:[^"\\]|\\.)*"|[^"])*?\}\}|\{%[\s\S]*?%\}/g) ?? [];

describe("config", () => {
    it("channels.<name>: {type: teams, description?} is a channel; unknown keys are refused", () => {
        expect(channelSchema.safeParse({ type: "teams" }).success).toBe(true);
        expect(channelSchema.safeParse({ type: "teams", description: "Data team / Alerts" }).success).toBe(true);
        expect(channelSchema.safeParse({ type: "teams", url: WORKFLOW_URL }).success).toBe(false);
        expect(channelSchema.safeParse({ type: "teams", description: 3 }).success).toBe(false);
    });

    it("a stack with a Teams channel parses; the channel reads <name>WebhookUrl, in the teams-webhook-url form", () => {
        const cfg = parseStackConfig(teamsProd());
        expect(cfg.channels.find((c) => c.name === "alerts")?.spec).toEqual({ type: "teams", description: "Data team / Alerts" });
        expect(cfg.secrets.find((s) => s.key === k("alertsWebhookUrl"))).toEqual({
            key: k("alertsWebhookUrl"),
            form: "teams-webhook-url",
            purpose: 'Microsoft Teams webhook URL of channel "alerts"',
        });
        expect(SECRET_FORMS["teams-webhook-url"]).toBe(teamsWebhookUrl);
    });

    it("an unknown key under a Teams channel is one ConfigError naming it", () => {
        const e = configError(teamsProd(WORKFLOW_URL, { type: "teams", webhookUrl: "x" }));
        expect({ stack: e.stack, key: e.key }).toEqual({ stack: "prod", key: k("channels.alerts.webhookUrl") });
    });
});

describe("the Teams webhook URL form", () => {
    it.each([
        ["a Workflows URL on Power Platform (today's form)", WORKFLOW_URL],
        ["the same without :443", WORKFLOW_URL.replace(":443", "")],
        ["a Workflows URL on Logic Apps", LOGIC_APPS_URL],
        ["an Office 365 connector URL", CONNECTOR_URL],
    ])("accepts %s", (_what, url) => {
        expect(isTeamsWebhookUrl(url)).toBe(true);
        expect(parseStackConfig(teamsProd(url)).channels.map((c) => c.spec.type)).toContain("teams");
    });

    it.each([
        ["http://", WORKFLOW_URL.replace("https:", "http:")],
        ["the loopback receiver of the local stack", "http://127.0.0.1:8787/teams"],
        ["https loopback", "https://localhost/webhookb2/x"],
        ["another host with a Teams path", "https://hooks.example.com/webhookb2/x"],
        ["a look-alike host", "https://contoso.webhook.office.com.example.com/webhookb2/x"],
        ["the bare Teams host", "https://webhook.office.com/webhookb2/x"],
        ["a Slack URL", "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"],
        ["another port", LOGIC_APPS_URL.replace(":443", ":8443")],
        ["user info", CONNECTOR_URL.replace("https://", "https://user:pass@")],
        ["a Teams host without the webhook path", "https://contoso.webhook.office.com/"],
        ["a Logic Apps host with another path", "https://prod-00.westeurope.logic.azure.com/subscriptions/x"],
        ["a trailing space", `${WORKFLOW_URL} `],
        ["no URL", "teams"],
    ])("refuses %s", (_what, url) => {
        expect(isTeamsWebhookUrl(url)).toBe(false);
        const e = configError(teamsProd(url));
        expect({ stack: e.stack, key: e.key }).toEqual({ stack: "prod", key: k("alertsWebhookUrl") });
        expect(e.expected).toBe(teamsWebhookUrl.expected);
        expect(e.message).not.toContain(url.trim());
    });

    it("the form's placeholder passes the form", () => {
        const key = { key: k("alertsWebhookUrl"), form: "teams-webhook-url", purpose: "p" };
        expect(teamsWebhookUrl.valid(teamsWebhookUrl.placeholder(key))).toBe(true);
    });
});

describe("block", () => {
    const block = blockFor("prod", { name: "alerts", spec: { type: "teams" } }, PROJECT);

    it("is a custom-webhook block whose URL is only in its secrets, posting the rendered card as is", () => {
        expect(block.typeSlug).toBe("custom-webhook");
        expect(block.sources).toEqual({ url: { configKey: k("alertsWebhookUrl") } });
        const data = blockData(block, { url: WORKFLOW_URL }) as Record<string, any>;
        expect(data.secrets).toEqual({ [WEBHOOK_URL_SECRET]: WORKFLOW_URL });
        const { secrets: _, ...rest } = data;
        expect(JSON.stringify(rest)).not.toContain(new URL(WORKFLOW_URL).hostname);
        // Only what custom-webhook fills in (its block_initialization refuses any other placeholder): the body, the URL.
        expect(rest).toEqual({
            name: "prod-alerts",
            url: `{{${WEBHOOK_URL_SECRET}}}`,
            method: "POST",
            headers: { "Content-Type": "application/json" },
            form_data: "{{body}}",
            timeout: 10,
        });
        // Prefect masks every key under secrets (the block schema's secret_fields).
        expect(SECRET_FIELDS["custom-webhook"]).toEqual(["secrets.*"]);
    });

    it("the card is an Adaptive Card in a message envelope: the subject its title, the body below, no button without a runbook", () => {
        const card = teamsCard("S", "B");
        expect(card.type).toBe("message");
        const [attachment] = card.attachments;
        expect(attachment.contentType).toBe("application/vnd.microsoft.card.adaptive");
        expect(attachment.content.type).toBe("AdaptiveCard");
        expect(attachment.content.version).toBe("1.4");
        expect(attachment.content.body.map((b) => [b.type, b.text])).toEqual([
            ["TextBlock", "S"],
            ["TextBlock", "B"],
        ]);
        expect(attachment.content).not.toHaveProperty("actions");
    });

    it("with a runbook, the card has one Action.OpenUrl button to it, after the body", () => {
        const url = "https://wiki.example.com/runbooks/orders";
        const { content } = teamsCard("S", "B", { url, text: RUNBOOK_TEXT }).attachments[0];
        expect(content.actions).toEqual([{ type: "Action.OpenUrl", title: "Open the runbook", url }]);
        expect(Object.keys(content)).toEqual(["$schema", "type", "version", "body", "actions"]);
    });
});

describe("the card template (what the automation's action sends)", () => {
    const url = "https://wiki.example.com/runbooks/orders";
    const rendered = (m: Message, context?: Parameters<typeof renderSample>[2]) =>
        JSON.parse(renderSample(teamsCardTemplate(m), "http://ui", context));

    it("renders to the card of the rendered subject and Teams markdown body, with the runbook button when there is one", () => {
        const plainMessage = finalFailureMessage(true);
        const subject = renderSample(plainMessage.subject, "http://ui");
        expect(rendered(plainMessage)).toEqual(teamsCard(subject, renderSample(teamsMarkdown(plainMessage.body), "http://ui")));
        expect(rendered(plainMessage).attachments[0].content.actions).toBeUndefined();

        const withBook = withRunbook(plainMessage, url);
        const card = rendered(withBook);
        expect(card).toEqual(teamsCard(subject, renderSample(teamsMarkdown(withBook.body), "http://ui"), { url, text: RUNBOOK_TEXT }));
        expect(card.attachments[0].content.actions).toEqual([{ type: "Action.OpenUrl", title: "Open the runbook", url }]);
        // The body keeps its runbook line too (a client that shows no buttons still has the link).
        expect(card.attachments[0].content.body[1].text).toContain(`[open the runbook](${url})`);
    });

    it("a run's text with quotes, backslashes, newlines and braces still gives valid JSON, shown as written", () => {
        const message = 'a "quoted" \\ path\nline two {{ not a tag }} </script>';
        const card = rendered(finalFailureMessage(true), {
            flow: { name: 'f"x' },
            flow_run: { id: "1", name: "r", state: { name: "Failed", message, timestamp: "t" } },
        });
        expect(card.attachments[0].content.body[0].text).toBe('Pipeline failed: f"x (Failed)');
        expect(card.attachments[0].content.body[1].text).toContain(`**Error**: ${message}`);
    });
});

describe("the Secrets Manager copy and the preview name", () => {
    it("is mirrored as teams-webhook-url-<kebab> and described by its description, else as Microsoft Teams", () => {
        const c = { name: "dataTeam", spec: { type: "teams" as const } };
        expect(teams.mirror(c, { stack: "prod", kebab: "data-team", project: PROJECT })).toEqual([
            {
                name: "teams-webhook-url-data-team",
                description: "Microsoft Teams webhook URL of alert channel dataTeam (stack prod)",
                source: { configKey: k("dataTeamWebhookUrl") },
            },
        ]);
        expect(teams.describe({ type: "teams" })).toBe("Microsoft Teams");
        expect(teams.describe({ type: "teams", description: "Data team / Alerts" })).toBe("Data team / Alerts");
        expect(kindOf({ type: "teams" })).toBe(teams);
    });
});

describe("messages on Teams", () => {
    // Every message the rules write: each signal on its own Teams channel (local stack, all tiers and notices on).
    const raw = editKey(
        stackConfig(
            "local",
            {},
            { ...Object.fromEntries(["alerts", "critical", "pager", "info"].map((c) => [k(`${c}WebhookUrl`), WORKFLOW_URL])) },
        ),
        "channels",
        (c) => Object.fromEntries(Object.keys(c).map((name) => [name, { type: "teams" }])),
    );
    const cfg = parseStackConfig(raw);
    const plan = planAlerting(cfg);
    // What the kind renders: the message with its UI links on the stack's base (alert/links.ts).
    const linked = (m: Message): Message => ({
        ...m,
        subject: withUiLinks(m.subject, cfg.prefect.uiUrl),
        body: withUiLinks(m.body, cfg.prefect.uiUrl),
    });
    const actions = plan.automations.flatMap((a) => a.actions.map((action) => ({ key: a.key, message: linked(a.message), action })));

    it("covers every signal of the stack", () => {
        expect([...new Set(actions.map((a) => a.key))].sort()).toEqual([
            "critical-dlt",
            "p1-no-success-dlt",
            "p1-work-pool-not-ready",
            "success-notice",
            "warning-dlt",
        ]);
    });

    it("each action carries the message rendered for Teams; its Jinja tags are unchanged and name only what Prefect provides", () => {
        for (const { key, message, action } of actions) {
            expect(action.subject, key).toBe(message.subject);
            expect(action.body, key).toBe(teamsCardTemplate(message));
            // The body's own tags are unchanged (a link's URL now follows its text, so not in the same order).
            expect(jinjaTags(teamsMarkdown(message.body)).sort(), key).toEqual(jinjaTags(message.body).sort());
            expect(unknownTemplateNames(action.body), key).toEqual([]);
        }
    });

    it("rendered, no Slack syntax is left, and every Slack link is a markdown link", () => {
        let links = 0;
        for (const { key, message, action } of actions) {
            const slack = renderSample(message.body, "http://127.0.0.1:4200");
            const text: string = JSON.parse(renderSample(action.body, "http://127.0.0.1:4200")).attachments[0].content.body[1].text;
            expect(slackSyntaxIn(text), key).toEqual([]);
            const slackLinks = [...slack.matchAll(/<([^<>|\n]+)\|([^<>\n]+)>/g)].map(([, url, label]) => `[${label}](${url})`);
            for (const link of slackLinks) expect(text, key).toContain(link);
            links += slackLinks.length;
            expect(text, key).toMatch(/\*\*[^*\n]+\*\*/);
        }
        // Run and work pool links: the failure, critical, work-pool and success messages have one each.
        expect(links).toBe(actions.filter((a) => a.message.body.includes(`${cfg.prefect.uiUrl}/`)).length);
        expect(links).toBeGreaterThanOrEqual(4);
    });

    it("a failure reads as Teams markdown: bold labels, Unicode emoji, a blank line between lines, the run's link", () => {
        const text = renderSample(teamsMarkdown(finalFailureMessage(true).body), "http://127.0.0.1:4200");
        expect(text.split("\n\n").slice(0, 4)).toEqual([
            "\u274C **Pipeline failed**: exchange-rates-daily",
            "**Flow**: exchange-rates-daily",
            "**Deployment**: exchange-rates-daily-prod",
            "**Run**: crimson-okapi (0f1e2d3c-4b5a-4968-8776-655443322110)",
        ]);
        const run = "http://127.0.0.1:4200/runs/flow-run/0f1e2d3c-4b5a-4968-8776-655443322110";
        expect(text).toContain(`**Logs and history**: [open the flow run in Prefect](${run})`);
        expect(text).not.toMatch(/\n{3}/);
        // A run without a deployment: the line goes, no empty paragraph is left.
        const bare = renderSample(teamsMarkdown(finalFailureMessage(true).body), "http://ui", {
            flow: { name: "f" },
            flow_run: { id: "1", name: "r", state: { name: "Crashed", message: "m", timestamp: "t" } },
        });
        expect(bare).not.toContain("Deployment");
        expect(bare).not.toMatch(/\n{3}/);
    });

    it("a route's runbook reaches every Teams card of its automations as an Open the runbook button; others get none", () => {
        const url = "https://wiki.example.com/runbooks/dlt";
        const withBook = planAlerting(parseStackConfig(editKey(raw, "routes", (r) => ({ ...r, dlt: { ...r.dlt, runbook: url } }))));
        const buttons = (body: string) => JSON.parse(renderSample(body, "http://127.0.0.1:4200")).attachments[0].content.actions;
        const onRoute = withBook.automations.filter((a) => a.routes.includes("dlt"));
        expect(onRoute.length).toBeGreaterThanOrEqual(3);
        for (const a of withBook.automations)
            for (const action of a.actions)
                expect(buttons(action.body), a.key).toEqual(
                    a.routes.includes("dlt") ? [{ type: "Action.OpenUrl", title: "Open the runbook", url }] : undefined,
                );
        for (const { key, action } of actions) expect(buttons(action.body), key).toBeUndefined();
    });

    it("every emoji code the rules use has a Unicode character", () => {
        const codes = new Set(actions.flatMap(({ message }) => [...message.body.matchAll(/:([a-z0-9_+-]+):/g)].map((m) => m[1])));
        expect(codes.size).toBeGreaterThan(0);
        for (const code of codes) expect(TEAMS_EMOJI[code], code).toBeDefined();
    });

    it("Jinja passes through byte for byte, markup inside tags included", () => {
        const template = '*a {{ 2 * 3 }}* `{{ x }}` {% if y %}<{{ u|ui_url }}|go>{% endif %}\n{# *c* :x: #}{{ "*b* <x|y> :x:\\n" }}';
        expect(teamsMarkdown(template)).toBe(
            '**a {{ 2 * 3 }}** {{ x }} {% if y %}[go]({{ u|ui_url }}){% endif %}\n\n{# *c* :x: #}{{ "*b* <x|y> :x:\\n" }}',
        );
    });

    it("route text with template syntax still renders exactly as written", () => {
        for (const nasty of NASTY.filter((t) => /[{}]/.test(t))) {
            const text = renderSample(teamsMarkdown(noSuccessMessage(`flow runs tagged ${nasty}`, 1800).body), "http://ui");
            expect(text, nasty).toContain(`flow runs tagged ${nasty} reached Completed`);
        }
    });

    it("text that happens to hold the private-use characters used as tag tokens is kept as it is", () => {
        const template = "\uE000 0\uE000 *{{ a }}* \uE0010\uE001";
        expect(teamsMarkdown(template)).toBe("\uE000 0\uE000 **{{ a }}** \uE0010\uE001");
    });
});

describe("the real program under mocks: prod with its warning channel on Teams", () => {
    it("registers a custom-webhook block posting the card, and the warning action's body is the card in Teams markdown", async () => {
        vi.resetModules();
        const run = await runStack("prod", teamsProd());
        const block = ofType(run, T.block).find((b) => b.name === "block-alerts")!;
        expect(plain(block).typeSlug).toBe("custom-webhook");
        // The block's data is a secret as a whole.
        expect(isSecretMarker(block.rawInputs.data)).toBe(true);
        const data = JSON.parse(plain(block).data);
        expect(data.form_data).toBe("{{body}}");
        expect(data.secrets).toEqual({ [WEBHOOK_URL_SECRET]: WORKFLOW_URL });

        const warning = plain(ofType(run, T.automation).find((a) => a.name === "warning-dlt")!);
        expect(warning.actions).toHaveLength(1);
        const [action] = warning.actions;
        expect(action.subject).toBe("Pipeline failed: {{ flow.name }} ({{ flow_run.state.name }})");
        const ui = parseStackConfig(teamsProd()).prefect.uiUrl;
        const linkedFailure = { ...finalFailureMessage(true), body: withUiLinks(finalFailureMessage(true).body, ui) };
        expect(action.body).toBe(teamsCardTemplate(linkedFailure));
        expect(action.body).toContain(teamsMarkdown(linkedFailure.body));
        // prod's dlt route has no runbook: no button.
        expect(action.body).not.toContain("Action.OpenUrl");
        expect(action.body).toContain("**Flow**: {{ flow.name }}");
        expect(action.body).toContain(
            `[open the flow run in Prefect]({{ (${JSON.stringify(`${ui}/runs/flow-run/`)} ~ (flow_run.id | string)) }})`,
        );
        // The other channels still get Slack's rendering (Block Kit, the flow as a field), not Teams markdown.
        const critical = plain(ofType(run, T.automation).find((a) => a.name === "critical-dlt")!);
        const planned = planAlerting(parseStackConfig(teamsProd())).automations.find((a) => a.key === "critical-dlt")!;
        const withLink = {
            ...planned.message,
            detail: {
                ...planned.message.detail!,
                link: { ...planned.message.detail!.link!, url: withUiLinks(planned.message.detail!.link!.url, ui) },
            },
        };
        expect(critical.actions[0].body).toBe(blockKitBody(withLink, "prefect-alerting · stack prod · critical"));
        expect(critical.actions[0].body).toContain('"*Flow*\\n" ~ ((flow.name)');
        expect(critical.actions[0].body).not.toContain("**Flow**");
    });

    it("a sentinel Teams URL reaches only secret inputs: the block and its Secrets Manager copy teams-webhook-url-alerts", async () => {
        vi.resetModules();
        const keys = requiredSecrets(parseStructure(teamsProd()));
        const sentinel = sentinelFor(
            "prod",
            keys.find((s) => s.key === k("alertsWebhookUrl"))!,
        );
        expect(parseStackConfig(teamsProd(sentinel.value)).secrets.map((s) => s.form)).toContain("teams-webhook-url");
        const run = await runStack("prod", teamsProd(sentinel.value));
        expect(run.resources.flatMap((r) => unwrappedSentinels(r.rawInputs, [sentinel], `${r.type} ${r.name}`))).toEqual([]);
        const holders = run.resources.filter((r) => JSON.stringify(r.rawInputs).includes(sentinel.value)).map((r) => r.type);
        expect(holders.sort()).toEqual([T.secretVersion, T.block]);
        const secret = ofType(run, T.secret).map((r) => plain(r).name);
        expect(secret).toContain("prod/prefect/teams-webhook-url-alerts");
    });
});

describe("the offline preview", () => {
    it("stands in for a missing Teams URL with a value of Teams' form, and lists it", () => {
        const raw = teamsProd();
        const values = { ...raw.values };
        delete values[k("alertsWebhookUrl")];
        const { raw: offline, placeholders } = offlineConfig("prod", {
            values,
            encrypted: [...raw.secretKeys].filter((key) => key !== k("alertsWebhookUrl")),
        });
        const stand = placeholders.find((p) => p.key === k("alertsWebhookUrl"))!;
        expect(stand).toMatchObject({ mustSet: true, command: "pulumi config set --secret alertsWebhookUrl <value>" });
        expect(isTeamsWebhookUrl(stand.value)).toBe(true);
        expect(parseStackConfig(offline).channels.map((c) => c.spec.type)).toContain("teams");
    });
});
