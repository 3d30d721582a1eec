import { z } from "zod";
import { ChannelKind } from "./kind";
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
export type PagerDutySpec = { type: "pagerduty"; service: "critical" | "p1" };

/** The Events API v2 endpoint (PagerDuty/api-schema reference/events-v2/openapiv3.json). */
export const EVENTS_API_URL = "https://events.pagerduty.com/v2/enqueue";
/** The block's secret holding the integration (routing) key. */
export const ROUTING_KEY_SECRET = "routing_key";
/** No longer read: the Apprise block needed it, the Events API does not. Setting it is an error that says so. */
export const PAGERDUTY_API_KEY = "pagerDutyApiKey";

export const pagerduty: ChannelKind<PagerDutySpec> = {
    type: "pagerduty",
    summary: "a PagerDuty service's Events API v2 integration: incidents with dedup keys that resolve themselves (`custom-webhook` block)",
    schema: z.strictObject({
        type: z.literal("pagerduty"),
        /** Which PagerDuty service's Events API v2 integration this channel sends to. */
        service: z.enum(["critical", "p1"], { error: '"critical" or "p1"' }),
    }),
    // The routing key comes from PagerDuty itself (the integration this program creates), not from config.
    secretKeyNames: () => [],
    secrets: () => [],
    block: {
        typeSlug: "custom-webhook",
        secretFields: ["secrets.*"],
        sources: (c) => ({ integrationKey: { pagerDutyService: c.spec.service } }),
        data: (v, { blockName }) =>
            customWebhookRawJson(blockName, EVENTS_API_URL, `{"routing_key":"{{${ROUTING_KEY_SECRET}}}",{{body}}}`, {
                [ROUTING_KEY_SECRET]: v.integrationKey,
            }),
    },
    render: (m, ctx) => ({ subject: m.subject, body: pagerDutyEventBody(m, ctx) }),
    tracksIncidents: true,
    // The integration keys are mirrored once per service by the PagerDuty plan, not per channel.
    mirror: () => [],
    describe: (spec) => `PagerDuty ${spec.service} service (Events API v2)`,
};
