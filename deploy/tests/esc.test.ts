import { describe, expect, it } from "vitest";
import { parse, parseDocument } from "yaml";
import { environmentImport, escEnvironmentYaml } from "../esc";

describe("escEnvironmentYaml", () => {
    const secrets = {
        "prefect:apiKey": "pnu_abc: #not-a-comment",
        alertsWebhookUrl: "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        "pagerduty:token": "'quoted' \"double\" \n newline",
    };

    it("puts every value under values.pulumiConfig, each wrapped in fn::secret, exactly as given", () => {
        const doc = parse(escEnvironmentYaml("prod", secrets));
        expect(Object.keys(doc)).toEqual(["values"]);
        expect(Object.keys(doc.values)).toEqual(["pulumiConfig"]);
        expect(doc.values.pulumiConfig).toEqual(Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, { "fn::secret": v }])));
    });

    it("is the same text for the same secrets in any order (no new ESC revision per update)", () => {
        const reversed = Object.fromEntries(Object.entries(secrets).reverse());
        expect(escEnvironmentYaml("prod", reversed)).toBe(escEnvironmentYaml("prod", secrets));
        expect(Object.keys(parse(escEnvironmentYaml("prod", secrets)).values.pulumiConfig)).toEqual([
            "alertsWebhookUrl",
            "pagerduty:token",
            "prefect:apiKey",
        ]);
    });

    it("says in a comment who writes it, and parses without warnings", () => {
        const text = escEnvironmentYaml("dev", { a: "b" });
        expect(text.split("\n")[0]).toBe('# Written by the prefect-alerting-deploy program (deploy/) for stack "dev".');
        const doc = parseDocument(text);
        expect(doc.errors).toEqual([]);
        expect(doc.warnings).toEqual([]);
    });

    it("the stack file's import", () => {
        expect(parse(environmentImport("prefect-alerting/prod"))).toEqual({ environment: ["prefect-alerting/prod"] });
    });
});
