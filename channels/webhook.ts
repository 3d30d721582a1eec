import { z } from "zod";
import { defineKind } from "./define";
import { SecretForm, isHttpUrl } from "./kind";

/**
 * Any URL that takes a JSON POST `{subject, body, name}`, through Prefect's
 * `custom-webhook` block: a chat bridge, an incident tool, or the loopback
 * receivers of the `local` stack. The text is the rules' Slack-style text as is
 * (the local stack's receivers stand in for Slack).
 */
export type WebhookSpec = { type: "webhook"; description?: string };

/**
 * The key under the custom-webhook block's `secrets` that holds the URL, and
 * that the placeholder `url` names. Not `subject`, `body` or `name`: the block
 * fills those in from the message and they would shadow a secret of that name.
 */
export const WEBHOOK_URL_SECRET = "webhook_url";

export const webhookUrl: SecretForm = {
    name: "webhook-url",
    noun: "webhook URL",
    expected: "an http:// or https:// URL",
    valid: (v) => isHttpUrl(v),
    placeholder: (s) => `https://placeholder.invalid/${s.key.split(":")[1]}`,
};

/**
 * custom-webhook `data` that keeps the URL secret: the block's `url` is a plain
 * field (returned by the API, shown in the UI, copied into events), so the URL
 * lives in `secrets` and `url` only names it; the block substitutes
 * `{{webhook_url}}` when it sends (CustomWebhookNotificationBlock._build_request_args).
 */
export function customWebhookData(blockName: string, url: string, jsonData: Record<string, unknown>): Record<string, unknown> {
    return {
        name: blockName,
        url: `{{${WEBHOOK_URL_SECRET}}}`,
        method: "POST",
        json_data: jsonData,
        timeout: 10,
        secrets: { [WEBHOOK_URL_SECRET]: url },
    };
}

/**
 * custom-webhook `data` that sends a raw JSON text: `form_data` as a string is
 * posted as the body itself (CustomWebhookNotificationBlock._build_request_args
 * uses httpx `content=` for a string), after `{{body}}` and the `secrets` are
 * filled in, in one pass (an inserted value is never read as a placeholder).
 * The message body is then a Jinja template of JSON (channels/jinjaJson.ts).
 */
export function customWebhookRawJson(
    blockName: string,
    url: string,
    body: string,
    secrets: Record<string, string> = {},
): Record<string, unknown> {
    return {
        name: blockName,
        url: `{{${WEBHOOK_URL_SECRET}}}`,
        method: "POST",
        headers: { "Content-Type": "application/json" },
        form_data: body,
        timeout: 10,
        secrets: { [WEBHOOK_URL_SECRET]: url, ...secrets },
    };
}

/** Free text shown in the preview (webhook, Teams and heartbeat channels); the URL itself is a secret. */
export const descriptionOption = {
    key: "description",
    required: false,
    form: "free text",
    description: "shown in the preview (the URL itself is a secret)",
    schema: z.string(),
} as const;

export const webhook = defineKind<WebhookSpec>({
    type: "webhook",
    summary: "any URL, JSON body `{subject, body, name}` (`custom-webhook` block; the `local` stack's loopback receivers)",
    options: [
        descriptionOption,
        {
            key: "webhookUrl",
            secret: true,
            required: true,
            form: webhookUrl,
            value: "url",
            description: "the URL the block POSTs `{subject, body, name}` to",
            mirror: { name: "webhook-url", description: (c, stack) => `Webhook URL of alert channel ${c.name} (stack ${stack})` },
        },
    ],
    block: {
        typeSlug: "custom-webhook",
        secretFields: ["secrets.*"],
        // Subject and body arrive as JSON fields, so receivers (and the end-to-end suite) read the rendered text as is.
        data: (v, { blockName }) => customWebhookData(blockName, v.url, { subject: "{{subject}}", body: "{{body}}", name: "{{name}}" }),
    },
    render: (m) => m,
    describe: (spec) => spec.description ?? "webhook",
});
