// The committed sdks/prefect must declare exactly what the generator writes from the provider's
// 3.4.1 schema. Every expectation here is derived from
// ../shared/reference/prefect-provider-3.4.1.schema.json by the bridge's rules (bridgeModel.ts);
// the twin's declarations are read from its TypeScript sources (twinDeclarations.ts).
import { describe, it, expect } from "vitest";
import { camelCase, commentLines, loadProviderSchema, pluralize, propertyName, sdkModel, singularize, SdkProperty } from "./bridgeModel";
import ts from "typescript";
import { classOf, configVariables, DeclaredProperty, interfaces, parseFile } from "./twinDeclarations";

const schema = loadProviderSchema();
// The resources the program uses; prefect_resource_sla for Prefect Cloud SLAs (signals/sla.ts).
const model = sdkModel(schema, ["prefect_automation", "prefect_block", "prefect_resource_sla"]);

type Shape = { name: string; optional: boolean; type: string; doc: string[] };

function shape(p: DeclaredProperty): Shape {
    return { name: p.name, optional: p.optional, type: p.type, doc: p.doc };
}

function inputShape(p: SdkProperty, forceOptional = false): Shape {
    const optional = forceOptional || p.inputOptional;
    return { name: p.name, optional, type: p.inputType(optional), doc: commentLines(p.description) };
}

describe("the bridge's naming rules, on the schema's own attribute names", () => {
    it("pluralises list/set attributes, keeps singular objects and plurals, camelCases", () => {
        const event =
            schema.resource_schemas.prefect_automation.block.attributes!.trigger.nested_type!.attributes.event.nested_type!.attributes;
        expect(propertyName("for_each", event)).toBe("forEaches");
        expect(propertyName("after", event)).toBe("afters");
        expect(propertyName("match_related", event)).toBe("matchRelated");
        const automation = schema.resource_schemas.prefect_automation.block.attributes!;
        expect(propertyName("actions_on_resolve", automation)).toBe("actionsOnResolves");
        expect(propertyName("actions", automation)).toBe("actions");
        expect(propertyName("trigger", automation)).toBe("trigger");
        // The nested type of actions_on_resolve is named from the singular of "actionsOnResolves".
        expect(singularize("actionsOnResolves")).toBe("actionsOnResolf");
        expect(pluralize("status")).toBe("statuses");
        expect(camelCase("data_wo_version")).toBe("dataWoVersion");
        // prefect_resource_sla: "slas" is already a plural (kept), its nested type is named from the singular.
        const sla = schema.resource_schemas.prefect_resource_sla.block.attributes!;
        expect(propertyName("slas", sla)).toBe("slas");
        expect(singularize("slas")).toBe("sla");
        expect(propertyName("stale_after", sla.slas.nested_type!.attributes)).toBe("staleAfter");
    });
});

describe("index.ts exports and registers every resource as the generator does", () => {
    const sf = parseFile("index.ts");
    const lazy: string[] = [];
    const cases: [string, string][] = [];
    const modules: string[] = [];
    const visit = (n: ts.Node): void => {
        if (ts.isCallExpression(n)) {
            const callee = n.expression.getText(sf);
            const args = n.arguments;
            if (callee === "utilities.lazyLoad" && args[1] && ts.isArrayLiteralExpression(args[1]))
                for (const e of args[1].elements) if (ts.isStringLiteral(e)) lazy.push(e.text);
            if (callee === "pulumi.runtime.registerResourceModule" && args[1] && ts.isStringLiteral(args[1])) modules.push(args[1].text);
        }
        if (ts.isCaseClause(n) && ts.isStringLiteral(n.expression)) {
            const ret = n.statements.find(ts.isReturnStatement)?.expression;
            if (ret && ts.isNewExpression(ret)) cases.push([n.expression.text, ret.expression.getText(sf)]);
        }
        n.forEachChild(visit);
    };
    sf.forEachChild(visit);
    const resources = Object.values(model.resources).sort((a, b) => (a.className < b.className ? -1 : 1));
    const moduleOf = (token: string) => token.split(":")[1];

    it("lazy-loads each resource class and the provider, in name order", () => {
        expect(lazy).toEqual([...resources.map((r) => r.className), "Provider"].sort());
    });

    it("constructs each resource by its token and registers its module", () => {
        expect(cases).toEqual(resources.map((r) => [r.token, r.className]));
        expect(modules).toEqual(resources.map((r) => moduleOf(r.token)));
    });
});

