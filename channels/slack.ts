import { z } from "zod";
import { ChannelKind, SecretForm, webhookUrlKey, WEBHOOK_URL_SUFFIX } from "./kind";

/** A Slack incoming webhook, through Prefect's `slack-webhook` block (Apprise; only the real hooks.slack.com form works). */
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
    summary: "a Slack incoming webhook (`slack-webhook` block)",
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
        typeSlug: "slack-webhook",
        secretFields: ["url"],
        sources: (c, project) => ({ url: { configKey: webhookUrlKey(project, c.name) } }),
        data: (v) => ({ url: v.url }),
    },
    render: (m) => m,
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
