import { defineKind } from "./define";
import { SecretForm, isHttpUrl } from "./kind";
import { customWebhookData, descriptionOption } from "./webhook";

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
    name: "heartbeat-ping-url",
    noun: "heartbeat ping URL",
    expected: "an http:// or https:// ping URL of a heartbeat monitor (e.g. https://hc-ping.com/<uuid>)",
    valid: (v) => isHttpUrl(v),
    placeholder: (s) => `https://placeholder.invalid/ping/${s.key.split(":")[1]}`,
};

export const heartbeat = defineKind<HeartbeatSpec>({
    type: "heartbeat",
    summary: "the ping URL of an external heartbeat monitor, for `watchdog.channel` only (`custom-webhook` block, URL in its secrets)",
    options: [
        { ...descriptionOption, description: "shown in the preview, e.g. the monitor's check name (the URL itself is a secret)" },
        {
            // `webhookUrl` like the other URL kinds: the config key stays `<channel>WebhookUrl`.
            key: "webhookUrl",
            secret: true,
            required: true,
            form: heartbeatPingUrl,
            value: "url",
            description: "the monitor's ping URL (in the block's secrets)",
            purpose: (c) => `ping URL of heartbeat channel "${c.name}"`,
            mirror: { name: "heartbeat-url", description: (c, stack) => `Heartbeat ping URL of channel ${c.name} (stack ${stack})` },
        },
    ],
    block: {
        typeSlug: "custom-webhook",
        secretFields: ["secrets.*"],
        // A small POST: monitors log the body with the ping (healthchecks shows it), and all of them take POST.
        data: (v, { blockName }) => customWebhookData(blockName, v.url, { subject: "{{subject}}", body: "{{body}}" }),
    },
    render: (m) => ({ subject: m.subject, body: m.body }),
    describe: (spec) => spec.description ?? "heartbeat monitor",
    pingOnly: true,
});
