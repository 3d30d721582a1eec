import { beforeAll, describe, expect, it } from "vitest";
import type { Firing, ReplayEvent } from "../backtest/engine";
import { BacktestSummary, hourRanges, summarize, utcDays } from "../cli/backtest/aggregate";
import { backtest, notSimulated } from "../cli/backtest/backtest";
import { replayAutomations } from "../backtest/fromPlan";
import { BacktestPlan, deliveriesOf, renderDedupKey, routesOf, subjectOf } from "../cli/backtest/deliveries";
import { diffSummaries } from "../cli/backtest/diff";
import { renderBacktestHtml } from "../cli/backtest/html";
import { renderBacktest, renderDiff } from "../cli/backtest/text";
import { parseStackConfig } from "../config/load";
import { planAlerting } from "../rules/plan";
import { checkHtml } from "./helpers/htmlCheck";
import { RunSpec, historyOf, idOf, runEvents } from "./helpers/runHistory";
import { editKey, stackConfig } from "./helpers/stacks";

/**
 * The backtest's own decisions: firings turned into what people receive (messages, pages, incidents, per automation,
 * route, channel and flow), and two configs compared over one history. The first part feeds firings as data; the
 * second runs the real replay engine (backtest/engine.ts) over a history built so that the answer is known.
 */

const H = 3_600_000;
const DAY0 = Date.parse("2026-11-02T00:00:00Z");
const WINDOW = { start: DAY0, end: DAY0 + 24 * H };

function prod(threshold = 3): BacktestPlan {
    const cfg = parseStackConfig(editKey(stackConfig("prod"), "critical", (c) => ({ ...c, threshold })));
    return { stack: "prod", plan: planAlerting(cfg), routes: cfg.routes };
}

/** The Failed event of a dlt run of `flow` at `at`. */
const failed = (flow: string, at: number): ReplayEvent =>
    runEvents({ id: idOf("run", `${flow}-${at}`), flow, deployment: `${flow}-prod`, tags: ["dlt"], states: [["Failed", at]] })[0];

const fire = (automation: string, at: number, event?: ReplayEvent): Firing => ({ automation, at, triggeringEvent: event, bucket: "b" });

describe("what a firing sends", () => {
    it("renders a dedup key from the event's resources, and from the bucket when there is no event", () => {
        const e = failed("orders", DAY0);
        expect(renderDedupKey("prefect/prod/flow/{{ flow.id }}", e, "x")).toBe(`prefect/prod/flow/${idOf("flow", "orders")}`);
        expect(renderDedupKey("prefect/prod/deployment/{{deployment.id}}", e, "x")).toBe(
            `prefect/prod/deployment/${idOf("deployment", "orders-prod")}`,
        );
        expect(renderDedupKey("prefect/prod/flow-run/{{ flow_run.id }}", e, "x")).toBe(
            `prefect/prod/flow-run/${idOf("run", `orders-${DAY0}`)}`,
        );
        expect(renderDedupKey("prefect/prod/work-pool/{{ work_pool.id }}", e, "x")).toBe("prefect/prod/work-pool/bucket:x");
        expect(renderDedupKey("prefect/prod/silence/p1", undefined, "x")).toBe("prefect/prod/silence/p1");
    });

    it("names the flow of a run, the resource of other events, and (stack-wide) without an event", () => {
        expect(subjectOf(failed("orders", DAY0))).toBe("orders");
        const pool: ReplayEvent = {
            id: "1",
            occurred: DAY0,
            event: "prefect.work-pool.not-ready",
            resource: { "prefect.resource.id": "prefect.work-pool.123", "prefect.resource.name": "default-work-pool" },
            related: [],
        };
        expect(subjectOf(pool)).toBe("work pool default-work-pool");
        expect(subjectOf(undefined)).toBe("(stack-wide)");
    });

    it("counts a firing of a shared automation for the routes its run matches, all of them when it matches none", () => {
        const routes = [
            { name: "dlt", tags: ["dlt"], flows: [], deployments: [] },
            { name: "billing", tags: [], flows: ["invoices"], deployments: [] },
        ];
        const shared = { ...prod().plan.automations[0], routes: ["dlt", "billing"] };
        expect(routesOf(shared, failed("orders", DAY0), routes)).toEqual(["dlt"]);
        const invoices = runEvents({ id: "r1", flow: "invoices", tags: [], states: [["Failed", DAY0]] })[0];
        expect(routesOf(shared, invoices, routes)).toEqual(["billing"]);
        expect(routesOf(shared, undefined, routes)).toEqual(["dlt", "billing"]);
    });
});

