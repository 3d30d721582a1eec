import type { BlockSpec } from "./plan";

/** The secret values a block document is built from. */
export interface BlockSecrets {
    url?: string;
    integrationKey?: string;
    apiKey?: string;
}

/**
 * The key under the custom-webhook block's `secrets` that holds the webhook
 * URL, and the placeholder `url` names it by. Not `subject`, `body` or `name`:
 * the block fills those in from the message and they would shadow a secret of
 * the same name.
 */
export const WEBHOOK_URL_SECRET = "webhook_url";

/**
 * The `data` fields each block type's schema declares secret (`secret_fields`
 * of Prefect 3.9.1's block schemas; `x.*` is every key under `x`). Prefect
 * masks them as `********` whenever a block document is read without
 * `include_secrets` (API and UI) and leaves them out of its
 * `prefect.block-document.*` events. Every secret value blockData hands Prefect
 * sits in one of these fields and nowhere else (tests/rules.test.ts; the
 * end-to-end suite checks this table against the real server's schemas).
 */
export const SECRET_FIELDS: Record<BlockSpec["typeSlug"], string[]> = {
    "slack-webhook": ["url"],
    "custom-webhook": ["secrets.*"],
    "pager-duty-webhook": ["integration_key", "api_key"],
};

/**
 * The `data` of a Prefect block document, in the field names of the block's
 * schema (prefect.md §4). Callers apply this inside a secret Output.
 */
export function blockData(block: BlockSpec, secrets: BlockSecrets, stack: string): Record<string, unknown> {
    switch (block.typeSlug) {
        case "slack-webhook":
            return { url: required(secrets.url, block) };
        case "custom-webhook":
            return {
                name: block.name,
                // The block's `url` is a plain field (returned by the API, shown in the UI, copied into events); the
                // URL itself is a credential, so it lives in `secrets` and `url` only names it. The block substitutes
                // `{{webhook_url}}` from `secrets` when it sends (CustomWebhookNotificationBlock._build_request_args).
                url: `{{${WEBHOOK_URL_SECRET}}}`,
                method: "POST",
                // Subject and body arrive as JSON fields, so receivers (and the end-to-end suite) read the rendered text as is.
                json_data: { subject: "{{subject}}", body: "{{body}}", name: "{{name}}" },
                timeout: 10,
                secrets: { [WEBHOOK_URL_SECRET]: required(secrets.url, block) },
            };
        case "pager-duty-webhook":
            return {
                integration_key: required(secrets.integrationKey, block),
                api_key: required(secrets.apiKey, block),
                // "failure" is PagerDuty severity critical: these channels only carry critical and P1 alerts.
                notify_type: "failure",
                source: "prefect",
                component: stack,
                group: block.pagerDutyService === "p1" ? "p1" : "critical",
            };
    }
}

function required(value: string | undefined, block: BlockSpec): string {
    if (value === undefined) throw new Error(`block ${block.name} (${block.typeSlug}) is missing a secret value`);
    return value;
}
