import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * reference/prefect-provider-3.4.1.schema.json is the provider's real schema
 * (`tofu providers schema -json`), committed so a fresh clone can check the SDK
 * twin and the provider keys against it. Where the project's shared reference
 * copy sits beside the clone (the developers' and CI's machines), they are equal.
 */
const ROOT = resolve(__dirname, "..");
const COMMITTED = resolve(ROOT, "reference/prefect-provider-3.4.1.schema.json");
const SHARED = resolve(ROOT, "../shared/reference/prefect-provider-3.4.1.schema.json");

describe("the committed provider schema", () => {
    it("is the schema of prefecthq/prefect's provider, with the automation and block resources", () => {
        const schema = JSON.parse(readFileSync(COMMITTED, "utf8"));
        const [name] = Object.keys(schema.provider_schemas);
        expect(name).toMatch(/prefecthq\/prefect$/);
        expect(Object.keys(schema.provider_schemas[name].resource_schemas)).toEqual(
            expect.arrayContaining(["prefect_automation", "prefect_block"]),
        );
    });

    it.runIf(existsSync(SHARED))("equals the shared reference copy byte for byte", () => {
        expect(readFileSync(COMMITTED, "utf8")).toBe(readFileSync(SHARED, "utf8"));
    });
});
