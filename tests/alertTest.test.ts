import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../config/load";
import { offlineConfig } from "../config/offline";
import { readStackFile } from "../harness/stackFile";
import { planAlerting } from "../rules/plan";
import { adHocFailureEvent, covers } from "../scripts/alertTest/match";
import { UsageError, parseOptions } from "../scripts/alertTest/options";
import { resolveTarget } from "../scripts/alertTest/target";
import {
    EXECUTED,
    FAILED,
    PrefectEvent,
    TRIGGERED,
    allDone,
    assess,
    findOnServer,
    formatReport,
    progress,
} from "../scripts/alertTest/report";
import { AlertTestError, Tier, planAlertTest } from "../scripts/alertTest/select";
import { finalFailureTrigger } from "../signals/finalFailure";
import { resolve } from "node:path";

const ROOT = resolve(__dirname, "..");
const STAMP = "20250101120000";

/** A stack as the command reads it: the committed local stack, project keys replaced by `edit`. */
function stack(edit: Record<string, unknown> = {}, name = "local") {
    const file = readStackFile(ROOT, "local");
    for (const [k, v] of Object.entries(edit)) file.values[`prefect-alerting:${k}`] = JSON.stringify(v);
    const cfg = parseStackConfig(offlineConfig(name, file).raw);
    return { cfg, plan: planAlerting(cfg) };
}
const test = (tier: Tier, routes?: string[], edit?: Record<string, unknown>) => {
    const { cfg, plan } = stack(edit);
    return planAlertTest(cfg, plan, tier, routes, STAMP);
};
const summary = (t: ReturnType<typeof test>) =>
    t.expected.map((e) => `${e.automation.name} x${e.firings}${e.tested ? "" : " (side effect)"}`);

describe("alert-test command line (node:util parseArgs)", () => {
    it("defaults to the warning tier and 120 s; a critical test is only what --tier critical asks for", () => {
        expect(parseOptions(["local"])).toEqual({ target: "local", routes: undefined, tier: "warning", timeoutSeconds: 120 });
        expect(parseOptions(["prod", "--tier", "critical", "--route", "a,b", "--route", "c", "--timeout", "30"])).toEqual({
            target: "prod",
            routes: ["a", "b", "c"],
            tier: "critical",
            timeoutSeconds: 30,
        });
    });
    it.each([
        [["local", "--tier", "page"], /--tier: expected one of warning, critical, all/],
        [["local", "--timeout", "0"], /--timeout/],
        [["local", "--rout", "dlt"], /Unknown option '--rout'/],
        [[], /which stack/],
        [["local", "prod"], /one stack/],
        [["local", "--route", "a,,b"], /empty one/],
    ])("refuses %j", (argv, message) => {
        expect(() => parseOptions(argv)).toThrow(UsageError);
        expect(() => parseOptions(argv)).toThrow(message);
    });
});

