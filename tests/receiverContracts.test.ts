import { describe, expect, it } from "vitest";
import { IncidentBook, pagerDutyProblems, slackProblems } from "./e2e/contracts";

/** The end-to-end receiver's stand-ins for PagerDuty and Slack (tests/e2e/contracts.ts): what they accept and refuse. */

const trigger = (over: Record<string, unknown> = {}, payload: Record<string, unknown> = {}) =>
    JSON.stringify({
        routing_key: "rk",
        event_action: "trigger",
        dedup_key: "prefect/s/flow/1",
        payload: { summary: "CRITICAL: x failed", source: "prefect/s", severity: "critical", custom_details: { a: "b" }, ...payload },
        links: [{ href: "http://127.0.0.1:4200/runs/flow-run/1", text: "Open" }],
        ...over,
    });
const resolve = (key = "prefect/s/flow/1") => JSON.stringify({ routing_key: "rk", event_action: "resolve", dedup_key: key });

describe("PagerDuty Events API v2 contract", () => {
    it("accepts a full trigger and a resolve with a dedup key", () => {
        expect(pagerDutyProblems(trigger())).toEqual([]);
        expect(pagerDutyProblems(resolve())).toEqual([]);
        expect(pagerDutyProblems(trigger({ dedup_key: undefined }))).toEqual([]);
    });

    it.each([
        ["not JSON", '{"routing_key":"rk",', /not valid JSON/],
        ["no routing key", trigger({ routing_key: undefined }), /routing_key: required/],
        ["an unknown action", trigger({ event_action: "open" }), /event_action: one of/],
        ["a resolve without dedup key", JSON.stringify({ routing_key: "rk", event_action: "resolve" }), /dedup_key: required unless/],
        ["a 256-character dedup key", trigger({ dedup_key: "k".repeat(256) }), /dedup_key: at most 255/],
        ["a trigger without payload", trigger({ payload: undefined }), /payload: required/],
        ["a 1025-character summary", trigger({}, { summary: "s".repeat(1025) }), /summary: at most 1024/],
        ["no source", trigger({}, { source: "" }), /payload.source: required/],
        ["severity high", trigger({}, { severity: "high" }), /payload.severity: one of/],
        ["custom_details as text", trigger({}, { custom_details: "x" }), /custom_details: an object/],
        ["a link without href", trigger({ links: [{ text: "t" }] }), /links\[0\].href: required/],
        ["a link that is no URL", trigger({ links: [{ href: "None" }] }), /links\[0\].href: a URL/],
    ])("refuses %s", (_, raw, problem) => expect(pagerDutyProblems(raw).join("\n")).toMatch(problem));
});

describe("incident state by dedup key", () => {
    it("a trigger opens, further triggers add alerts, a resolve closes; a resolve with nothing open is ignored", () => {
        const book = new IncidentBook();
        expect(JSON.parse(book.accept(resolve()).body)).toEqual({
            status: "success",
            message: "Event processed",
            dedup_key: "prefect/s/flow/1",
        });
        expect(book.ignored).toHaveLength(1);
        const reply = book.accept(trigger());
        expect(reply.status).toBe(202);
        expect(JSON.parse(reply.body).dedup_key).toBe("prefect/s/flow/1");
        book.accept(trigger());
        book.accept(trigger({ dedup_key: "prefect/s/flow/2" }));
        expect(book.incidents.map((i) => [i.dedupKey, i.alerts.length, i.status])).toEqual([
            ["prefect/s/flow/1", 2, "triggered"],
            ["prefect/s/flow/2", 1, "triggered"],
        ]);
        book.accept(resolve());
        expect(book.withKey("prefect/s/flow/1")[0].status).toBe("resolved");
        // The same key again: a new incident.
        book.accept(trigger());
        expect(book.withKey("prefect/s/flow/1").map((i) => i.status)).toEqual(["resolved", "triggered"]);
    });

    it("answers 400 with the problems and keeps no state for an invalid event; a trigger without key gets one", () => {
        const book = new IncidentBook();
        const reply = book.accept(trigger({}, { severity: "high" }));
        expect(reply.status).toBe(400);
        expect(JSON.parse(reply.body).errors[0]).toMatch(/severity/);
        expect(book.incidents).toEqual([]);
        expect(book.rejected).toHaveLength(1);
        expect(JSON.parse(book.accept(trigger({ dedup_key: undefined })).body).dedup_key).toBe("generated-1");
    });
});

describe("Slack Block Kit limits", () => {
    const message = (blocks: unknown[], text: unknown = "fallback") => JSON.stringify({ text, blocks });
    const header = (text: string) => ({ type: "header", text: { type: "plain_text", text } });
    const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });
    const field = (text: string) => ({ type: "mrkdwn", text });

    it("accepts a message as the program sends it", () => {
        const ok = message([
            header("Pipeline failed: x (Failed)"),
            { type: "section", fields: [field("*Flow*\nx"), field("*State*\nFailed")] },
            section("*Error*\n```boom```"),
            { type: "context", elements: [field("prefect-alerting · stack s · warning")] },
            { type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Open" }, url: "http://127.0.0.1/runs/1" }] },
        ]);
        expect(slackProblems(ok)).toEqual([]);
    });

    it.each([
        ["not JSON", "{", /not valid JSON/],
        ["no text fallback", message([header("h")], null), /text: the plain-text fallback/],
        ["51 blocks", message(Array(51).fill(section("s"))), /blocks: at most 50/],
        ["a 151-character header", message([header("h".repeat(151))]), /at most 150/],
        ["a mrkdwn header", message([{ type: "header", text: { type: "mrkdwn", text: "h" } }]), /type: one of plain_text/],
        ["a 3001-character section", message([section("s".repeat(3001))]), /at most 3000/],
        ["11 fields", message([{ type: "section", fields: Array(11).fill(field("f")) }]), /fields: at most 10/],
        ["a 2001-character field", message([{ type: "section", fields: [field("f".repeat(2001))] }]), /at most 2000/],
        [
            "a button to no URL",
            message([{ type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "b" }, url: "None" }] }]),
            /url: a URL/,
        ],
        ["an unknown block", message([{ type: "table" }]), /a block type this check knows/],
    ])("refuses %s", (_, raw, problem) => expect(slackProblems(raw as string).join("\n")).toMatch(problem));
});
