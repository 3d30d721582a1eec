import type { BlockSpec } from "./plan";

/** The secret values a block document is built from. */
export interface BlockSecrets {
    url?: string;
    integrationKey?: string;
    apiKey?: string;
}

/**
 * The `data` of a Prefect block document, in the field names of the block's
 * schema (prefect.md §4). Callers apply this inside a secret Output.
 */
export function blockData(block: BlockSpec, secrets: BlockSecrets, stack: string): Record<string, unknown> {
    switch (block.typeSlug) {
        case "slack-webhook":
            return { url: required(secrets.url, block) };
        case "custom-webhook":
            // Subject and body arrive as JSON fields, so receivers (and the end-to-end suite) read the rendered text as is.
            return {
                name: block.name,
                url: required(secrets.url, block),
                method: "POST",
                json_data: { subject: "{{subject}}", body: "{{body}}", name: "{{name}}" },
                timeout: 10,
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
