// What `pulumi package add terraform-provider prefecthq/prefect 3.4.1` generates, derived from the
// provider's real schema (`tofu providers schema -json`, ../shared/reference) by the rules of
// pulumi-terraform-bridge's dynamic provider and tfgen, and pulumi's Node.js SDK generator:
//
// - names: pkg/tfbridge/internal/naming/naming.go terraformToPulumiName: a list/set attribute whose
//   MaxItems is not 1 is pluralised (github.com/pulumi/inflector) unless the plural names a sibling,
//   then snake_case becomes camelCase;
// - nested type names: pkg/tfgen/generate_schema.go declareType/gatherFromProperties: parent type
//   name + Title(property name), the property name singularised for lists and sets;
// - optionality: pkg/tfgen/generate.go isOptional: an input is optional when optional, computed or
//   defaulted; an output is optional only when optional and not computed. dynamic/info.go calls
//   SetAutonaming(255, "-"), which gives every resource's string `name` a default, so `name` is an
//   optional input;
// - secrets: genProperty marks `sensitive` attributes secret;
// - descriptions: dynamic/main.go generates the schema with XInMemoryDocs unless --fullDocs is
//   given, so resources carry no description and every property's description is the Terraform
//   schema's, passed through reformatText (pkg/tfgen/docs.go): snake_case words and `word`s become
//   a <span pulumi-lang-*> inflection whose fallback text is the Pulumi name, `prefect_x` resource
//   names become `prefect.X`. `pulumi package gen-sdk` does not resolve those spans for Node.js
//   (pulumi/pulumi#23397, closed as won't fix), so they stay in the generated doc comments.
import * as fs from "fs";
import * as path from "path";

export const SCHEMA_FILE = path.resolve(__dirname, "..", "..", "reference", "prefect-provider-3.4.1.schema.json");
export const PACKAGE = "prefect";

// ---- the Terraform schema JSON ----

export type TfType = string | [string, TfType] | [string, Record<string, TfType>];

export interface TfAttribute {
    type?: TfType;
    nested_type?: { attributes: Record<string, TfAttribute>; nesting_mode: "single" | "list" | "set" | "map" };
    description?: string;
    required?: boolean;
    optional?: boolean;
    computed?: boolean;
    sensitive?: boolean;
    deprecated?: boolean;
}

export interface TfBlock {
    attributes?: Record<string, TfAttribute>;
    block_types?: Record<string, unknown>;
    description?: string;
}

export interface TfProviderSchema {
    provider: { block: TfBlock };
    resource_schemas: Record<string, { block: TfBlock }>;
    data_source_schemas?: Record<string, { block: TfBlock }>;
}

export function loadProviderSchema(file = SCHEMA_FILE): TfProviderSchema {
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    const schemas = Object.values(json.provider_schemas ?? {}) as TfProviderSchema[];
    if (schemas.length !== 1) throw new Error(`${file}: expected one provider schema, found ${schemas.length}`);
    return schemas[0];
}

// ---- inflection (the rule tables of github.com/pulumi/inflector, applied the same way) ----

type Rule = [RegExp, string];

const PLURAL_RULES: Rule[] = [
    [/(s)tatus$/i, "$1tatuses"],
    [/(quiz)$/i, "$1zes"],
    [/^(ox)$/i, "$1en"],
    [/([m|l])ouse$/i, "$1ice"],
    [/(matr|vert|ind)(ix|ex)$/i, "$1ices"],
    [/(x|ch|ss|sh)$/i, "$1es"],
    [/([^aeiouy]|qu)y$/i, "$1ies"],
    [/(hive)$/i, "$1s"],
    [/(?:([^f])fe|([lre])f)$/i, "$1$2ves"],
    [/sis$/i, "ses"],
    [/([ti])um$/i, "$1a"],
    [/(p)erson$/i, "$1eople"],
    [/(m)an$/i, "$1en"],
    [/(c)hild$/i, "$1hildren"],
    [/(buffal|tomat)o$/i, "$1oes"],
    [/(alumn|bacill|cact|foc|fung|nucle|radi|stimul|syllab|termin|vir)us$/i, "$1i"],
    [/us$/i, "uses"],
    [/(alias)$/i, "$1es"],
    [/(ax|cris|test)is$/i, "$1es"],
    [/s$/, "s"],
    [/^$/, ""],
    [/$/, "s"],
];

