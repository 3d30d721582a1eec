import type { Message } from "../alert/model";
import { defineKind } from "./define";
import { outsideJinja } from "./jinjaText";
import type { SecretForm } from "./kind";
import { capture, json } from "./jinjaJson";
import { customWebhookRawJson, descriptionOption } from "./webhook";

/**
 * A Microsoft Teams channel, through a webhook the channel's Workflows app
 * gives ("Send webhook alerts to a channel" / "Post to a channel when a
 * webhook request is received"), sent by Prefect's `custom-webhook` block.
 *
 * The body is an Adaptive Card in a message envelope, not the legacy
 * MessageCard: Workflows webhooks post only `attachments` of Adaptive Cards
 * (a MessageCard fails the flow: "'attachments' is of type 'Null'"), and the
 * Office 365 connector webhooks that took MessageCards were retired by
 * Microsoft in 2026; they took this envelope too. The card is the message's
 * body, rendered by Prefect (teamsCardTemplate), posted as is.
 */
export type TeamsSpec = { type: "teams"; description?: string };

/**
 * The webhook URL forms Teams hands out, https only (the URL's signature is
 * the credential): Workflows on Power Platform (today's), Workflows on Logic
 * Apps (before late 2025), and the retired Office 365 connector form.
 */
const TEAMS_ENDPOINTS: readonly { host: RegExp; path: RegExp }[] = [
    {
        host: /^[a-z0-9-]+(\.[a-z0-9-]+)*\.environment\.api\.powerplatform\.com$/,
        path: /^\/powerautomate\/automations\/direct\/workflows\/[^/]+/,
    },
    { host: /^[a-z0-9-]+(\.[a-z0-9-]+)*\.logic\.azure\.com$/, path: /^\/workflows\/[^/]+/ },
    { host: /^[a-z0-9-]+\.webhook\.office\.com$/, path: /^\/webhookb2\/[^/]+/ },
];

export function isTeamsWebhookUrl(text: string): boolean {
    if (/\s/.test(text)) return false;
    let u: URL;
    try {
        u = new URL(text);
    } catch {
        return false;
    }
    // URL() drops the default port, so `:443` passes and any other port does not.
    if (u.protocol !== "https:" || u.port !== "" || u.username !== "" || u.password !== "") return false;
    return TEAMS_ENDPOINTS.some((e) => e.host.test(u.hostname) && e.path.test(u.pathname));
}

const POWER_PLATFORM_PLACEHOLDER = "https://placeholder.environment.api.powerplatform.com/powerautomate/automations/direct/workflows";

export const teamsWebhookUrl: SecretForm = {
    name: "teams-webhook-url",
    noun: "Microsoft Teams webhook URL",
    expected: [
        "a Microsoft Teams webhook URL (https): a Workflows URL such as",
        "https://….environment.api.powerplatform.com/powerautomate/automations/direct/workflows/…",
        "or https://….logic.azure.com/workflows/…, or https://….webhook.office.com/webhookb2/…",
    ].join(" "),
    valid: isTeamsWebhookUrl,
    placeholder: (s) => `${POWER_PLATFORM_PLACEHOLDER}/placeholder-${s.key.split(":")[1]}/triggers/manual/paths/invoke`,
};

/** An Adaptive Card button that opens a page. */
export interface TeamsLinkAction {
    type: "Action.OpenUrl";
    title: string;
    url: string;
}

/**
 * The card Teams gets: the subject as its title, the body as Teams markdown below it, and an "Open the runbook"
 * button when the message has a runbook, in a message envelope. Plain data: the texts are what Teams shows.
 */
export function teamsCard(subject: string, body: string, runbook?: { url: string; text: string }) {
    const actions: TeamsLinkAction[] = runbook ? [{ type: "Action.OpenUrl", title: runbook.text, url: runbook.url }] : [];
    return {
        type: "message",
        attachments: [
            {
                contentType: "application/vnd.microsoft.card.adaptive",
                content: {
                    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
                    type: "AdaptiveCard",
                    // Teams Workflows render up to 1.4; only 1.0 elements are used (TextBlock, Action.OpenUrl).
                    version: "1.4",
                    body: [
                        { type: "TextBlock", text: subject, weight: "Bolder", size: "Medium", wrap: true },
                        { type: "TextBlock", text: body, wrap: true },
                    ],
                    ...(actions.length ? { actions } : {}),
                },
            },
        ],
    };
}

