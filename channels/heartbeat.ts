import { z } from "zod";
import { ChannelKind, SecretForm, isHttpUrl, webhookUrlKey, WEBHOOK_URL_SUFFIX } from "./kind";
import { customWebhookData } from "./webhook";

/**
 * The ping URL of an external heartbeat monitor (healthchecks.io and its
 * self-hosted twin, Grafana OnCall or incident.io heartbeats, Cronitor, Better
 * Stack): the monitor expects a request every period and pages when one is
 * missing. Only the watchdog (signals/watchdog.ts) sends to it, and it sends to
 * nothing else: an alert posted to a ping URL would count as "alive", and a
 * ping posted to a chat would be noise. The URL is the credential (anyone who
 * has it can keep the check green), so it is a secret and lives in the
 * custom-webhook block's `secrets`.
 */
export type HeartbeatSpec = { type: "heartbeat"; description?: string };

export const heartbeatPingUrl: SecretForm = {
    noun: "heartbeat ping URL",
    expected: "an http:// or https:// ping URL of a heartbeat monitor (e.g. https://hc-ping.com/<uuid>)",
    valid: (v) => isHttpUrl(v),
    placeholder: (s) => `https://placeholder.invalid/ping/${s.key.split(":")[1]}`,
};

export const heartbeat: ChannelKind<HeartbeatSpec> = {
    type: "heartbeat",
    summary: "the ping URL of an external heartbeat monitor, for `watchdog.channel` only (`custom-webhook` block, URL in its secrets)",
    schema: z.strictObject({
        type: z.literal("heartbeat"),
        /** Free text shown in the preview, e.g. the monitor's check name; the URL itself is a secret. */
        description: z.string().optional(),
    }),
    secretKeyNames: (name) => [`${name}${WEBHOOK_URL_SUFFIX}`],
    secrets: (c, project) => [
        { key: webhookUrlKey(project, c.name), form: "heartbeat-ping-url", purpose: `ping URL of heartbeat channel "${c.name}"` },
    ],
    block: {
        typeSlug: "custom-webhook",
        secretFields: ["secrets.*"],
        sources: (c, project) => ({ url: { configKey: webhookUrlKey(project, c.name) } }),
        // A small POST: monitors log the body with the ping (healthchecks shows it), and all of them take POST.
        data: (v, { blockName }) => customWebhookData(blockName, v.url, { subject: "{{subject}}", body: "{{body}}" }),
    },
    render: (m) => ({ subject: m.subject, body: m.body }),
    mirror: (c, { stack, kebab, project }) => [
        {
            name: `heartbeat-url-${kebab}`,
            description: `Heartbeat ping URL of channel ${c.name} (stack ${stack})`,
            source: { configKey: webhookUrlKey(project, c.name) },
        },
    ],
    describe: (spec) => spec.description ?? "heartbeat monitor",
    forms: { "heartbeat-ping-url": heartbeatPingUrl },
    pingOnly: true,
};
