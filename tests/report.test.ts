import { describe, expect, it } from "vitest";
import { parseStructure } from "../config/load";
import { offlineConfig } from "../config/offline";
import { readStackFile } from "../harness/stackFile";
import {
    NO_EVENT_CAUSE,
    PrefectEvent,
    alertNoise,
    firingOf,
    flowKey,
    flowStats,
    outcomeOf,
    percentile,
    periodOf,
} from "../cli/report/aggregate";
import { ReportSetupError, resolveApi, uiUrlOf } from "../cli/report/endpoint";
import { coverageSection, dailyChart, escapeHtml, renderHtml } from "../cli/report/html";
import { ownerCoverage } from "../rules/coverage";
import type { Report, RunRecord } from "../cli/report/model";
import { formatAge, formatDuration, renderText } from "../cli/report/text";
import { expectedRows, periodRunFilter, routeRunFilter, watchedRoutes } from "../cli/report/watched";
import { parseReportArgs } from "../cli/report/run";
import { checkHtml } from "./helpers/htmlCheck";

const ROOT = `${__dirname}/..`;
const NOW = new Date("2026-05-07T12:00:00Z");
const PERIOD = periodOf(3, NOW);

let n = 0;
/** A run that started at `start` and took `seconds`. */
function run(flow: string, state: string, start: string, seconds: number, deployment?: string): RunRecord {
    const s = new Date(start);
    return {
        id: `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
        name: `run-${n}`,
        flow,
        deployment,
        state,
        expectedStart: s.toISOString(),
        start: s.toISOString(),
        end: new Date(s.getTime() + seconds * 1000).toISOString(),
    };
}

describe("period, outcomes, percentiles", () => {
    it("the last N calendar days in UTC, today included, up to now", () => {
        expect(PERIOD.days).toEqual(["2026-05-05", "2026-05-06", "2026-05-07"]);
        expect(PERIOD.since.toISOString()).toBe("2026-05-05T00:00:00.000Z");
        expect(PERIOD.until).toBe(NOW);
        expect(periodOf(1, NOW).days).toEqual(["2026-05-07"]);
        expect(() => periodOf(0, NOW)).toThrow(/1 or more/);
        expect(() => periodOf(1.5, NOW)).toThrow(/whole number/);
    });

    it("Completed is a success; Failed, Crashed and TimedOut are failures; anything else is neither", () => {
        expect(["Completed", "Failed", "Crashed", "TimedOut", "Cancelled", "Running", "AwaitingRetry", "Late"].map(outcomeOf)).toEqual([
            "completed",
            "failed",
            "failed",
            "failed",
            "other",
            "other",
            "other",
            "other",
        ]);
    });

    it("percentiles interpolate between the closest ranks (numpy's default)", () => {
        expect(percentile([], 50)).toBeUndefined();
        expect(percentile([7], 95)).toBe(7);
        expect(percentile([4, 1, 3, 2], 50)).toBe(2.5);
        expect(percentile([1, 2, 3], 50)).toBe(2);
        const oneToTwenty = Array.from({ length: 20 }, (_, i) => i + 1);
        expect(percentile(oneToTwenty, 95)).toBeCloseTo(19.05, 10);
        expect(percentile(oneToTwenty, 100)).toBe(20);
        expect(percentile(oneToTwenty, 0)).toBe(1);
    });
});

describe("per flow figures", () => {
    const runs = [
        run("orders", "Completed", "2026-05-05T01:00:00Z", 10),
        run("orders", "Failed", "2026-05-05T02:00:00Z", 20),
        run("orders", "Completed", "2026-05-06T01:00:00Z", 30),
        run("orders", "TimedOut", "2026-05-07T01:00:00Z", 40),
        run("orders", "Crashed", "2026-05-07T02:00:00Z", 50),
        { ...run("orders", "Running", "2026-05-07T11:00:00Z", 0), end: null },
        run("orders", "Completed", "2026-05-06T03:00:00Z", 5, "orders-prod"),
        run("products", "Failed", "2026-05-07T03:00:00Z", 1),
    ];
    const stats = flowStats(runs, PERIOD, new Map([[flowKey("products"), { id: "p-old", name: "old", end: "2026-04-30T12:00:00Z" }]]), [
        { flow: "orders" },
        { flow: "stale" },
    ]);

    it("one row per flow and deployment, sorted; a named flow without runs still shows", () => {
        expect(stats.map((s) => [s.flow, s.deployment])).toEqual([
            ["orders", undefined],
            ["orders", "orders-prod"],
            ["products", undefined],
            ["stale", undefined],
        ]);
    });

    it("runs, failures, success rate over finished runs, median and p95 of finished runs' wall-clock time", () => {
        const orders = stats[0];
        expect([orders.runs, orders.completed, orders.failures, orders.other]).toEqual([6, 2, 3, 1]);
        expect(orders.successRate).toBe(2 / 5);
        // Durations 10, 20, 30, 40, 50 (the running one has no end): median 30, p95 between 40 and 50.
        expect(orders.medianSeconds).toBe(30);
        expect(orders.p95Seconds).toBeCloseTo(48, 10);
        expect(orders.daily).toEqual([
            { day: "2026-05-05", completed: 1, failed: 1, other: 0 },
            { day: "2026-05-06", completed: 1, failed: 0, other: 0 },
            { day: "2026-05-07", completed: 0, failed: 2, other: 1 },
        ]);
    });

    it("freshness: the newest success in the period, or the older one read apart; its age up to the period's end", () => {
        expect(stats[0].lastSuccess).toEqual({ id: runs[2].id, name: runs[2].name, end: "2026-05-06T01:00:30.000Z" });
        expect(stats[0].lastSuccessAgeSeconds).toBe(35 * 3600 - 30);
        expect(stats[2].lastSuccess?.id).toBe("p-old");
        expect(stats[2].lastSuccessAgeSeconds).toBe(7 * 86_400);
        expect(stats[2].successRate).toBe(0);
        expect(stats[3]).toMatchObject({ runs: 0, failures: 0, successRate: undefined, medianSeconds: undefined, lastSuccess: undefined });
    });
});

describe("alert noise", () => {
    const triggered = (automation: string, name: string, trigger: Partial<PrefectEvent> | null): PrefectEvent => ({
        id: `e-${++n}`,
        event: "prefect.automation.triggered",
        occurred: "2026-05-07T10:00:00Z",
        resource: { "prefect.resource.id": `prefect.automation.${automation}`, "prefect.resource.name": name },
        payload: { triggering_labels: {}, triggering_event: trigger },
    });
    const failure = (flow: string): Partial<PrefectEvent> => ({
        event: "prefect.flow-run.Failed",
        resource: { "prefect.resource.id": "prefect.flow-run.x", "prefect.resource.name": "brave-fox" },
        related: [
            { "prefect.resource.id": "prefect.flow.f", "prefect.resource.role": "flow", "prefect.resource.name": flow },
            { "prefect.resource.id": "prefect.tag.dlt", "prefect.resource.role": "tag" },
        ],
    });

    it("a firing's cause: the flow of the failed run, the work pool, or no event for a proactive (silence) trigger", () => {
        expect(firingOf(triggered("a1", "[dev] Pipeline failed (dlt)", failure("orders")))).toEqual({
            automationId: "a1",
            automationName: "[dev] Pipeline failed (dlt)",
            occurred: "2026-05-07T10:00:00Z",
            cause: "orders",
        });
        const pool = {
            event: "prefect.work-pool.not-ready",
            resource: { "prefect.resource.id": "prefect.work-pool.p", "prefect.resource.name": "etl" },
        };
        expect(firingOf(triggered("a2", "[dev] P1 work pool not ready", pool)).cause).toBe("work pool etl");
        expect(firingOf(triggered("a3", "[dev] P1 no successful run (dlt)", null)).cause).toBe(NO_EVENT_CAUSE);
    });

    it("counts per automation of the stack only (name prefix `[stack] `), zero for quiet ones, causes most first", () => {
        const events = [
            triggered("w", "[dev] Pipeline failed (dlt)", failure("orders")),
            triggered("w", "[dev] Pipeline failed (dlt)", failure("products")),
            triggered("w", "[dev] Pipeline failed (dlt)", failure("orders")),
            triggered("c", "[dev] CRITICAL repeated failures (dlt)", failure("orders")),
            triggered("gone", "[dev] Pipeline failed (old)", failure("legacy")),
            triggered("o", "[devel] Pipeline failed (dlt)", failure("orders")),
            triggered("p", "[prod] Pipeline failed (dlt)", failure("orders")),
        ].map(firingOf);
        const automations = [
            { id: "w", name: "[dev] Pipeline failed (dlt)", enabled: true },
            { id: "c", name: "[dev] CRITICAL repeated failures (dlt)", enabled: true },
            { id: "q", name: "[dev] P1 work pool not ready", enabled: false },
            { id: "p", name: "[prod] Pipeline failed (dlt)", enabled: true },
        ];
        const noise = alertNoise("dev", automations, events);
        expect(noise.automations).toEqual([
            {
                id: "w",
                name: "[dev] Pipeline failed (dlt)",
                enabled: true,
                firings: 3,
                causes: [
                    { cause: "orders", count: 2 },
                    { cause: "products", count: 1 },
                ],
            },
            { id: "c", name: "[dev] CRITICAL repeated failures (dlt)", enabled: true, firings: 1, causes: [{ cause: "orders", count: 1 }] },
            { id: "gone", name: "[dev] Pipeline failed (old)", enabled: undefined, firings: 1, causes: [{ cause: "legacy", count: 1 }] },
            { id: "q", name: "[dev] P1 work pool not ready", enabled: false, firings: 0, causes: [] },
        ]);
        expect(noise.noisiest).toEqual([
            { cause: "orders", count: 3 },
            { cause: "legacy", count: 1 },
            { cause: "products", count: 1 },
        ]);
    });
});

describe("which runs: the routes the stack watches, as Prefect filters", () => {
    const local = parseStructure(offlineConfig("local", readStackFile(ROOT, "local")).raw);

    it("the local stack watches its dlt route; the filter selects runs tagged dlt expected to start in the period", () => {
        expect(watchedRoutes(local).map((r) => r.name)).toEqual(["dlt"]);
        expect(periodRunFilter(watchedRoutes(local)[0], PERIOD)).toEqual({
            flow_runs: {
                tags: { any_: ["dlt"] },
                expected_start_time: { after_: "2026-05-05T00:00:00.000Z", before_: "2026-05-07T12:00:00.000Z" },
            },
        });
    });

    it("criteria are ANDed, values ORed; routes no enabled tier uses are left out", () => {
        const route = { name: "r", tags: ["a", "b"], flows: ["f"], deployments: ["d1", "d2"] };
        expect(routeRunFilter(route)).toEqual({
            flow_runs: { tags: { any_: ["a", "b"] } },
            flows: { name: { any_: ["f"] } },
            deployments: { name: { any_: ["d1", "d2"] } },
        });
        const other = { name: "o", tags: ["x"], flows: [], deployments: [] };
        const tier = (routes: string[], enabled = true) => ({ enabled, routes, channels: [] });
        const cfg = {
            routes: [route, other],
            signals: { warning: tier(["r"]), critical: { ...tier([]), threshold: 3, windowSeconds: 60 }, p1: tier([]) },
        };
        expect(watchedRoutes(cfg as never).map((r) => r.name)).toEqual(["r"]);
        expect(expectedRows([route, { ...other, flows: ["g"], deployments: ["d"] }])).toEqual([
            { flow: "f" },
            { flow: "g", deployment: "d" },
        ]);
    });
});

describe("where the report reads from", () => {
    it("PREFECT_API_URL first, then the stack's endpoint; the UI is the API without /api", () => {
        const t = resolveApi("local", { "prefect:endpoint": "http://127.0.0.1:4200/api/" }, {});
        expect([t.url, t.source, t.uiUrl, t.headers.authorization]).toEqual([
            "http://127.0.0.1:4200/api",
            "prefect:endpoint of stack local",
            "http://127.0.0.1:4200",
            undefined,
        ]);
        const e = resolveApi("local", { "prefect:endpoint": "http://127.0.0.1:4200/api" }, { PREFECT_API_URL: "http://10.0.0.1:4200/api" });
        expect([e.url, e.source]).toEqual(["http://10.0.0.1:4200/api", "PREFECT_API_URL"]);
        const basic = resolveApi("local", { "prefect:endpoint": "http://h/api" }, { PREFECT_API_AUTH_STRING: "admin:pass" });
        expect(basic.headers.authorization).toBe(`Basic ${Buffer.from("admin:pass").toString("base64")}`);
    });

    it("a Prefect Cloud stack: the workspace URL from its ids, the API key as Bearer, the app's workspace for links", () => {
        const ids = { "prefect:accountId": "acc-1", "prefect:workspaceId": "ws-2" };
        const t = resolveApi("dev", ids, { PREFECT_API_KEY: "pnu_test" });
        expect(t.url).toBe("https://api.prefect.cloud/api/accounts/acc-1/workspaces/ws-2");
        expect(t.headers.authorization).toBe("Bearer pnu_test");
        expect(t.uiUrl).toBe("https://app.prefect.cloud/account/acc-1/workspace/ws-2");
        expect(() => resolveApi("dev", ids, {})).toThrow(/PREFECT_API_KEY/);
        expect(() => resolveApi("dev", {}, { PREFECT_API_KEY: "k" })).toThrow(ReportSetupError);
        expect(() => resolveApi("dev", {}, { PREFECT_API_KEY: "k" })).toThrow(/prefect:accountId/);
        expect(uiUrlOf("http://h:4200/prefix/api")).toBe("http://h:4200/prefix");
        expect(resolveApi("dev", ids, { PREFECT_API_KEY: "k", PREFECT_UI_URL: "https://ui.example/" }).uiUrl).toBe("https://ui.example");
    });

    it("command line: one stack, --days a whole number, --html a file", () => {
        expect(parseReportArgs(["local"])).toEqual({ stackArg: "local", days: 7, html: undefined });
        expect(parseReportArgs(["local", "--days", "2", "--html", "r.html"])).toEqual({ stackArg: "local", days: 2, html: "r.html" });
        expect(parseReportArgs(["local", "--days=30"])).toMatchObject({ days: 30 });
        expect(parseReportArgs(["local", "--days", "1.5"])).toEqual({ error: expect.stringMatching(/whole number/) });
        expect(parseReportArgs(["local", "--days", "0"])).toEqual({ error: expect.stringMatching(/whole number/) });
        expect(parseReportArgs([])).toEqual({ error: expect.stringMatching(/one stack/) });
        expect(parseReportArgs(["local", "--dayz", "2"])).toEqual({ error: expect.stringMatching(/--dayz/) });
        expect(parseReportArgs(["--help"])).toEqual({ help: true });
    });
});

describe("rendering", () => {
    const runs = [
        run("orders", "Completed", "2026-05-06T01:00:00Z", 12.5),
        run("orders", "Failed", "2026-05-07T01:00:00Z", 3),
        run("<b>x&y</b>", "Crashed", "2026-05-07T02:00:00Z", 200),
    ];
    const report: Report = {
        stack: "dev",
        api: "http://127.0.0.1:4200/api",
        uiUrl: "http://127.0.0.1:4200",
        period: PERIOD,
        watched: ["dlt: flow runs tagged dlt"],
        flows: flowStats(runs, PERIOD),
        automations: [
            {
                id: "w",
                name: "[dev] Pipeline failed (dlt)",
                enabled: true,
                firings: 2,
                causes: [
                    { cause: "<b>x&y</b>", count: 1 },
                    { cause: "orders", count: 1 },
                ],
            },
            { id: "q", name: "[dev] P1 work pool not ready", enabled: false, firings: 0, causes: [] },
        ],
        noisiest: [
            { cause: "<b>x&y</b>", count: 1 },
            { cause: "orders", count: 1 },
        ],
        notes: [],
    };

    it("durations and ages in short words", () => {
        expect([0.42, 12.34, 245, 7800, 3 * 86_400 + 4 * 3600].map(formatDuration)).toEqual([
            "0.42 s",
            "12.3 s",
            "4m 05s",
            "2h 10m",
            "3d 4h",
        ]);
        expect([5, 600, 7200, 3 * 86_400].map(formatAge)).toEqual(["just now", "10 min ago", "2 h ago", "3 d ago"]);
    });

    it("the text report: a header, the flow table and the alert noise table", () => {
        expect(renderText(report)).toBe(
            [
                'Prefect report for stack "dev": 2026-05-05 .. 2026-05-07 (3 days, UTC, until 2026-05-07 12:00 UTC)',
                "API: http://127.0.0.1:4200/api",
                "Watched: dlt: flow runs tagged dlt",
                "",
                "Flow runs",
                "flow / deployment  runs  failed  success  median     p95  last success",
                "-----------------  ----  ------  -------  ------  ------  ------------------------------",
                "<b>x&y</b>            1       1     0.0%  3m 20s  3m 20s  never",
                "orders                2       1    50.0%  7.75 s  12.0 s  2026-05-06 01:00 UTC (1 d ago)",
                "",
                'Alert noise: automations named "[dev] ...", times fired in the period',
                "automation                               fired  caused by",
                "---------------------------------------  -----  --------------------------",
                "[dev] Pipeline failed (dlt)                  2  <b>x&y</b> (1), orders (1)",
                "[dev] P1 work pool not ready (disabled)      0  -",
                "",
                "Noisiest: <b>x&y</b> (1), orders (1)",
                "",
            ].join("\n"),
        );
    });

    it("the HTML page is well-formed, escapes names, has one chart per flow and links to nothing but runs", () => {
        const html = renderHtml(report);
        const { problems, elements } = checkHtml(html);
        expect(problems).toEqual([]);
        expect(html).not.toContain("<b>x&y</b>");
        expect(html).toContain("&lt;b&gt;x&amp;y&lt;/b&gt;");
        expect(elements.filter((e) => e.name === "svg").map((e) => e.attrs["aria-label"])).toEqual([
            "runs per day of &lt;b&gt;x&amp;y&lt;/b&gt;",
            "runs per day of orders",
        ]);
        expect(elements.filter((e) => ["script", "link", "img", "iframe", "object"].includes(e.name))).toEqual([]);
        expect(elements.filter((e) => "src" in e.attrs || Object.keys(e.attrs).some((a) => a.startsWith("on")))).toEqual([]);
        expect(html).not.toMatch(/url\(|@import/);
        // Every http(s) URL is a run link: the last success of orders.
        expect([...html.matchAll(/https?:\/\/[^\s"<>]*/g)].map((m) => m[0])).toEqual([`http://127.0.0.1:4200/runs/flow-run/${runs[0].id}`]);
        expect(elements.filter((e) => e.name === "a").map((e) => e.attrs.href)).toEqual([
            `http://127.0.0.1:4200/runs/flow-run/${runs[0].id}`,
        ]);
    });

    it("owner coverage in the HTML page: unowned deployments, unknown owner tags with the did-you-mean, unused owners, escaped", () => {
        const owners = ["data-eng", "platform", "analytics"].map((name) => ({ name, channels: ["alerts"] }));
        const ownership = ownerCoverage(
            [
                { flow: "<b>x&y</b>", deployment: "nightly", tags: ["dlt"] },
                { flow: "orders", deployment: "daily", tags: ["owner:platfrm"] },
                { flow: "orders", deployment: "hourly", tags: ["Owner: Data Eng"] },
                { flow: "orders", deployment: "weekly", tags: ['owner:"zeta"<i>'] },
                { flow: "billing", deployment: "eod", tags: ["owner:analytics"] },
            ],
            owners,
        );
        expect(coverageSection(ownership)).toEqual([
            "<h2>Owners</h2>",
            '<p class="meta">owner:&lt;team&gt; tags on deployments and their flows.</p>',
            "<h3>Deployments with no owner tag (1)</h3>",
            '<ul class="unowned"><li>&lt;b&gt;x&amp;y&lt;/b&gt;/nightly</li></ul>',
            "<h3>Deployments with an owner the stack does not know (3)</h3>",
            '<table class="unknown-owners"><thead><tr><th>deployment</th><th>tag</th><th>what it should say</th></tr></thead><tbody>\n' +
                "<tr><td>orders/daily</td><td>owner:platfrm</td><td>did you mean &quot;owner:platform&quot;?</td></tr>\n" +
                "<tr><td>orders/hourly</td><td>Owner: Data Eng</td>" +
                "<td>the automations match &quot;owner:data-eng&quot; exactly: retag it</td></tr>\n" +
                "<tr><td>orders/weekly</td><td>owner:&quot;zeta&quot;&lt;i&gt;</td><td>-</td></tr>\n</tbody></table>",
            "<h3>Owners no deployment carries (2)</h3>",
            '<ul class="unused-owners"><li>data-eng</li><li>platform</li></ul>',
        ]);
        const html = renderHtml({ ...report, ownership });
        expect(checkHtml(html).problems).toEqual([]);
        expect(html).toContain(coverageSection(ownership).join("\n"));
        expect(html).not.toContain("<i>");
        // Nothing to report: each part says none; a report without coverage has no section.
        expect(coverageSection({ unowned: [], unknownOwner: [], unusedOwners: [] }).filter((l) => l.includes("None."))).toHaveLength(3);
        expect(renderHtml(report)).not.toContain("<h2>Owners</h2>");
    });

    it("a day's bar is split into completed, failed and other, heights in proportion, the busiest day full height", () => {
        const svg = dailyChart(
            [
                { day: "2026-05-06", completed: 3, failed: 1, other: 0 },
                { day: "2026-05-07", completed: 0, failed: 2, other: 0 },
            ],
            "orders",
        );
        const rects = [...svg.matchAll(/<rect class="(\w+)" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/g)].map((m) => [
            m[1],
            Number(m[3]),
        ]);
        // Plot height 94 px for the busiest day (4 runs).
        expect(rects).toEqual([
            ["completed", 70.5],
            ["failed", 23.5],
            ["failed", 47],
        ]);
        expect(svg).toContain("<title>2026-05-06: 3 completed</title>");
        expect(escapeHtml(`"'<&>`)).toBe("&quot;&#39;&lt;&amp;&gt;");
    });
});