const SINGULAR_RULES: Rule[] = [
    [/(s)tatuses$/i, "$1tatus"],
    [/^(.*)(menu)s$/i, "$1$2"],
    [/(quiz)zes$/i, "$1"],
    [/(matr)ices$/i, "$1ix"],
    [/(vert|ind)ices$/i, "$1ex"],
    [/^(ox)en/i, "$1"],
    [/(alias)(es)*$/i, "$1"],
    [/(alumn|bacill|cact|foc|fung|nucle|radi|stimul|syllab|termin|viri?)i$/i, "$1us"],
    [/([ftw]ax)es/i, "$1"],
    [/(cris|ax|test)es$/i, "$1is"],
    [/(shoe|slave)s$/i, "$1"],
    [/(o)es$/i, "$1"],
    [/ouses$/, "ouse"],
    [/([^a])uses$/, "$1us"],
    [/([m|l])ice$/i, "$1ouse"],
    [/(x|ch|ss|sh)es$/i, "$1"],
    [/(m)ovies$/i, "$1ovie"],
    [/(s)eries$/i, "$1eries"],
    [/([^aeiouy]|qu)ies$/i, "$1y"],
    [/(tive)s$/i, "$1"],
    [/([lre])ves$/i, "$1f"],
    [/([^fo])ves$/i, "$1fe"],
    [/(hive)s$/i, "$1"],
    [/(drive)s$/i, "$1"],
    [/(^analy)ses$/i, "$1sis"],
    [/(analy|diagno|^ba|(p)arenthe|(p)rogno|(s)ynop|(t)he)ses$/i, "$1sis"],
    [/([ti])a$/i, "$1um"],
    [/(p)eople$/i, "$1erson"],
    [/(m)en$/i, "$1an"],
    [/(c)hildren$/i, "$1hild"],
    [/(n)ews$/i, "$1ews"],
    [/eaus$/, "eau"],
    [/^(.*us)$/, "$1"],
    [/s$/i, ""],
];

// Words the inflector leaves alone (its uninflected lists; the Latin/ethnonym entries are left out).
const UNINFLECTED = ["equipment", "information", "rice", "series", "species", "news", "media", "sheep", "fish", "deer"];
const UNINFLECTED_SINGULAR_SUFFIX = /ss$/i;

function applyRules(word: string, rules: Rule[]): string {
    for (const [re, replacement] of rules) {
        if (re.test(word)) {
            // Go's ${n} of a group that did not take part is empty; JS would keep "$n" literally.
            return word.replace(re, (...m: unknown[]) =>
                replacement.replace(/\$(\d)/g, (_, i: string) => (typeof m[Number(i)] === "string" ? (m[Number(i)] as string) : "")),
            );
        }
    }
    return word;
}

export function pluralize(word: string): string {
    if (UNINFLECTED.some((u) => word.toLowerCase().endsWith(u))) return word;
    return applyRules(word, PLURAL_RULES);
}

export function singularize(word: string): string {
    if (UNINFLECTED.some((u) => word.toLowerCase().endsWith(u)) || UNINFLECTED_SINGULAR_SUFFIX.test(word)) return word;
    return applyRules(word, SINGULAR_RULES);
}

// ---- names ----

