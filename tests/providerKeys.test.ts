/**
 * config/providerKeys.ts is committed data; these tests derive the same lists
 * from the real sources, so an upstream key added (or marked secret) in a new
 * provider or SDK version fails here until the list is updated.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { PROVIDER_CONFIG } from "../config/providerKeys";
import { ROOT } from "./helpers/stacks";

/** The real Terraform provider schema (`tofu providers schema -json`, prefecthq/prefect 3.4.1), committed in reference/. */
const PREFECT_SCHEMA = resolve(ROOT, "reference/prefect-provider-3.4.1.schema.json");

const sorted = (xs: Iterable<string>) => [...xs].sort();
const read = (path: string) => readFileSync(path, "utf8");
/** `export declare const name` in an SDK's config/vars module: the keys its config accepts. */
const declaredConsts = (text: string) => sorted([...text.matchAll(/^export declare const (\w+)\b/gm)].map((m) => m[1]));
/** Provider args the SDK wraps in pulumi.secret: the schema's secret config keys. */
const secretArgs = (text: string) =>
    sorted(new Set([...text.matchAll(/resourceInputs\["(\w+)"\] = [^;\n]*pulumi\.secret\(/g)].map((m) => m[1])));
/** The bridge's name rule for a Terraform attribute: snake_case to camelCase. */
const camel = (snake: string) => snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const pkg = (name: string) => dirname(require.resolve(`@pulumi/${name}/package.json`));

describe("prefect provider keys", () => {
    it("equal the bridged SDK's config module and its secret provider args", () => {
        expect(sorted(PROVIDER_CONFIG.prefect.keys)).toEqual(declaredConsts(read(resolve(ROOT, "sdks/prefect/config/vars.ts"))));
        expect(sorted(PROVIDER_CONFIG.prefect.sensitive)).toEqual(secretArgs(read(resolve(ROOT, "sdks/prefect/provider.ts"))));
    });

    it("equal the provider block of the real Terraform schema (camelCased, sensitive flags)", () => {
        const schema = JSON.parse(read(PREFECT_SCHEMA)) as {
            provider_schemas: Record<
                string,
                { provider: { block: { attributes: Record<string, { sensitive?: boolean }>; block_types?: object } } }
            >;
        };
        const [provider] = Object.values(schema.provider_schemas);
        const attributes = Object.entries(provider.provider.block.attributes);
        expect(Object.keys(provider.provider.block.block_types ?? {})).toEqual([]);
        expect(sorted(PROVIDER_CONFIG.prefect.keys)).toEqual(sorted(attributes.map(([name]) => camel(name))));
        expect(sorted(PROVIDER_CONFIG.prefect.sensitive)).toEqual(
            sorted(attributes.filter(([, a]) => a.sensitive).map(([name]) => camel(name))),
        );
    });
});

describe("pagerduty provider keys", () => {
    it("equal @pulumi/pagerduty's config module", () => {
        expect(sorted(PROVIDER_CONFIG.pagerduty.keys)).toEqual(declaredConsts(read(resolve(pkg("pagerduty"), "config/vars.d.ts"))));
    });

    it("secret: whatever the SDK marks secret, plus the two API tokens it does not", () => {
        const marked = secretArgs(read(resolve(pkg("pagerduty"), "provider.js")));
        expect(sorted(PROVIDER_CONFIG.pagerduty.sensitive)).toEqual(sorted(new Set([...marked, "token", "userToken"])));
    });
});

describe("aws provider keys", () => {
    it("equal @pulumi/aws's config module, secret as its provider marks them", () => {
        expect(sorted(PROVIDER_CONFIG.aws.keys)).toEqual(declaredConsts(read(resolve(pkg("aws"), "config/vars.d.ts"))));
        const marked = secretArgs(read(resolve(pkg("aws"), "provider.js")));
        expect(marked).toEqual(["accessKey", "secretKey", "token"]);
        expect(sorted(PROVIDER_CONFIG.aws.sensitive)).toEqual(marked);
    });
});