describe("reading the API", () => {
    it("follows the events' next_page to the end, sends the credentials on every page, and pages flow runs by offset", async () => {
        const { createServer } = await import("node:http");
        const seen: { method: string; url: string; auth?: string; body: any }[] = [];
        const server = createServer((req, res) => {
            let raw = "";
            req.on("data", (c) => (raw += c));
            req.on("end", () => {
                const body = raw ? JSON.parse(raw) : undefined;
                seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
                const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/api`;
                const ev = (i: number) => ({
                    id: `e${i}`,
                    event: "prefect.automation.triggered",
                    occurred: "2026-05-07T10:00:00Z",
                    resource: {},
                });
                let out: unknown;
                if (req.url === "/api/events/filter")
                    out = { events: [ev(1), ev(2)], next_page: `${base}/events/filter/next?page-token=p2` };
                else if (req.url === "/api/events/filter/next?page-token=p2")
                    out = { events: [ev(3)], next_page: `${base}/events/filter/next?page-token=p3` };
                else if (req.url === "/api/events/filter/next?page-token=p3") out = { events: [ev(4)], next_page: null };
                else if (req.url === "/api/flow_runs/filter")
                    out = Array.from({ length: body.offset === 0 ? 200 : 7 }, (_, i) => ({ id: `${body.offset + i}` }));
                else if (req.url === "/api/flows/filter")
                    out = Array.from({ length: body.offset === 0 ? 200 : 3 }, (_, i) => ({
                        id: `f${body.offset + i}`,
                        name: `flow ${body.offset + i}`,
                    }));
                res.writeHead(out ? 200 : 404, { "content-type": "application/json" }).end(JSON.stringify(out ?? { detail: "no" }));
            });
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        try {
            const { PrefectClient } = await import("../cli/prefectApi");
            const port = (server.address() as { port: number }).port;
            const client = new PrefectClient(
                resolveApi("t", { "prefect:endpoint": `http://127.0.0.1:${port}/api` }, { PREFECT_API_AUTH_STRING: "u:p" }),
            );
            const events = await client.events({ event: { name: ["prefect.automation.triggered"] } });
            expect(events.map((e) => e.id)).toEqual(["e1", "e2", "e3", "e4"]);
            const runs = await client.flowRuns({ flow_runs: {} });
            expect(runs).toHaveLength(207);
            // Names are paged too: more flows than one page of the server's filter.
            const flowNames = await client.names(
                "flows",
                Array.from({ length: 203 }, (_, i) => `f${i}`),
            );
            expect(flowNames.size).toBe(203);
            expect(flowNames.get("f202")).toBe("flow 202");
            expect(seen.map((s) => `${s.method} ${s.url} ${s.body?.offset ?? ""}`)).toEqual([
                "POST /api/events/filter ",
                "GET /api/events/filter/next?page-token=p2 ",
                "GET /api/events/filter/next?page-token=p3 ",
                "POST /api/flow_runs/filter 0",
                "POST /api/flow_runs/filter 200",
                "POST /api/flows/filter 0",
                "POST /api/flows/filter 200",
            ]);
            expect(seen[0].body).toEqual({ filter: { event: { name: ["prefect.automation.triggered"] } }, limit: 50 });
            expect(new Set(seen.map((s) => s.auth))).toEqual(new Set([`Basic ${Buffer.from("u:p").toString("base64")}`]));
            await expect(client.request("GET", "/missing")).rejects.toThrow(/GET http:\/\/127\.0\.0\.1:\d+\/api\/missing -> HTTP 404/);
        } finally {
            await new Promise((r) => server.close(r));
        }
    });

    it("the HTML check itself catches what it is there to catch", () => {
        const page = (body: string) => `<!DOCTYPE html><html><body>${body}</body></html>`;
        expect(checkHtml(page("<p>fine &amp; dandy</p>")).problems).toEqual([]);
        expect(checkHtml(page("<p><b>x</p></b>")).problems).toEqual(["</p> closes <b> at 34", "</b> closes <p> at 38"]);
        expect(checkHtml(page("<p>a > b &c</p>")).problems).toEqual(['stray < or > in text at 30: "a > b &c"', "bad entity &c at 30"]);
        expect(checkHtml(page("<p>a < b</p>")).problems[0]).toMatch(/^malformed tag < b<\/p> at 32$/);
        expect(checkHtml(page("<div>")).problems).toEqual([
            "</body> closes <div> at 32",
            "</html> closes <body> at 39",
            "unclosed elements: html",
        ]);
        expect(checkHtml("<html></html>").problems).toEqual(["no <!DOCTYPE html> first"]);
    });
});
