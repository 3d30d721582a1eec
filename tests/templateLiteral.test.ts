/**
 * Config text inside message templates (issue 8, item 3): route tags, flow,
 * deployment and work pool names are legal in Prefect whatever they contain,
 * so each renders exactly as written, never as Jinja. Prefect's own Jinja
 * renders the same literals in the end-to-end suite (tests/e2e).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { PROJECT, parseStackConfig } from "../config/load";
import { readStackFile } from "../harness/stackFile";
import { noSuccessMessage } from "../signals/allPipelinesDown";
import { planAlerting } from "../rules/plan";
import { describeRoute } from "../alert/routes";
import { unknownTemplateNames } from "../prefect/vocabulary";
import { SAMPLE_CONTEXT, renderSample, templateLiteral } from "../alert/templates";
import { ROOT, stackConfig } from "./helpers/stacks";
import { NASTY } from "./helpers/templateSyntax";

const UI = "http://127.0.0.1:4200";

describe("templateLiteral", () => {
    for (const text of NASTY) {
        it(`renders ${JSON.stringify(text)} literally, next to real template code`, () => {
            const template = `[{{ flow.name }}]${templateLiteral(text)}[{{ flow_run.name }}]`;
            expect(renderSample(template, UI)).toBe(`[${SAMPLE_CONTEXT.flow.name}]${text}[${SAMPLE_CONTEXT.flow_run.name}]`);
            // The template check sees no variable in it: a literal is not code.
            expect(unknownTemplateNames(template)).toEqual([]);
        });
    }

    it("leaves text without a brace unchanged, so ordinary names keep their templates byte for byte", () => {
        for (const text of [
            "dlt",
            "products-daily",
            "exchange-rates-daily-prod",
            "quote \" and ' ",
            "back\\slash",
            "50% #1",
            "über 日本 🎉",
            "a b\tc",
        ]) {
            expect(templateLiteral(text)).toBe(text);
        }
    });

    it("without it, each case that opens a tag is Jinja: it renders something else, or does not render at all", () => {
        // That the cases above are nasty at all (renderSample is the preview's nunjucks); a lone "}" or "%}" is harmless on its own.
        const opening = NASTY.filter((t) => /\{[{%#]/.test(t));
        expect(opening.length).toBeGreaterThan(15);
        for (const text of opening) {
            let rendered: string | Error;
            try {
                rendered = renderSample(text, UI);
            } catch (e) {
                rendered = e as Error;
            }
            expect(rendered, text).not.toBe(text);
        }
    });
});

describe("config text in messages", () => {
    const odd = { tags: ["{{ flow_run.name }}", "a{{b"], flows: ["{{ foo }}"], deployments: ["{% raw %}"] };
    const route = { name: "odd", ...odd };

    it("the P1 silence message names the route's tags, flows and deployments as written", () => {
        const body = renderSample(noSuccessMessage(describeRoute(route), 1800).body, UI);
        expect(body).toContain(`Not one of the watched ${describeRoute(route)} reached Completed`);
        expect(describeRoute(route)).toBe("flow runs tagged {{ flow_run.name }} or a{{b and of flow {{ foo }} and of deployment {% raw %}");
    });

    it("every message of a stack whose names are template syntax renders, with each name literally and no unknown variables", () => {
        const local = readStackFile(ROOT, "local").values;
        const routes = { odd, dlt: { tags: ["dlt"] } };
        const p1 = { ...JSON.parse(local[`${PROJECT}:p1`]), workPools: ["{{ work_pool.name }}"] };
        const success = { ...JSON.parse(local[`${PROJECT}:successNotice`]), flows: ["{% endraw %}"] };
        const cfg = parseStackConfig(
            stackConfig("local", {
                [`${PROJECT}:routes`]: JSON.stringify(routes),
                [`${PROJECT}:p1`]: JSON.stringify(p1),
                [`${PROJECT}:successNotice`]: JSON.stringify(success),
            }),
        );
        const plan = planAlerting(cfg);
        const silence = plan.automations.find((a) => a.key === "p1-no-success-odd")!;
        expect(renderSample(silence.message.body, UI)).toContain(describeRoute(route));
        for (const a of plan.automations) {
            expect(unknownTemplateNames(a.message.subject), a.key).toEqual([]);
            expect(unknownTemplateNames(a.message.body), a.key).toEqual([]);
            expect(() => renderSample(a.message.subject, UI) + renderSample(a.message.body, UI), a.key).not.toThrow();
        }
    });

    it("the committed stacks' messages contain no escaped literal (their templates are as before)", () => {
        for (const stack of ["dev", "prod", "local"]) {
            for (const a of planAlerting(parseStackConfig(stackConfig(stack))).automations)
                expect(a.message.subject + a.message.body, `${stack} ${a.key}`).not.toContain('{{ "');
        }
    });
});

describe("the offline preview", () => {
    const oddTagPreview =
        "previews a stack whose route tag is a{{b and {{ flow_run.name }}: exit 0, the tags shown literally in the rendered message";
    it(oddTagPreview, { timeout: 130_000 }, async () => {
        const dir = mkdtempSync(join(tmpdir(), "preview-odd-"));
        try {
            const file = join(dir, "Pulumi.odd.yaml");
            const { values } = readStackFile(ROOT, "local");
            const config: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(values)) config[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
            config[`${PROJECT}:routes`] = { dlt: { tags: ["a{{b", "{{ flow_run.name }}"] } };
            writeFileSync(file, stringify({ config }));
            const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
                execFile(
                    join(ROOT, "node_modules", ".bin", "tsx"),
                    [join(ROOT, "scripts", "preview.ts"), file],
                    { cwd: ROOT, timeout: 120_000 },
                    (e, stdout, stderr) => resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
                ),
            );
            expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
            expect(stdout).toContain(
                "| Not one of the watched flow runs tagged a{{b or {{ flow_run.name }} reached Completed in the last 6 hours",
            );
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
