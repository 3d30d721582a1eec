import { z } from "zod";
import { blockKitBody } from "./blockKit";
import { defineKind } from "./define";
import { SecretForm } from "./kind";
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
    name: "slack-webhook-url",
    noun: "Slack incoming webhook URL",
    expected: "a Slack incoming webhook URL of the form https://hooks.slack.com/services/T…/B…/…",
    valid: (v) => SLACK_WEBHOOK.test(v),
    placeholder: () => SLACK_PLACEHOLDER,
};

export const slack = defineKind<SlackSpec>({
    type: "slack",
    summary: "a Slack incoming webhook, Block Kit messages (`custom-webhook` block, URL in its secrets)",
    options: [
        {
            key: "slackChannel",
            required: true,
            form: channelError,
            description: "the Slack channel the incoming webhook posts to; shown in the preview",
            schema: z.string({ error: channelError }).regex(/^#[a-z0-9][a-z0-9._-]{0,79}$/, { error: channelError }),
        },
        {
            key: "webhookUrl",
            secret: true,
            required: true,
            form: slackWebhookUrl,
            value: "url",
            description: "the Slack incoming webhook URL (in the block's secrets)",
            purpose: (c) => `Slack incoming webhook for ${c.spec.slackChannel}`,
            mirror: {
                name: "slack-webhook-url",
                description: (c, stack) => `Slack webhook URL for ${c.spec.slackChannel} (Prefect alerts, stack ${stack})`,
            },
        },
    ],
    block: {
        typeSlug: "custom-webhook",
        secretFields: ["secrets.*"],
        data: (v, { blockName }) => customWebhookRawJson(blockName, v.url, "{{body}}"),
    },
    render: (m, ctx) => ({ subject: m.subject, body: blockKitBody(m, `prefect-alerting · stack ${ctx.stack} · ${ctx.tier}`) }),
    describe: (spec) => spec.slackChannel,
});