describe("which runs an alert test starts, from the program's own plan", () => {
    it("warning (default) on the local stack: one run of a fresh alert-test flow tagged dlt; the warning automation fires once", () => {
        const t = test("warning");
        expect(t.runs).toEqual([{ route: "dlt", flow: `alert-test-dlt-${STAMP}`, runName: "alert-test-dlt", tags: ["dlt"], times: 1 }]);
        // One failure never reaches the critical threshold (3): nothing pages.
        expect(summary(t)).toEqual(["[local] Pipeline failed (dlt) x1"]);
        expect(t.expected[0].automation.actions.map((a) => a.channel)).toEqual(["alerts"]);
    });

    it("critical: the plan's threshold of failures of one flow; the warnings they cause are side effects", () => {
        const t = test("critical", undefined, { critical: { enabled: true, channels: ["critical", "pager"], threshold: 4 } });
        expect(t.runs.map((r) => r.times)).toEqual([4]);
        expect(summary(t)).toEqual(["[local] Pipeline failed (dlt) x4 (side effect)", "[local] CRITICAL repeated failures (dlt) x1"]);
        expect(test("all").expected.map((e) => [e.firings, e.tested])).toEqual([
            [3, true],
            [1, true],
        ]);
    });

    it("no route, deployment-only route, a tier that is off or does not watch the route: one clear error", () => {
        expect(() => test("warning", ["nope"])).toThrow(/stack "local" has no route "nope"; its routes: dlt/);
        expect(() => test("critical", undefined, { critical: { enabled: false } })).toThrow(/critical tier of stack "local" is off/);
        const routes = { dlt: { tags: ["dlt"] }, nightly: { deployments: ["etl/nightly"] } };
        expect(() => test("warning", ["nightly"], { routes })).toThrow(AlertTestError);
        expect(() => test("warning", ["nightly"], { routes })).toThrow(/route "nightly" selects runs by deployment \(etl\/nightly\)/);
        // Without --route it is skipped, and said so.
        const t = test("warning", undefined, { routes });
        expect(t.runs.map((r) => r.route)).toEqual(["dlt"]);
        expect(t.notes[0]).toMatch(/^skipped: route "nightly" selects runs by deployment/);
        expect(() => test("warning", ["dlt"], { routes, warning: { enabled: true, channels: ["alerts"], routes: ["nightly"] } })).toThrow(
            /route "dlt" is not watched by the warning tier of stack "local" \(it watches nightly\)/,
        );
    });

    it("picks the tag that no other route watches, so exactly the chosen route fires", () => {
        const routes = { both: { tags: ["dlt", "orders"] }, dlt: { tags: ["dlt"] } };
        const t = test("warning", ["both"], { routes });
        expect(t.runs[0].tags).toEqual(["orders"]);
        expect(summary(t)).toEqual(["[local] Pipeline failed (both) x1"]);
    });

    it("a route every run of which another route also selects: refused, with the --route that tests both", () => {
        const routes = { all: { tags: ["dlt"] }, orders: { tags: ["dlt"], flows: ["orders-sync"] } };
        expect(() => test("warning", ["orders"], { routes })).toThrow(/also matches route\(s\) all .*--route orders,all/);
        const t = test("warning", ["orders", "all"], { routes });
        expect(t.runs.map((r) => [r.route, r.flow, r.tags])).toEqual([
            ["orders", "orders-sync", ["dlt"]],
            ["all", `alert-test-all-${STAMP}`, ["dlt"]],
        ]);
        // The orders run fires both routes' warnings; a route by flow name runs as that flow, which is said.
        expect(summary(t)).toEqual(["[local] Pipeline failed (all) x2", "[local] Pipeline failed (orders) x1"]);
        expect(t.notes.join("\n")).toMatch(/route "orders" selects by flow name, so the test runs as flow "orders-sync"/);
    });
});

describe("trigger matching as Prefect's server does it", () => {
    const route = { name: "r", tags: ["dlt", "etl"], flows: ["a", "b"], deployments: [] };
    it.each([
        ["a", ["dlt"], true],
        ["b", ["etl", "x"], true],
        ["c", ["dlt"], false], // match_related objects are ANDed: the flow must match too
        ["a", ["x"], false],
        ["a", [], false],
    ])("flow %s tagged %j -> %s", (flow, tags, hit) => {
        expect(covers(finalFailureTrigger(route), adHocFailureEvent(flow, tags))).toBe(hit);
    });
    it("only the final failure events it expects; wildcard and negation labels", () => {
        const t = finalFailureTrigger({ ...route, flows: [] });
        expect(covers(t, adHocFailureEvent("x", ["dlt"], "AwaitingRetry"))).toBe(false);
        expect(covers(t, adHocFailureEvent("x", ["dlt"], "TimedOut"))).toBe(true);
        expect(
            covers({ ...t, match_related: { "prefect.resource.role": "flow", "prefect.resource.name": "!x" } }, adHocFailureEvent("x", [])),
        ).toBe(false);
        expect(
            covers(
                { ...t, match_related: { "prefect.resource.role": "flow", "prefect.resource.name": "alert-*" } },
                adHocFailureEvent("alert-1", []),
            ),
        ).toBe(true);
    });
});