describe("nested types (types/input.ts, types/output.ts)", () => {
    const inputs = interfaces(parseFile("types/input.ts"));
    const outputs = interfaces(parseFile("types/output.ts"));

    it("declares exactly the generated type names", () => {
        const expected = [...model.types.keys()].sort();
        expect([...inputs.keys()].sort()).toEqual(expected);
        expect([...outputs.keys()].sort()).toEqual(expected);
    });

    for (const [typeName, t] of model.types) {
        it(`${typeName}: properties, optionality, types and descriptions`, () => {
            expect(inputs.get(typeName)?.properties.map(shape), `input ${typeName}`).toEqual(t.properties.map((p) => inputShape(p)));
            expect(outputs.get(typeName)?.properties.map(shape), `output ${typeName}`).toEqual(
                t.properties.map((p) => ({
                    name: p.name,
                    optional: p.outputOptional,
                    type: p.outputType(),
                    doc: commentLines(p.description),
                })),
            );
        });
    }
});

for (const resource of Object.values(model.resources)) {
    const file = resource.className.charAt(0).toLowerCase() + resource.className.slice(1) + ".ts";
    describe(`${resource.className} (${file}) from ${resource.tfName}`, () => {
        const sf = parseFile(file);
        const cls = classOf(sf, resource.className);
        const ifaces = interfaces(sf);

        it("has the generated token and, with schema-only docs, no resource description", () => {
            expect(cls.token).toBe(resource.token);
            expect(cls.doc).toEqual([]);
        });

        it("declares every attribute as an output, optional only when optional and not computed", () => {
            expect(cls.outputs.map((o) => ({ ...shape(o), outOnly: o.outOnly }))).toEqual(
                resource.properties.map((p) => ({
                    name: p.name,
                    optional: false,
                    type: `pulumi.Output<${p.outputType()}${p.outputOptional ? " | undefined" : ""}>`,
                    doc: commentLines(p.description),
                    outOnly: !p.isInput,
                })),
            );
        });

        it("Args: every input, required only when required and not auto-named", () => {
            expect(ifaces.get(`${resource.className}Args`)?.properties.map(shape)).toEqual(
                resource.properties.filter((p) => p.isInput).map((p) => inputShape(p)),
            );
            expect(cls.requiredInputs).toEqual(resource.properties.filter((p) => p.isInput && !p.inputOptional).map((p) => p.name));
        });

        it("State: every attribute, all optional", () => {
            expect(ifaces.get(`${resource.className}State`)?.properties.map(shape)).toEqual(
                resource.properties.map((p) => inputShape(p, true)),
            );
        });

        it("sends every property and keeps sensitive ones secret", () => {
            expect([...cls.resourceInputs].sort()).toEqual(resource.properties.map((p) => p.name).sort());
            const secret = resource.properties.filter((p) => p.secret).map((p) => p.name);
            expect(cls.secretInputs).toEqual(secret.filter((n) => resource.properties.find((p) => p.name === n)!.isInput));
            expect(cls.secretOutputs).toEqual(secret);
        });
    });
}

describe("provider (provider.ts) and its config (config/vars.ts) from the provider block", () => {
    const sf = parseFile("provider.ts");
    const cls = classOf(sf, "Provider");
    const args = interfaces(sf).get("ProviderArgs");
    const vars = configVariables(parseFile("config/vars.ts"));

    it("ProviderArgs: every setting, optional", () => {
        expect(args?.properties.map(shape)).toEqual(model.provider.map((p) => inputShape(p)));
    });

    it("declares the string settings as outputs (the Node.js generator's rule for providers)", () => {
        expect(cls.outputs.map(shape)).toEqual(
            model.provider
                .filter((p) => p.scalar === "string")
                .map((p) => ({
                    name: p.name,
                    optional: false,
                    type: `pulumi.Output<${p.outputType()} | undefined>`,
                    doc: commentLines(p.description),
                })),
        );
    });

    it("keeps sensitive settings secret", () => {
        const secret = model.provider.filter((p) => p.secret).map((p) => p.name);
        expect(secret.length).toBeGreaterThan(0);
        expect(cls.secretInputs).toEqual(secret);
        expect(cls.secretOutputs).toEqual(secret);
        expect([...cls.resourceInputs].sort()).toEqual(model.provider.map((p) => p.name).sort());
    });

    it("config/vars.ts: one variable per setting", () => {
        expect(vars.map(shape)).toEqual(
            model.provider.map((p) => ({
                name: p.name,
                optional: false,
                type: `${p.scalar} | undefined`,
                doc: commentLines(p.description),
            })),
        );
    });
});
