import { z } from "zod";
import { blockKitBody } from "./blockKit";
import { ChannelKind, SecretForm, webhookUrlKey, WEBHOOK_URL_SUFFIX } from "./kind";
import { customWebhookRawJson } from "./webhook";

/**
 * A Slack incoming webhook, posting Block Kit messages (channels/blockKit.ts):
 * a header, the run's facts, the error in a code block, what to do next, a
 * button to the run, and a context line. Prefect's `slack-webhook` block
 * (Apprise) sends text only, so the block is a `custom-webhook` that posts the
 * rendered JSON as is, with the URL in the block's `secrets`.
 */
export type SlackSpec = { type: "slack"; slackChannel: string };

const SLACK_WEBHOOK = /^https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+$/;
const SLACK_PLACEHOLDER = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";
const channelError = 'a Slack channel name such as "#data-alerts"';

export const slackWebhookUrl: SecretForm = {
    noun: "Slack incoming webhook URL",
    expected: "a Slack incoming webhook URL of the form https://hooks.slack.com/services/T…/B…/…",
    valid: (v) => SLACK_WEBHOOK.test(v),
    placeholder: () => SLACK_PLACEHOLDER,
};

export const slack: ChannelKind<SlackSpec> = {
    type: "slack",
    summary: "a Slack incoming webhook, Block Kit messages (`custom-webhook` block, URL in its secrets)",
    schema: z.strictObject({
        type: z.literal("slack"),
        /** The Slack channel the incoming webhook posts to; shown in the preview and README. */
        slackChannel: z.string({ error: channelError }).regex(/^#[a-z0-9][a-z0-9._-]{0,79}$/, { error: channelError }),
    }),
    secretKeyNames: (name) => [`${name}${WEBHOOK_URL_SUFFIX}`],
    secrets: (c, project) => [
        { key: webhookUrlKey(project, c.name), form: "slack-webhook-url", purpose: `Slack incoming webhook for ${c.spec.slackChannel}` },
    ],
    block: {
        typeSlug: "custom-webhook",
        secretFields: ["secrets.*"],
        sources: (c, project) => ({ url: { configKey: webhookUrlKey(project, c.name) } }),
        data: (v, { blockName }) => customWebhookRawJson(blockName, v.url, "{{body}}"),
    },
    render: (m, ctx) => ({ subject: m.subject, body: blockKitBody(m, `prefect-alerting · stack ${ctx.stack} · ${ctx.tier}`) }),
    mirror: (c, { stack, kebab, project }) => [
        {
            name: `slack-webhook-url-${kebab}`,
            description: `Slack webhook URL for ${c.spec.slackChannel} (Prefect alerts, stack ${stack})`,
            source: { configKey: webhookUrlKey(project, c.name) },
        },
    ],
    describe: (spec) => spec.slackChannel,
    forms: { "slack-webhook-url": slackWebhookUrl },
};