/** snake_case -> camelCase as the bridge does it (leading underscores kept, a trailing one kept). */
export function camelCase(name: string): string {
    let out = "";
    let nextCap = false;
    let started = false;
    for (const c of name) {
        if (c === "_" && started) {
            nextCap = true;
            continue;
        }
        if (c !== "_") started = true;
        out += nextCap && c >= "a" && c <= "z" ? c.toUpperCase() : c;
        nextCap = false;
    }
    return name.endsWith("_") && started ? out + "_" : out;
}

function isCollection(attr: TfAttribute): boolean {
    if (attr.nested_type) return attr.nested_type.nesting_mode === "list" || attr.nested_type.nesting_mode === "set";
    return Array.isArray(attr.type) && (attr.type[0] === "list" || attr.type[0] === "set");
}

/** The SDK property name of Terraform attribute `key` among its siblings. */
export function propertyName(key: string, siblings: Record<string, TfAttribute>): string {
    let name = key;
    // JSON schemas give no max_items for attributes: every list/set attribute counts as unbounded.
    if (isCollection(siblings[key])) {
        const plural = pluralize(key);
        if (!(plural in siblings) || plural === key) name = plural;
    }
    return camelCase(name);
}

/** A resource's Pulumi type name: prefix stripped, PascalCase (tokens.MakeStandard). */
export function resourceTypeName(tfName: string): string {
    const bare = tfName.startsWith(`${PACKAGE}_`) ? tfName.slice(PACKAGE.length + 1) : tfName;
    const camel = camelCase(bare);
    return camel.charAt(0).toUpperCase() + camel.slice(1);
}

// ---- descriptions ----

export interface DocContext {
    resources: Set<string>;
    dataSources: Set<string>;
}

export function docContext(schema: TfProviderSchema): DocContext {
    return {
        resources: new Set(Object.keys(schema.resource_schemas)),
        dataSources: new Set(Object.keys(schema.data_source_schemas ?? {})),
    };
}

function span(v: {
    node: string;
    dotnet: string;
    go: string;
    python: string;
    yaml: string;
    java: string;
    hcl: string;
    display: string;
}): string {
    return (
        `<span pulumi-lang-nodejs="${v.node}" pulumi-lang-dotnet="${v.dotnet}" pulumi-lang-go="${v.go}" ` +
        `pulumi-lang-python="${v.python}" pulumi-lang-yaml="${v.yaml}" pulumi-lang-java="${v.java}" ` +
        `pulumi-lang-hcl="${v.hcl}">${v.display}</span>`
    );
}

// Go RE2's \s is [\t\n\f\r ]. First alternative: a snake_case word between blanks, quotes, backticks
// or brackets; second: a single lowercase word in backticks.
const CODE_LIKE_WORD = /([\t\n\f\r "`[])((?:[0-9a-z]+_)+[0-9a-z]+)([\t\n\f\r "`\]])|`([0-9a-z]+)`/g;

function fixupReferences(text: string, ctx: DocContext): string {
    return text.replace(CODE_LIKE_WORD, (match, o1?: string, n1?: string, c1?: string, n2?: string) => {
        const [open, name, close] = o1 !== undefined ? [o1, n1!, c1!] : ["`", n2!, "`"];
        if (ctx.resources.has(name)) {
            const type = resourceTypeName(name);
            const qualified = `${open}${PACKAGE}.${type}${close}`;
            const bare = `${open}${type}${close}`;
            return span({
                node: qualified,
                dotnet: qualified,
                go: bare,
                python: bare,
                yaml: qualified,
                java: qualified,
                hcl: `${open}${name}${close}`,
                display: qualified,
            });
        }
        if (ctx.dataSources.has(name)) {
            throw new Error(`data source reference ${name} in a description: not modelled`);
        }
        const pname = camelCase(name);
        const camel = `${open}${pname}${close}`;
        const dotnet = `${open}${pname.charAt(0).toUpperCase()}${pname.slice(1)}${close}`;
        return span({ node: camel, dotnet, go: camel, python: match, yaml: camel, java: camel, hcl: match, display: camel });
    });
}

/** reformatText of pkg/tfgen/docs.go, for descriptions without fenced code blocks or footer links. */
export function bridgeDescription(text: string | undefined, ctx: DocContext): string {
    if (!text) return "";
    if (text.includes("```")) throw new Error("fenced code blocks in a description: not modelled");
    let t = text.replaceAll("-> ", "> ").replaceAll("~> ", "> ").replaceAll("!> ", "> ");
    for (const prefix of ["\n(Required)\n", "\n(Optional)\n"]) if (t.startsWith(prefix)) t = t.slice(prefix.length);
    t = t.replace(/\[[1-9]+\]: \/docs\/providers(?:\/[a-z1-9_]+)+\.[a-z]+/g, (ref) => {
        const [label, url] = ref.split(" ");
        return `${label} https://www.terraform.io${url}`;
    });
    t = t.replace(/\[([^\]]*)\]\(([^)]*)\)/g, (link, label: string, url: string) => {
        if (url.startsWith("http")) return link;
        if (url.startsWith("/")) return `[${label}](https://www.terraform.io${url})`;
        return label;
    });
    return fixupReferences(t, ctx).trim();
}

