import { describe, expect, it } from "vitest";
import { ConfigError } from "../config/errors";
import { PROJECT, parseStackConfig } from "../config/load";
import { unknownTemplateNames } from "../prefect/vocabulary";
import { prefectUiUrl, withUiLinks } from "../alert/links";
import { planAlerting } from "../rules/plan";
import { renderSample } from "../alert/templates";
import { editKey, stackConfig } from "./helpers/stacks";

/**
 * Links in messages are built from the stack's UI base and the object's id (alert/links.ts): Prefect's `ui_url`
 * rendered `None` for a deployment on 3.9.1, and for everything on a server without PREFECT_UI_URL.
 */

const RUN = { id: "0f1e2d3c-4b5a-4968-8776-655443322110", name: "crimson-okapi" };
const render = (template: string, context: Record<string, unknown>) => renderSample(template, "http://unused", context);

describe("withUiLinks", () => {
    const base = "https://prefect.example.com/";

    it("turns each <object>|ui_url into a link on the base, by id (by name for a work pool)", () => {
        const t = withUiLinks(
            "<{{ flow_run|ui_url }}|run> <{{ deployment | ui_url }}|dep> <{{ work_queue|ui_url }}|queue> " +
                "<{{ work_pool|ui_url }}|pool> <{{ flow|ui_url }}|flow>",
            base,
        );
        expect(t).not.toContain("ui_url");
        const out = render(t, {
            flow_run: RUN,
            deployment: { id: "d-1" },
            work_queue: { id: "q-1" },
            work_pool: { name: "etl pool" },
            flow: { id: "f-1" },
        });
        expect(out).toBe(
            "<https://prefect.example.com/runs/flow-run/0f1e2d3c-4b5a-4968-8776-655443322110|run> " +
                "<https://prefect.example.com/deployments/deployment/d-1|dep> " +
                "<https://prefect.example.com/work-queues/work-queue/q-1|queue> " +
                "<https://prefect.example.com/work-pools/work-pool/etl%20pool|pool> " +
                "<https://prefect.example.com/flows/flow/f-1|flow>",
        );
    });

    it("works inside an expression (a Block Kit button's url) and leaves other text alone", () => {
        const t = withUiLinks("{% set url = (flow_run|ui_url) | string %}{{ url }} {{ flow_run.name }}", base);
        expect(render(t, { flow_run: RUN })).toBe(`https://prefect.example.com/runs/flow-run/${RUN.id} crimson-okapi`);
        expect(withUiLinks("no links {{ flow.name }}", base)).toBe("no links {{ flow.name }}");
        expect(unknownTemplateNames(t)).toEqual([]);
    });
});

describe("prefectUiUrl: the stack's UI base", () => {
    it("self-hosted: the server's address without /api; Prefect Cloud: the workspace's pages", () => {
        expect(prefectUiUrl("http://127.0.0.1:4200/api", undefined, undefined)).toBe("http://127.0.0.1:4200");
        expect(prefectUiUrl("https://prefect.internal/api/", undefined, undefined)).toBe("https://prefect.internal");
        expect(prefectUiUrl(undefined, "a-1", "w-2")).toBe("https://app.prefect.cloud/account/a-1/workspace/w-2");
        expect(prefectUiUrl("https://api.prefect.cloud/api/accounts/a-1/workspaces/w-2", "a-1", "w-2")).toBe(
            "https://app.prefect.cloud/account/a-1/workspace/w-2",
        );
    });

    it("the config's uiUrl wins (a UI behind another address than the API)", () => {
        const raw = editKey(stackConfig("local"), "uiUrl", () => "https://prefect.example.com");
        expect(parseStackConfig(raw).prefect.uiUrl).toBe("https://prefect.example.com");
    });

    it("a uiUrl that is not an http(s) URL is one ConfigError naming the key", () => {
        const raw = editKey(stackConfig("local"), "uiUrl", () => 'javascript:alert("x")');
        expect(() => parseStackConfig(raw)).toThrow(ConfigError);
        expect(() => parseStackConfig(raw)).toThrow(`${PROJECT}:uiUrl`);
    });
});

describe("every message of every planned automation links on the stack's own base", () => {
    it.each(["dev", "prod", "local"])("%s: no ui_url is left in any action; every link starts with the stack's UI base", (stack) => {
        const cfg = parseStackConfig(stackConfig(stack));
        for (const a of planAlerting(cfg).automations)
            for (const action of a.actions) {
                expect(action.body, a.key).not.toContain("ui_url");
                expect(action.subject, a.key).not.toContain("ui_url");
                for (const m of action.body.matchAll(/"(https?:\/\/[^"]+\/)(?:runs|deployments|work-pools|work-queues|flows)\//g))
                    expect(m[1], a.key).toBe(`${cfg.prefect.uiUrl}/`);
            }
    });
});
