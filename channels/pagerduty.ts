import { z } from "zod";
import { ChannelKind } from "./kind";

/**
 * A PagerDuty service's Events API v2 integration, through Prefect's
 * `pager-duty-webhook` block. The integration key comes from the integration
 * this program creates (pagerDuty.enabled), never from config; the block also
 * requires a PagerDuty API key, one per stack.
 */
export type PagerDutySpec = { type: "pagerduty"; service: "critical" | "p1" };

/** Stack-level secret the pager-duty-webhook block requires besides the integration key (the seed's `pagerduty_api_key`). */
export const PAGERDUTY_API_KEY = "pagerDutyApiKey";
const apiKey = (project: string) => `${project}:${PAGERDUTY_API_KEY}`;

export const pagerduty: ChannelKind<PagerDutySpec> = {
    type: "pagerduty",
    summary: "a PagerDuty service's Events API v2 integration (`pager-duty-webhook` block)",
    schema: z.strictObject({
        type: z.literal("pagerduty"),
        /** Which PagerDuty service's Events API v2 integration this channel sends to. */
        service: z.enum(["critical", "p1"], { error: '"critical" or "p1"' }),
    }),
    // The API key is one per stack (pagerDutyApiKey), the integration key comes from PagerDuty itself.
    secretKeyNames: () => [],
    secrets: (_c, project) => [
        { key: apiKey(project), form: "token", purpose: "PagerDuty API key the Prefect pager-duty-webhook block requires" },
    ],
    block: {
        typeSlug: "pager-duty-webhook",
        secretFields: ["integration_key", "api_key"],
        sources: (c, project) => ({ integrationKey: { pagerDutyService: c.spec.service }, apiKey: { configKey: apiKey(project) } }),
        data: (v, { stack, spec }) => ({
            integration_key: v.integrationKey,
            api_key: v.apiKey,
            // "failure" is PagerDuty severity critical: these channels only carry critical and P1 alerts.
            notify_type: "failure",
            source: "prefect",
            component: stack,
            group: spec.service === "p1" ? "p1" : "critical",
        }),
    },
    render: (m) => m,
    // The integration keys are mirrored once per service by the PagerDuty plan, not per channel.
    mirror: () => [],
    describe: (spec) => `PagerDuty ${spec.service} service`,
};