/** Stand-ins for the two texts in the card's JSON, replaced by Jinja expressions (no JSON text can contain them). */
const SUBJECT_SLOT = "\uE000subject\uE000";
const BODY_SLOT = "\uE000body\uE000";
const URL_SLOT = "\uE000url\uE000";

/**
 * The message as the card's JSON, a Jinja template Prefect renders when the automation fires: the subject and the
 * Teams markdown body are captured and put in with `| tojson`, so any text a run brings stays valid JSON. The block
 * posts it as is (`{{body}}` as form_data): a card fixed in the block's json_data could not hold a button that only
 * some of the channel's messages have. A runbook URL is config without quotes or braces (config/owners.ts), literal;
 * a runbook chosen per deployment at render time is an expression its `setup` defines (set before the captures: a
 * `{% set %}` inside a `{% set %}…{% endset %}` block stays there), and the button is there only when it renders a URL.
 */
export function teamsCardTemplate(m: Message): string {
    const runbook = m.detail?.runbook;
    const fill = (card: string) =>
        card.replace(JSON.stringify(SUBJECT_SLOT), json("subject | string")).replace(JSON.stringify(BODY_SLOT), json("body | string"));
    const captures = capture("subject", m.subject) + capture("body", teamsMarkdown(m.body));
    if (!runbook || "url" in runbook) return captures + fill(JSON.stringify(teamsCard(SUBJECT_SLOT, BODY_SLOT, runbook)));
    const button = { url: URL_SLOT, text: runbook.text };
    const actions = `,"actions":${JSON.stringify(teamsCard(SUBJECT_SLOT, BODY_SLOT, button).attachments[0].content.actions)}`;
    const card = JSON.stringify(teamsCard(SUBJECT_SLOT, BODY_SLOT, button)).replace(
        actions,
        `{% if ${runbook.expr} %}${actions.replace(JSON.stringify(URL_SLOT), json(runbook.expr))}{% endif %}`,
    );
    return (m.detail?.setup ?? "") + captures + fill(card);
}

/** The Slack emoji codes the rules write (alert/messages.ts and the signals), as the characters Teams shows. */
export const TEAMS_EMOJI: Record<string, string> = {
    x: "\u274C",
    rotating_light: "\u{1F6A8}",
    fire: "\u{1F525}",
    white_check_mark: "\u2705",
    warning: "\u26A0\uFE0F",
};

/**
 * The rules' Slack mrkdwn template as Teams (Adaptive Card) markdown:
 * `*bold*` -> `**bold**`, `<url|text>` -> `[text](url)`, `:emoji:` -> the
 * character, inline code unquoted (Adaptive Cards have none), and a blank line
 * between lines (a single newline is no break there). Jinja tags pass through
 * byte for byte (channels/jinjaText.ts).
 */
export function teamsMarkdown(template: string): string {
    return outsideJinja(template, (text) =>
        text
            .replace(/<([^<>|\n]+)\|([^<>\n]+)>/g, (_, url: string, label: string) => `[${label}](${url})`)
            .replace(/<([^<>|\n\s]+)>/g, "$1")
            .replace(/\*(?!\s)([^*\n]+?)(?<!\s)\*/g, "**$1**")
            .replace(/`([^`\n]+)`/g, "$1")
            .replace(/:([a-z0-9_+-]+):/g, (all, name: string) => TEAMS_EMOJI[name] ?? all)
            .replace(/\n+/g, "\n\n"),
    );
}

export const teams = defineKind<TeamsSpec>({
    type: "teams",
    summary: "a Microsoft Teams channel's Workflows webhook, an Adaptive Card in Teams markdown (`custom-webhook` block)",
    options: [
        { ...descriptionOption, description: "shown in the preview, e.g. the team and channel (the URL itself is a secret)" },
        {
            key: "webhookUrl",
            secret: true,
            required: true,
            form: teamsWebhookUrl,
            value: "url",
            description: "the channel's Workflows webhook URL (in the block's secrets)",
            mirror: {
                name: "teams-webhook-url",
                description: (c, stack) => `Microsoft Teams webhook URL of alert channel ${c.name} (stack ${stack})`,
            },
        },
    ],
    block: {
        typeSlug: "custom-webhook",
        secretFields: ["secrets.*"],
        // The URL only in the block's secrets; the rendered card posted as the request's body.
        data: (v, { blockName }) => customWebhookRawJson(blockName, v.url, "{{body}}"),
    },
    render: (m: Message) => ({ subject: m.subject, body: teamsCardTemplate(m) }),
    describe: (spec) => spec.description ?? "Microsoft Teams",
});