describe("report from Prefect's automation events", () => {
    const t = test("warning", undefined, { warning: { enabled: true, channels: ["alerts", "critical"] } });
    const name = "[local] Pipeline failed (dlt)";
    const server = [
        { id: "A1", name, enabled: true, actions: [{ type: "send-notification", block_document_id: "B1" }, { type: "send-notification" }] },
    ];
    const runs = [{ route: "dlt", flow: `alert-test-dlt-${STAMP}`, flow_run_id: "R1", state: "Failed" }];
    const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 12, 0, s)).toISOString();
    const triggered = (id: string, run: string): PrefectEvent => ({
        id,
        event: TRIGGERED,
        occurred: at(2),
        resource: { "prefect.resource.id": "prefect.automation.A1" },
        related: [],
        payload: { triggering_event: { occurred: at(1), resource: { "prefect.resource.id": `prefect.flow-run.${run}` } } },
    });
    const outcome = (event: string, index: number, s: number, of = "T1"): PrefectEvent => ({
        id: `O${index}${s}`,
        event,
        occurred: at(s),
        resource: { "prefect.resource.id": "prefect.automation.A1" },
        related: [{ "prefect.resource.id": `prefect.event.${of}`, "prefect.resource.role": "automation-triggered-event" }],
        payload: { action_index: index, ...(event === FAILED ? { reason: "Unexpected status from 'send-notification' action: 404" } : {}) },
    });

    it("per channel: delivered or failed (action.failed's reason), with ms from the failure; one failed channel fails the test", () => {
        const events = [
            triggered("T0", "other-run"),
            triggered("T1", "R1"),
            outcome(EXECUTED, 0, 3),
            outcome(FAILED, 1, 4),
            outcome(EXECUTED, 1, 5, "T0"),
        ];
        const [r] = assess(findOnServer(t.expected, server), runs, events, { B1: "local-alerts" });
        expect(r.firings).toEqual([
            {
                flowRunId: "prefect.flow-run.R1",
                msToTriggered: 1000,
                actions: [
                    { index: 0, channel: "alerts", block: "local-alerts", outcome: "delivered", reason: undefined, ms: 2000 },
                    {
                        index: 1,
                        channel: "critical",
                        block: undefined,
                        outcome: "failed",
                        reason: expect.stringContaining("404"),
                        ms: 3000,
                    },
                ],
            },
        ]);
        expect([r.done, r.ok]).toEqual([true, false]);
        const text = formatReport(t, runs, [r], false).join("\n");
        expect(text).toContain("  #1 alerts (block local-alerts): delivered 2000 ms");
        expect(text).toContain("  #2 critical: FAILED 3000 ms: Unexpected status from 'send-notification' action: 404");
        expect(text).toMatch(/FAILED: 1 of 1 tested automation\(s\) did not get every alert out: \[local\] Pipeline failed \(dlt\)$/);
    });

    it("no outcome yet: still waiting; at the timeout it is NOT DELIVERED; all delivered: OK", () => {
        const pending = assess(findOnServer(t.expected, server), runs, [triggered("T1", "R1"), outcome(EXECUTED, 0, 3)]);
        expect(allDone(pending)).toBe(false);
        expect(progress(pending)).toBe("fired 1/1, delivered 1/2");
        expect(formatReport(t, runs, pending, true).join("\n")).toContain("#2 critical: NOT DELIVERED: Prefect recorded no outcome");
        const good = assess(findOnServer(t.expected, server), runs, [
            triggered("T1", "R1"),
            outcome(EXECUTED, 0, 3),
            outcome(EXECUTED, 1, 3),
        ]);
        expect([allDone(good), good[0].ok]).toEqual([true, true]);
        expect(formatReport(t, runs, good, false).at(-1)).toBe("OK: every tested alert went out (fired 1/1, delivered 2/2).");
        const none = assess(findOnServer(t.expected, server), runs, []);
        expect(formatReport(t, runs, none, true).join("\n")).toContain("fired 0/1 (NOT FIRED before the timeout)");
    });

    it("an automation missing or disabled on the server cannot fire: reported, and the test fails", () => {
        const [missing] = assess(findOnServer(t.expected, []), runs, []);
        expect(formatReport(t, [], [missing], false).slice(0, 3)).toEqual([
            "[local] Pipeline failed (dlt)  [warning]",
            "  NOT TESTED: not on the server (has `pulumi up` run for this stack?)",
            "",
        ]);
        expect([missing.problem, missing.ok, missing.done]).toEqual([
            "not on the server (has `pulumi up` run for this stack?)",
            false,
            true,
        ]);
        const [off] = findOnServer(t.expected, [{ ...server[0], enabled: false }]);
        expect(off.problem).toBe("disabled on the server, so it cannot fire");
    });
});

describe("which Prefect API", () => {
    it("self-hosted: the stack's endpoint; Prefect Cloud: PREFECT_API_KEY and the stack's workspace", () => {
        expect(resolveTarget("http://127.0.0.1:4200/api/", {}, {})).toMatchObject({
            api: "http://127.0.0.1:4200/api",
            cloud: false,
            headers: {},
        });
        const ids = { accountId: "11111111-1111-4111-8111-111111111111", workspaceId: "22222222-2222-4222-8222-222222222222" };
        const ws = `https://api.prefect.cloud/api/accounts/${ids.accountId}/workspaces/${ids.workspaceId}`;
        expect(() => resolveTarget(undefined, ids, {})).toThrow(/set PREFECT_API_KEY/);
        expect(resolveTarget(undefined, ids, { PREFECT_API_KEY: "pnu_test" })).toMatchObject({
            api: ws,
            cloud: true,
            headers: { authorization: "Bearer pnu_test" },
            env: { PREFECT_API_URL: ws, PREFECT_API_KEY: "pnu_test" },
        });
        expect(() => resolveTarget(undefined, ids, { PREFECT_API_KEY: "k", PREFECT_API_URL: `${ws.slice(0, -1)}3` })).toThrow(
            /but the stack's workspace is/,
        );
        expect(() => resolveTarget(undefined, {}, { PREFECT_API_KEY: "k" })).toThrow(/set PREFECT_API_URL/);
    });
});