describe("what the replay cannot judge", () => {
    it("lists each Prefect Cloud SLA as not simulated; a stack without SLAs has nothing to list", () => {
        const slas = {
            channels: { warning: ["alerts"] },
            deployments: { "orders-load/prod": { deploymentId: idOf("d", "x"), lateness: 10, frequency: 60 } },
        };
        const cfg = parseStackConfig(editKey(stackConfig("prod"), "slas", () => slas));
        const p: BacktestPlan = { stack: "prod", plan: planAlerting(cfg), routes: cfg.routes };
        const listed = notSimulated(p, replayAutomations(p.plan));
        expect(listed).toHaveLength(2);
        expect(listed.every((x) => /^SLA ".+" of deployment orders-load\/prod \(Prefect Cloud evaluates SLAs\)$/.test(x))).toBe(true);
        expect(notSimulated(prod(), replayAutomations(prod().plan))).toEqual([]);
        // Left out of the replay: named as such.
        expect(notSimulated(prod(), [])).toContain("automation warning-dlt (no model of its trigger in the engine)");
    });
});

describe("the summary of a day of firings (prod)", () => {
    const p = prod();
    // A maintenance window on the critical service from 13:00 to 14:00.
    p.plan = {
        ...p.plan,
        pagerDuty: {
            ...p.plan.pagerDuty!,
            maintenanceWindows: [
                {
                    key: "m",
                    description: "db upgrade",
                    startTime: new Date(DAY0 + 13 * H).toISOString(),
                    endTime: new Date(DAY0 + 14 * H).toISOString(),
                    services: ["critical"],
                },
            ],
        },
    };
    const a1 = failed("orders", DAY0 + 10 * H);
    const a2 = failed("orders", DAY0 + 10.5 * H);
    const a3 = failed("orders", DAY0 + 10.75 * H);
    const b1 = failed("billing", DAY0 + 11 * H);
    const b2 = failed("billing", DAY0 + 13.5 * H);
    const firings = [
        fire("warning-dlt", a1.occurred, a1),
        fire("warning-dlt", a2.occurred, a2),
        fire("warning-dlt", b1.occurred, b1),
        // Two critical firings for one flow: two pages, one incident.
        fire("critical-dlt", a2.occurred, a2),
        fire("critical-dlt", a3.occurred, a3),
        // Its flow's resolve closes it; a resolve for a flow with no incident closes nothing.
        fire("critical-dlt-resolve", DAY0 + 12 * H, failed("orders", DAY0 + 12 * H)),
        fire("critical-dlt-resolve", DAY0 + 12 * H, failed("billing", DAY0 + 12 * H)),
        // In the maintenance window: the chat message goes out, the page is held, no incident.
        fire("critical-dlt", b2.occurred, b2),
    ];
    const s = summarize("prod", p.plan, deliveriesOf(p, firings), firings, WINDOW, []);
    const counts = (rows: { key: string }[], key: string) => {
        const r = rows.find((x) => x.key === key) as BacktestSummary["total"];
        return { messages: r.messages, pages: r.pages, held: r.held, opened: r.opened, resolved: r.resolved };
    };

    it("counts messages, pages, held pages and incidents per automation, with the resolve counted on the incident it closed", () => {
        expect(counts([s.total], "total")).toEqual({ messages: 6, pages: 2, held: 1, opened: 1, resolved: 1 });
        expect(counts(s.automations, "warning-dlt")).toEqual({ messages: 3, pages: 0, held: 0, opened: 0, resolved: 0 });
        expect(counts(s.automations, "critical-dlt")).toEqual({ messages: 3, pages: 2, held: 1, opened: 1, resolved: 1 });
        expect(counts(s.automations, "critical-dlt-resolve")).toEqual({ messages: 0, pages: 0, held: 0, opened: 0, resolved: 0 });
        expect(s.automations.find((a) => a.key === "critical-dlt-resolve")!.firings).toBe(2);
        // Every automation of the plan has a row, the silent ones included.
        expect(s.automations.map((a) => a.key)).toEqual(p.plan.automations.map((a) => a.key));
    });

    it("per channel, route and flow; the noisiest flow first", () => {
        expect(counts(s.channels, "alerts")).toEqual({ messages: 3, pages: 0, held: 0, opened: 0, resolved: 0 });
        expect(counts(s.channels, "critical")).toEqual({ messages: 3, pages: 0, held: 0, opened: 0, resolved: 0 });
        expect(counts(s.channels, "pager")).toEqual({ messages: 0, pages: 2, held: 1, opened: 1, resolved: 1 });
        expect(counts(s.channels, "pagerP1")).toEqual({ messages: 0, pages: 0, held: 0, opened: 0, resolved: 0 });
        expect(counts(s.routes, "dlt")).toEqual({ messages: 6, pages: 2, held: 1, opened: 1, resolved: 1 });
        expect(s.noisiest.map((f) => [f.key, f.messages, f.pages])).toEqual([
            ["orders", 4, 2],
            ["billing", 2, 0],
        ]);
    });

    it("per day, and the hours in which nothing went out", () => {
        expect(s.days).toEqual(["2026-11-02"]);
        expect(s.total.daily).toEqual({ messages: [6], pages: [2] });
        // 10:00 and 10:30 and 10:45, 11:00, 13:30 sent something; 12:00 only resolved.
        expect(s.quietHours).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]);
        expect(hourRanges(s.quietHours)).toBe("00-10, 12-13, 14-24");
        expect(utcDays({ start: DAY0 - H, end: DAY0 + 25 * H })).toEqual(["2026-11-01", "2026-11-02", "2026-11-03"]);
    });

    it("prints it, and writes a self-contained page", () => {
        const text = renderBacktest(s, "test");
        expect(text).toMatch(/8 firings: 6 messages \(6\.0\/day\), 2 pages \(2\.0\/day\), 1 incidents opened, 1 resolved, 1 pages held/);
        expect(text).toMatch(/Quiet hours \(UTC, nothing sent\): 00-10, 12-13, 14-24/);
        const html = renderBacktestHtml(s);
        expect(checkHtml(html).problems).toEqual([]);
        expect(html).not.toMatch(/<script|src=|href=/);
        expect(html.match(/<rect class="pages"/g)).toHaveLength(2);
    });

    it("a silence is stack-wide, though Prefect hands it the last event of its bucket", () => {
        const last = failed("orders", DAY0 + 6 * H);
        const sent = deliveriesOf(p, [fire("p1-no-success-dlt", DAY0 + 12 * H, last)]);
        expect(sent.map((d) => [d.channel, d.kind, d.flow, d.routes, d.incident])).toEqual([
            ["critical", "message", "(stack-wide)", ["dlt"], undefined],
            ["pagerP1", "page", "(stack-wide)", ["dlt"], "p1|prefect/prod/silence/p1-no-success-dlt"],
        ]);
    });

    it("a firing of an automation the plan does not have is an error, not a silent zero", () => {
        expect(() => deliveriesOf(p, [fire("nosuch", DAY0)])).toThrow(/"nosuch", which the plan of stack prod does not have/);
    });
});