/** The text the Node.js generator prints between `/**` and `*\/` (printComment), one entry a line. */
export function commentLines(description: string): string[] {
    const lines = description.replaceAll("*/", "*&#47;").split("\n");
    while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
    return lines;
}

// ---- the SDK model ----

export interface SdkProperty {
    tfName: string;
    name: string;
    description: string;
    /** optional in Args / input types */
    inputOptional: boolean;
    /** optional in the resource's outputs / output types */
    outputOptional: boolean;
    /** an input at all (Optional || Required) */
    isInput: boolean;
    secret: boolean;
    /** TypeScript type text as an input (Args, State, types/input.ts) */
    inputType: (optional: boolean) => string;
    /** TypeScript type text as a plain output value (types/output.ts; wrapped in pulumi.Output on resources) */
    outputType: () => string;
    /** TS scalar for config vars / provider outputs, undefined for non-scalars */
    scalar?: string;
}

export interface SdkObjectType {
    name: string;
    properties: SdkProperty[];
}

export interface SdkResource {
    tfName: string;
    className: string;
    token: string;
    properties: SdkProperty[];
}

export interface SdkModel {
    resources: Record<string, SdkResource>;
    types: Map<string, SdkObjectType>;
    provider: SdkProperty[];
}

const SCALARS: Record<string, string> = { string: "string", number: "number", bool: "boolean" };

function withUndefined(t: string, optional: boolean): string {
    return optional ? `${t} | undefined` : t;
}

interface Shape {
    inputElem: string;
    outputElem: string;
    list: boolean;
    any: boolean;
    scalar?: string;
}

function shapeOf(attr: TfAttribute, typeName: () => string): Shape {
    if (attr.nested_type) {
        const name = typeName();
        const list = attr.nested_type.nesting_mode === "list" || attr.nested_type.nesting_mode === "set";
        if (attr.nested_type.nesting_mode === "map") throw new Error("map nested attributes: not modelled");
        return { inputElem: `inputs.${name}`, outputElem: `outputs.${name}`, list, any: false };
    }
    const t = attr.type;
    if (t === "dynamic") return { inputElem: "any", outputElem: "any", list: false, any: true };
    if (typeof t === "string") {
        const s = SCALARS[t];
        if (!s) throw new Error(`attribute type ${t}: not modelled`);
        return { inputElem: s, outputElem: s, list: false, any: false, scalar: s };
    }
    if (Array.isArray(t) && (t[0] === "list" || t[0] === "set") && typeof t[1] === "string" && SCALARS[t[1]]) {
        return { inputElem: SCALARS[t[1]], outputElem: SCALARS[t[1]], list: true, any: false };
    }
    throw new Error(`attribute type ${JSON.stringify(t)}: not modelled`);
}

