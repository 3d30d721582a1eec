import { z } from "zod";
import { defineKind } from "./define";
import { pagerDutyEventBody } from "./pagerDutyEvent";
import { customWebhookRawJson } from "./webhook";

/**
 * A PagerDuty service's Events API v2 integration, spoken directly: a
 * `custom-webhook` block posts `{"routing_key":"{{routing_key}}",<event>}` to
 * the Events API, the integration key held in the block's `secrets` (never in
 * an automation, a variable or a plain field), and each automation renders the
 * event (channels/pagerDutyEvent.ts): `trigger` with a dedup key, severity and
 * details, or `resolve` with the same key. Prefect's `pager-duty-webhook` block
 * (Apprise) sends no dedup key and cannot resolve (landscape.md §3.2). The key
 * comes from the integration this program creates (pagerDuty.enabled).
 */
/** `owner:<team>`: a team's own service; its channel is made by the program (config/load.ts), never written in config. */
export type PagerDutySpec = { type: "pagerduty"; service: "critical" | "p1" | `owner:${string}` };

/** The Events API v2 endpoint (PagerDuty/api-schema reference/events-v2/openapiv3.json). */
export const EVENTS_API_URL = "https://events.pagerduty.com/v2/enqueue";
/** The block's secret holding the integration (routing) key. */
export const ROUTING_KEY_SECRET = "routing_key";
/** No longer read: the Apprise block needed it, the Events API does not. Setting it is an error that says so. */
export const PAGERDUTY_API_KEY = "pagerDutyApiKey";

const serviceError = '"critical" or "p1"';

export const pagerduty = defineKind<PagerDutySpec>({
    type: "pagerduty",
    summary: "a PagerDuty service's Events API v2 integration: incidents with dedup keys that resolve themselves (`custom-webhook` block)",
    options: [
        {
            key: "service",
            required: true,
            form: serviceError,
            description: "which PagerDuty service's Events API v2 integration this channel sends to",
            schema: z.enum(["critical", "p1"], { error: serviceError }),
        },
        {
            // The routing key comes from PagerDuty itself (the integration this program creates), not from config;
            // the integration keys are mirrored once per service by the PagerDuty plan, not per channel.
            key: "integrationKey",
            secret: true,
            required: true,
            description: "the service's Events API v2 integration key, from the integration this program creates (no config key)",
            from: (spec) => ({ pagerDutyService: spec.service }),
        },
    ],
    block: {
        typeSlug: "custom-webhook",
        secretFields: ["secrets.*"],
        data: (v, { blockName }) =>
            customWebhookRawJson(blockName, EVENTS_API_URL, `{"routing_key":"{{${ROUTING_KEY_SECRET}}}",{{body}}}`, {
                [ROUTING_KEY_SECRET]: v.integrationKey,
            }),
    },
    render: (m, ctx) => ({ subject: m.subject, body: pagerDutyEventBody(m, ctx) }),
    tracksIncidents: true,
    describe: (spec) => `PagerDuty ${spec.service} service (Events API v2)`,
});