describe("--against: critical.threshold 3 against 5, on a history with a known answer (the real engine)", () => {
    // Ten-minute-apart failures from 01:00: orders fails 5 times, billing 3, ledger 2; at 04:00 each completes once.
    const runs: RunSpec[] = [];
    const failures: [string, number][] = [
        ["orders", 5],
        ["billing", 3],
        ["ledger", 2],
    ];
    let t = DAY0 + H;
    for (let i = 0; i < 5; i++)
        for (const [flow, n] of failures)
            if (i < n) {
                t += 10 * 60_000;
                runs.push({
                    id: idOf("run", `${flow}-${i}`),
                    flow,
                    deployment: `${flow}-prod`,
                    tags: ["dlt"],
                    states: [
                        ["Pending", t],
                        ["Running", t + 1000],
                        ["Failed", t + 60_000],
                    ],
                });
            }
    for (const [flow] of failures)
        runs.push({
            id: idOf("run", `${flow}-ok`),
            flow,
            deployment: `${flow}-prod`,
            tags: ["dlt"],
            states: [
                ["Pending", DAY0 + 4 * H],
                ["Running", DAY0 + 4 * H + 1000],
                ["Completed", DAY0 + 4 * H + 60_000],
            ],
        });
    const events = historyOf(runs);
    let three: BacktestSummary;
    let five: BacktestSummary;
    let diff: ReturnType<typeof diffSummaries>;
    beforeAll(() => {
        three = backtest(prod(3), events, WINDOW).summary;
        five = backtest(prod(5), events, WINDOW).summary;
        diff = diffSummaries(three, { ...five, stack: "prod (threshold 5)" });
    });

    it("threshold 3: every final failure warns; orders and billing page once each, and their completions resolve both", () => {
        const a = (key: string) => three.automations.find((x) => x.key === key)!;
        expect(a("warning-dlt").messages).toBe(10);
        expect([a("critical-dlt").firings, a("critical-dlt").messages, a("critical-dlt").pages]).toEqual([2, 2, 2]);
        expect([a("critical-dlt").opened, a("critical-dlt").resolved]).toEqual([2, 2]);
    });

    it("threshold 5 pages only for orders: the difference is one critical message, one page, one incident, on billing", () => {
        const ZERO = { messages: 0, pages: 0, held: 0, opened: 0, resolved: 0 };
        const one = { messages: 2, pages: 2, held: 0, opened: 2, resolved: 2 };
        const after = { messages: 1, pages: 1, held: 0, opened: 1, resolved: 1 };
        expect(diff.automations).toEqual([{ key: "critical-dlt", before: one, after }]);
        // #data-alerts-critical also gets the P1 silence twice on both sides (6 h after the last completion, then 12 h later).
        expect(three.automations.find((a) => a.key === "p1-no-success-dlt")!.firings).toBe(2);
        expect(diff.channels).toEqual([
            { key: "critical", before: { ...ZERO, messages: 4 }, after: { ...ZERO, messages: 3 } },
            { key: "pager", before: { ...one, messages: 0 }, after: { ...after, messages: 0 } },
        ]);
        expect(diff.flows).toEqual([
            {
                key: "billing",
                before: { messages: 4, pages: 1, held: 0, opened: 1, resolved: 1 },
                after: { messages: 3, pages: 0, held: 0, opened: 0, resolved: 0 },
            },
        ]);
        expect(diff.total.after.pages - diff.total.before.pages).toBe(-1);
        expect(diff.total.after.messages - diff.total.before.messages).toBe(-1);
    });

    it("prints the difference as Markdown for a review comment; the same config against itself: no difference", () => {
        const md = renderDiff(diff);
        expect(md).toMatch(/^### Backtest: prod \(threshold 5\) against prod, 2026-11-02 to 2026-11-02/);
        expect(md).toContain("| critical-dlt | 2 → 1 (-1) | 2 → 1 (-1) | 2 → 1 (-1) | 2 → 1 (-1) |");
        expect(md).toContain("| billing | 4 → 3 (-1) | 1 → 0 (-1) | 1 → 0 (-1) | 1 → 0 (-1) |");
        expect(renderDiff(diffSummaries(three, three))).toMatch(/No difference/);
        expect(checkHtml(renderBacktestHtml(three, { after: five, diff })).problems).toEqual([]);
    });
});