function makeProperty(
    key: string,
    siblings: Record<string, TfAttribute>,
    ctx: DocContext,
    typeName: (pulumiName: string, list: boolean) => string,
    autonamed: boolean,
): SdkProperty {
    const attr = siblings[key];
    const name = propertyName(key, siblings);
    const shape = shapeOf(attr, () => typeName(name, isCollection(attr)));
    const inputOptional = !!attr.optional || !!attr.computed || autonamed;
    const outputOptional = !!attr.optional && !attr.computed && !autonamed;
    return {
        tfName: key,
        name,
        description: bridgeDescription(attr.description, ctx),
        inputOptional,
        outputOptional,
        isInput: !!attr.optional || !!attr.required,
        secret: !!attr.sensitive,
        scalar: shape.scalar,
        inputType: (optional) => {
            if (shape.any) return "any";
            const t = shape.list ? `pulumi.Input<${shape.inputElem}>[]` : shape.inputElem;
            return `pulumi.Input<${withUndefined(t, optional)}>`;
        },
        outputType: () => (shape.any ? "any" : shape.list ? `${shape.outputElem}[]` : shape.outputElem),
    };
}

function gatherTypes(prefix: string, attrs: Record<string, TfAttribute>, ctx: DocContext, types: Map<string, SdkObjectType>): void {
    for (const key of Object.keys(attrs)) {
        const attr = attrs[key];
        if (!attr.nested_type) continue;
        const name = propertyName(key, attrs);
        const typeName = prefix + upperFirst(isCollection(attr) ? singularize(name) : name);
        const nested = attr.nested_type.attributes;
        const properties = Object.keys(nested)
            .map((k) => makeProperty(k, nested, ctx, (n, list) => typeName + upperFirst(list ? singularize(n) : n), false))
            .sort(byName);
        if (types.has(typeName)) throw new Error(`type name ${typeName} declared twice`);
        types.set(typeName, { name: typeName, properties });
        gatherTypes(typeName, nested, ctx, types);
    }
}

function upperFirst(s: string): string {
    return s.charAt(0).toUpperCase() + s.slice(1);
}

function byName(a: { name: string }, b: { name: string }): number {
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function checkBlock(block: TfBlock, where: string): Record<string, TfAttribute> {
    if (block.block_types && Object.keys(block.block_types).length > 0) throw new Error(`${where}: blocks are not modelled`);
    return block.attributes ?? {};
}

export function sdkModel(schema: TfProviderSchema, resourceNames: string[]): SdkModel {
    const ctx = docContext(schema);
    const types = new Map<string, SdkObjectType>();
    const resources: Record<string, SdkResource> = {};
    for (const tfName of resourceNames) {
        const rs = schema.resource_schemas[tfName];
        if (!rs) throw new Error(`resource ${tfName} not in the schema`);
        const attrs = checkBlock(rs.block, tfName);
        const className = resourceTypeName(tfName);
        // SetAutonaming: a string `name` input gets an auto-name default.
        const autonamed = (k: string) => k === "name" && attrs[k].type === "string" && (!!attrs[k].optional || !!attrs[k].required);
        const properties = Object.keys(attrs)
            .filter((k) => k !== "id")
            .map((k) => makeProperty(k, attrs, ctx, (n, list) => className + upperFirst(list ? singularize(n) : n), autonamed(k)))
            .sort(byName);
        gatherTypes(className, attrs, ctx, types);
        const camel = className.charAt(0).toLowerCase() + className.slice(1);
        resources[tfName] = { tfName, className, token: `${PACKAGE}:index/${camel}:${className}`, properties };
    }
    const providerAttrs = checkBlock(schema.provider.block, "provider");
    const provider = Object.keys(providerAttrs)
        .map((k) =>
            makeProperty(
                k,
                providerAttrs,
                ctx,
                () => {
                    throw new Error("nested provider config: not modelled");
                },
                false,
            ),
        )
        .sort(byName);
    return { resources, types, provider };
}
