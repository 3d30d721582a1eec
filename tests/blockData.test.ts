import { describe, expect, it } from "vitest";
import { ROUTING_KEY_SECRET } from "../channels/pagerduty";
import { BlockPlan, SECRET_FIELDS, blockData } from "../channels/registry";
import { WEBHOOK_URL_SECRET } from "../channels/webhook";
import { PROJECT } from "../config/load";
import { blockFor } from "../rules/plan";

/** Distinct, obviously fake values, so a value found in the data says which secret it is. */
const SECRETS: Record<"url" | "integrationKey" | "apiKey", string> = {
    url: "https://placeholder.invalid/e2e-secret-url-token",
    integrationKey: "e2e-secret-integration-key",
    apiKey: "e2e-secret-api-key",
};

const BLOCKS: BlockPlan[] = [
    blockFor("s", { name: "alerts", spec: { type: "slack", slackChannel: "#data-alerts" } }, PROJECT),
    blockFor("s", { name: "hook", spec: { type: "webhook" } }, PROJECT),
    blockFor("s", { name: "pager", spec: { type: "pagerduty", service: "critical" } }, PROJECT),
    blockFor("s", { name: "pagerP1", spec: { type: "pagerduty", service: "p1" } }, PROJECT),
];

/** Every string leaf of `value` with its dotted path. */
function leaves(value: unknown, path: string[] = []): { path: string[]; value: string }[] {
    if (typeof value === "string") return [{ path, value }];
    if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
    return [];
}

/**
 * Prefect's rule for `secret_fields` (BlockDocument.from_orm_model, prefect/server/schemas/core.py): an exact path,
 * or `x.*` for every path that starts with `x`.
 */
function isSecretPath(path: string[], fields: string[]): boolean {
    return fields.some((f) => {
        const parts = f.split(".");
        const star = parts.indexOf("*");
        if (star < 0) return parts.join(".") === path.join(".");
        return path.length >= star && parts.slice(0, star).join(".") === path.slice(0, star).join(".");
    });
}

describe("secrets handed to Prefect blocks", () => {
    for (const block of BLOCKS) {
        it(`${block.typeSlug} (${block.channel}): every secret value sits only in a field Prefect masks`, () => {
            const data = blockData(block, SECRETS);
            const holding = leaves(data).filter((l) => Object.values(SECRETS).some((s) => l.value.includes(s)));
            expect(holding.length).toBeGreaterThan(0);
            for (const l of holding)
                expect(isSecretPath(l.path, SECRET_FIELDS[block.typeSlug]), `${l.path.join(".")} holds a secret in clear`).toBe(true);
        });
    }

    it("custom-webhook: url names the secret that holds the URL, as a whole-string placeholder the block fills in from secrets", () => {
        const data = blockData(BLOCKS[1], SECRETS) as { url: string; secrets: Record<string, string> };
        // Prefect's placeholder syntax (prefect/utilities/templating PLACEHOLDER_CAPTURE_REGEX);
        // a whole-string placeholder is replaced by the value as is.
        const m = /^\{\{\s*([\w.\-[\]$]+)\s*\}\}$/.exec(data.url);
        expect(m?.[1]).toBe(WEBHOOK_URL_SECRET);
        expect(data.secrets).toEqual({ [WEBHOOK_URL_SECRET]: SECRETS.url });
        // The block sets subject, body and name from the message after reading secrets: a secret of that name would be shadowed.
        expect(["subject", "body", "name"]).not.toContain(WEBHOOK_URL_SECRET);
        expect(JSON.stringify(data).split(SECRETS.url)).toHaveLength(2);
    });

    it("the masking rule used above is Prefect's: a field outside secret_fields is not masked", () => {
        expect(isSecretPath(["url"], SECRET_FIELDS["custom-webhook"])).toBe(false);
        expect(isSecretPath(["secrets", "webhook_url"], SECRET_FIELDS["custom-webhook"])).toBe(true);
        expect(isSecretPath(["json_data", "body"], SECRET_FIELDS["custom-webhook"])).toBe(false);
        // PagerDuty channels are custom-webhooks too: the routing key is masked, the event template around it is not.
        expect(isSecretPath(["secrets", ROUTING_KEY_SECRET], SECRET_FIELDS["custom-webhook"])).toBe(true);
        expect(isSecretPath(["form_data"], SECRET_FIELDS["custom-webhook"])).toBe(false);
    });
});
