import { z } from "zod";
import { defineKind } from "./define";
import { outsideJinja } from "./jinjaText";
import type { SecretForm } from "./kind";
import { WEBHOOK_URL_SECRET, customWebhookData } from "./webhook";

/**
 * E-mail through SendGrid's v3 Mail Send API, sent by Prefect's
 * `custom-webhook` block: a JSON POST with the API key as a bearer token, the
 * key held in the block's `secrets` (the `Authorization` header only names
 * it). Not Prefect's `sendgrid-email` block: it hands Apprise a `sendgrid://`
 * URL whose host is fixed (prefect/blocks/notifications.py SendgridEmail
 * `_build_sendgrid_url`), so it cannot be pointed at a test receiver;
 * custom-webhook sends the same request with the URL in `secrets` too, so the
 * end-to-end suite delivers it to a loopback receiver. The message is plain
 * text: the subject, and the rules' Slack mrkdwn body without markup (`plainText`).
 */
export type EmailSpec = { type: "email"; to: string[]; from: string; description?: string };

/** SendGrid v3 Mail Send (https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send). */
export const SENDGRID_MAIL_SEND_URL = "https://api.sendgrid.com/v3/mail/send";
/** The block's secret holding the API key, named by the Authorization header. Not subject, body or name (they would shadow it). */
export const API_KEY_SECRET = "api_key";

/** One address, no display name; no braces or quotes, so no value ever reads as a custom-webhook placeholder. */
const ADDRESS = /^[^\s@<>()[\]{},;:"\\]+@[^\s@<>()[\]{},;:"\\]+\.[^\s@<>()[\]{},;:"\\]+$/;
const addressError = (what: string) => `${what} such as "data-oncall@example.com"`;
const address = (what: string) => z.string({ error: addressError(what) }).regex(ADDRESS, { error: addressError(what) });
const toError = 'a list of one or more e-mail addresses without duplicates, such as ["data-oncall@example.com"]';

/** A SendGrid API key: `SG.<id>.<secret>`, which also keeps line breaks and spaces out of the header it goes into. */
export const emailApiKey: SecretForm = {
    name: "email-api-key",
    noun: "SendGrid API key",
    expected: "a SendGrid API key of the form SG.<id>.<secret> (letters, digits, - and _; no spaces)",
    valid: (v) => /^SG\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}$/.test(v),
    placeholder: (s) => `SG.placeholder.${s.key.split(":")[1]}-not-a-real-key`,
};

/**
 * The rules' Slack mrkdwn template as plain text: `<url|text>` -> `text (url)`,
 * `<url>` -> url, `*bold*` and inline code without their marks, code fences
 * dropped, and the emoji code before a bold title (`:x: *Pipeline failed*`)
 * dropped. Jinja tags pass through byte for byte (channels/jinjaText.ts).
 */
export function plainText(template: string): string {
    return outsideJinja(template, (text) =>
        text
            .replace(/<([^<>|\n]+)\|([^<>\n]+)>/g, (_, url: string, label: string) => `${label} (${url})`)
            .replace(/<([^<>|\n\s]+)>/g, "$1")
            .replace(/:[a-z][a-z0-9_+-]*: (?=\*)/g, "")
            .replace(/```/g, "")
            .replace(/\*(?!\s)([^*\n]+?)(?<!\s)\*/g, "$1")
            .replace(/`([^`\n]+)`/g, "$1"),
    );
}

/** The Mail Send request body; custom-webhook fills `{{subject}}` and `{{body}}` and sends it with httpx `json=`. */
export function mailJson(spec: Pick<EmailSpec, "to" | "from">): Record<string, unknown> {
    return {
        personalizations: [{ to: spec.to.map((email) => ({ email })) }],
        from: { email: spec.from },
        subject: "{{subject}}",
        content: [{ type: "text/plain", value: "{{body}}" }],
    };
}

export const email = defineKind<EmailSpec>({
    type: "email",
    summary: "e-mail through SendGrid's v3 Mail Send API, plain text (`custom-webhook` block, API key in its secrets)",
    options: [
        {
            key: "to",
            required: true,
            form: toError,
            description: "the addresses the alerts go to (one message to all of them)",
            schema: z
                .array(address("an e-mail address"), { error: toError })
                .min(1, { error: toError })
                .refine((xs) => new Set(xs).size === xs.length, { error: toError }),
        },
        {
            key: "from",
            required: true,
            form: addressError("the sender's e-mail address"),
            description: "the sender: an address of a domain (or a single sender) verified in SendGrid",
            schema: address("the sender's e-mail address"),
        },
        {
            key: "description",
            required: false,
            form: "free text",
            description: "shown in the preview (the API key itself is a secret)",
            schema: z.string(),
        },
        {
            key: "apiKey",
            secret: true,
            required: true,
            form: emailApiKey,
            description: "a SendGrid API key with the Mail Send permission (in the block's secrets, sent as a bearer token)",
        },
    ],
    block: {
        typeSlug: "custom-webhook",
        secretFields: ["secrets.*"],
        // The URL sits in `secrets` like PagerDuty's fixed endpoint: it is no secret, but it lets a test deliver elsewhere.
        data: (v, { blockName, spec }) => ({
            ...customWebhookData(blockName, SENDGRID_MAIL_SEND_URL, mailJson(spec)),
            headers: { Authorization: `Bearer {{${API_KEY_SECRET}}}` },
            secrets: { [WEBHOOK_URL_SECRET]: SENDGRID_MAIL_SEND_URL, [API_KEY_SECRET]: v.apiKey },
        }),
    },
    render: (m) => ({ subject: m.subject, body: plainText(m.body) }),
    describe: (spec) => spec.description ?? `e-mail to ${spec.to.join(", ")}`,
});
