// Reads the committed SDK twin's TypeScript sources with the TypeScript compiler API: interface and
// class properties (name, `?`, type text, doc comment) and what the resource constructors do.
import * as fs from "fs";
import * as path from "path";
import ts from "typescript";

export const SDK_DIR = path.resolve(__dirname, "..", "..", "sdks", "prefect");

export interface DeclaredProperty {
    name: string;
    optional: boolean;
    type: string;
    /** doc comment lines without the `/**`, ` * ` and `*\/` framing; [] when there is none */
    doc: string[];
}

export function parseFile(relative: string): ts.SourceFile {
    const file = path.join(SDK_DIR, relative);
    return ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
}

/** The JSDoc block directly before `node`, as lines. */
export function docOf(node: ts.Node, sf: ts.SourceFile): string[] {
    const ranges = ts.getLeadingCommentRanges(sf.text, node.getFullStart()) ?? [];
    const last = ranges.filter((r) => sf.text.startsWith("/**", r.pos)).pop();
    if (!last) return [];
    const body = sf.text.slice(last.pos + 3, last.end - 2);
    const lines = body.split("\n").slice(1, -1); // the generator opens and closes on their own lines
    return lines.map((l) => {
        const t = l.replace(/^\s*\*/, "");
        return t.startsWith(" ") ? t.slice(1) : t;
    });
}

function propertyOf(member: ts.PropertySignature | ts.PropertyDeclaration, sf: ts.SourceFile): DeclaredProperty {
    return {
        name: member.name.getText(sf),
        optional: member.questionToken !== undefined,
        type: member.type ? member.type.getText(sf) : "",
        doc: docOf(member, sf),
    };
}

export function interfaces(sf: ts.SourceFile): Map<string, { doc: string[]; properties: DeclaredProperty[] }> {
    const out = new Map<string, { doc: string[]; properties: DeclaredProperty[] }>();
    sf.forEachChild((node) => {
        if (ts.isInterfaceDeclaration(node)) {
            out.set(node.name.text, {
                doc: docOf(node, sf),
                properties: node.members.filter(ts.isPropertySignature).map((m) => propertyOf(m, sf)),
            });
        }
    });
    return out;
}

export interface DeclaredClass {
    doc: string[];
    /** `declare public readonly x: pulumi.Output<...>` members */
    outputs: (DeclaredProperty & { outOnly: boolean })[];
    /** properties wrapped in pulumi.secret(args.x) by the constructor */
    secretInputs: string[];
    /** additionalSecretOutputs */
    secretOutputs: string[];
    /** properties the constructor refuses to do without */
    requiredInputs: string[];
    /** keys of resourceInputs[...] the constructor sets */
    resourceInputs: string[];
    token?: string;
}

export function classOf(sf: ts.SourceFile, name: string): DeclaredClass {
    let cls: ts.ClassDeclaration | undefined;
    sf.forEachChild((n) => {
        if (ts.isClassDeclaration(n) && n.name?.text === name) cls = n;
    });
    if (!cls) throw new Error(`class ${name} not found in ${sf.fileName}`);
    const result: DeclaredClass = {
        doc: docOf(cls, sf),
        outputs: [],
        secretInputs: [],
        secretOutputs: [],
        requiredInputs: [],
        resourceInputs: [],
    };
    for (const m of cls.members) {
        if (ts.isPropertyDeclaration(m) && m.modifiers?.some((x) => x.kind === ts.SyntaxKind.DeclareKeyword)) {
            // `/*out*/` marks properties that are never inputs.
            const leading = sf.text.slice(m.getFullStart(), m.name.getStart(sf));
            result.outputs.push({ ...propertyOf(m, sf), outOnly: leading.includes("/*out*/") });
        }
        if (ts.isPropertyDeclaration(m) && m.name.getText(sf) === "__pulumiType" && m.initializer && ts.isStringLiteral(m.initializer)) {
            result.token = m.initializer.text;
        }
    }
    const visit = (n: ts.Node): void => {
        if (ts.isCallExpression(n) && n.expression.getText(sf) === "pulumi.secret" && n.arguments.length === 1) {
            const arg = n.arguments[0];
            if (ts.isPropertyAccessExpression(arg) && arg.expression.getText(sf) === "args") result.secretInputs.push(arg.name.text);
        }
        if (ts.isPropertyAssignment(n) && n.name.getText(sf) === "additionalSecretOutputs" && ts.isArrayLiteralExpression(n.initializer)) {
            for (const e of n.initializer.elements) if (ts.isStringLiteral(e)) result.secretOutputs.push(e.text);
        }
        if (ts.isNewExpression(n) && n.expression.getText(sf) === "Error" && n.arguments?.[0] && ts.isStringLiteral(n.arguments[0])) {
            const m = /^Missing required property '(.+)'$/.exec(n.arguments[0].text);
            if (m) result.requiredInputs.push(m[1]);
        }
        if (ts.isElementAccessExpression(n) && n.expression.getText(sf) === "resourceInputs" && ts.isStringLiteral(n.argumentExpression)) {
            if (!result.resourceInputs.includes(n.argumentExpression.text)) result.resourceInputs.push(n.argumentExpression.text);
        }
        n.forEachChild(visit);
    };
    cls.members.filter(ts.isConstructorDeclaration).forEach(visit);
    return result;
}

/** `export declare const x: T;` config variables with their doc comments. */
export function configVariables(sf: ts.SourceFile): DeclaredProperty[] {
    const out: DeclaredProperty[] = [];
    sf.forEachChild((n) => {
        const exported = ts.isVariableStatement(n) && n.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
        if (ts.isVariableStatement(n) && exported && n.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) {
            for (const d of n.declarationList.declarations) {
                out.push({ name: d.name.getText(sf), optional: false, type: d.type?.getText(sf) ?? "", doc: docOf(n, sf) });
            }
        }
    });
    return out;
}
