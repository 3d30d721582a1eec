import { describe, expect, it } from "vitest";
import { SLACK_LIMITS, TRUNCATED, blockKitBody } from "../channels/blockKit";
import { PAGERDUTY_LIMITS, pagerDutyEventBody } from "../channels/pagerDutyEvent";
import { unknownTemplateNames } from "../prefect/vocabulary";
import type { Message } from "../alert/model";
import { SAMPLE_CONTEXT, renderSample } from "../alert/templates";

/**
 * The JSON bodies (Slack Block Kit, PagerDuty Events API v2) are Jinja
 * templates the server renders with whatever a run said: every such value must
 * still give valid JSON within the receiver's limits, and read as the run said.
 */
const MESSAGE: Message = {
    subject: "CRITICAL: {{ flow.name }} failed 3 times",
    body: "*CRITICAL*: {{ flow.name }}",
    detail: {
        title: "CRITICAL: {{ flow.name }} failed 3 times",
        fields: [
            { label: "Flow", value: "flow.name" },
            { label: "Run count", value: "flow_run.run_count | string" },
            { label: "Tags", value: 'flow_run.tags | join(", ")' },
        ],
        error: 'flow_run.state.message or ""',
        link: { url: "flow_run|ui_url", text: "Open the flow run in Prefect" },
        next: "acknowledge and look at the run.",
    },
};

const NASTY = [
    'a "quoted" error',
    "back\\slash and \\n escapes",
    "line one\nline two\r\n\ttabbed",
    "emoji 🚨🔥 and ünïcödé",
    "{{ x }} and {% raw %} and {% endraw %}",
    "<!channel> & <https://evil.example|click>",
    "x".repeat(20_000),
];

const UI = "http://127.0.0.1:4200";
const contextWith = (message: string, flowName = "exchange-rates-daily") => ({
    ...SAMPLE_CONTEXT,
    flow: { id: "6f1c2d3e-0000-4000-8000-0000000000aa", name: flowName },
    flow_run: { ...SAMPLE_CONTEXT.flow_run, run_count: 3, tags: ["dlt", 'we"ird'], state: { ...SAMPLE_CONTEXT.flow_run.state, message } },
});
const INCIDENT = { dedupKey: "prefect/prod/flow/{{ flow.id }}", action: "trigger", severity: "critical" } as const;

describe("Slack Block Kit body", () => {
    const template = blockKitBody(MESSAGE, "stack prod · critical tier");

    it("uses only names Prefect offers", () => expect(unknownTemplateNames(template)).toEqual([]));

    it.each(NASTY.map((m) => [m.slice(0, 30), m]))("stays valid JSON within Slack's limits for an error like %j", (_, text) => {
        const body = JSON.parse(renderSample(template, UI, contextWith(text)));
        expect(body.text).toBe("CRITICAL: exchange-rates-daily failed 3 times");
        expect(body.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
        expect(body.blocks[0]).toEqual({
            type: "header",
            text: { type: "plain_text", emoji: true, text: "CRITICAL: exchange-rates-daily failed 3 times" },
        });
        for (const b of body.blocks) {
            if (b.text?.type === "mrkdwn") expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
            for (const f of b.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.field);
        }
        const error = body.blocks.find((b: any) => b.text?.text?.startsWith("*Error*"));
        const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
        if (escaped.length <= SLACK_LIMITS.sectionText - 32) expect(error.text.text).toBe("*Error*\n```" + escaped + "```");
        else {
            expect(error.text.text.endsWith(`${TRUNCATED}\`\`\``)).toBe(true);
            expect(error.text.text).toContain(escaped.slice(0, 1000));
        }
        // Slack mentions and links in a run's text arrive escaped, never live.
        expect(JSON.stringify(body)).not.toContain("<!channel>");
    });

    it("has a button to the run and the context line; no button when the UI URL is unknown", () => {
        const body = JSON.parse(renderSample(template, UI, contextWith("boom")));
        expect(body.blocks.at(-1)).toEqual({
            type: "actions",
            elements: [
                {
                    type: "button",
                    text: { type: "plain_text", text: "Open the flow run in Prefect" },
                    url: `${UI}/runs/flow-run/${SAMPLE_CONTEXT.flow_run.id}`,
                },
            ],
        });
        expect(body.blocks).toContainEqual({ type: "context", elements: [{ type: "mrkdwn", text: "stack prod · critical tier" }] });
        const noUi = JSON.parse(renderSample(template, UI, { ...contextWith("boom"), flow_run: undefined }));
        expect(noUi.blocks.some((b: any) => b.type === "actions")).toBe(false);
    });

    it("leaves the error block out when the run has no message", () => {
        const body = JSON.parse(renderSample(template, UI, contextWith("")));
        expect(body.blocks.some((b: any) => b.text?.text?.startsWith("*Error*"))).toBe(false);
    });
});

describe("PagerDuty Events API v2 body", () => {
    const trigger = pagerDutyEventBody(MESSAGE, { stack: "prod", signal: "repeatedFailure", tier: "critical", incident: INCIDENT });
    const resolve = pagerDutyEventBody(MESSAGE, {
        stack: "prod",
        signal: "repeatedFailure",
        tier: "critical",
        incident: { ...INCIDENT, action: "resolve" },
    });
    const event = (template: string, ctx: Record<string, unknown>) =>
        JSON.parse(`{"routing_key":"R0UTINGKEY",${renderSample(template, UI, ctx)}}`);

    it.each(NASTY.map((m) => [m.slice(0, 30), m]))("a trigger stays valid within PagerDuty's contract for an error like %j", (_, text) => {
        const e = event(trigger, contextWith(text, `flow ${text.slice(0, 2000)}`));
        expect(e).toMatchObject({
            routing_key: "R0UTINGKEY",
            event_action: "trigger",
            dedup_key: "prefect/prod/flow/6f1c2d3e-0000-4000-8000-0000000000aa",
        });
        expect(["critical", "error", "warning", "info"]).toContain(e.payload.severity);
        expect(e.payload.source).toBe("prefect/prod");
        expect(e.payload.summary.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.summary);
        expect(typeof e.payload.custom_details).toBe("object");
        expect(e.payload.custom_details.error.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.detail);
        if (text.length <= PAGERDUTY_LIMITS.detail) expect(e.payload.custom_details.error).toBe(text);
        expect(e.payload.custom_details).toMatchObject({ run_count: "3", tags: 'dlt, we"ird', stack: "prod" });
        expect(e.links).toEqual([{ href: `${UI}/runs/flow-run/${SAMPLE_CONTEXT.flow_run.id}`, text: "Open the flow run in Prefect" }]);
    });

    it("a resolve carries the same dedup key, and nothing else", () => {
        const ctx = contextWith("boom");
        expect(event(resolve, ctx)).toEqual({
            routing_key: "R0UTINGKEY",
            event_action: "resolve",
            dedup_key: event(trigger, ctx).dedup_key,
        });
    });
});
