import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { PROJECT, parseStructure } from "../../config/load";
import { periodOf } from "../../cli/report/aggregate";
import { AUTOMATION_TRIGGERED, collectReport } from "../../cli/report/collect";
import { resolveApi } from "../../cli/report/endpoint";
import type { Report } from "../../cli/report/model";
import { watchedRoutes } from "../../cli/report/watched";
import { checkHtml } from "../helpers/htmlCheck";
import type { Applied } from "./applyToPrefect";
import { OwnStack, OwnStackSpec, applyOwnStack, ownStackSettings } from "./ownStack";
import { events, get } from "./prefectApi";
import { LOG_DIR, ROOT } from "./prefectServer";
import { FlowRunResult, FlowSpec, runFlows } from "./runFlows";

/**
 * `npm run report` against the real server (issue 12, item 4). A stack of its
 * own ("report": automation names start with "[report] ") watches its own tag
 * and a flow that never runs; real flows succeed, fail, time out and crash;
 * Prefect's own automations fire on them. The report's figures are asserted
 * exactly: run counts, failures, success rate, durations against the server's
 * own timestamps, the last success, and how often each automation fired and for
 * which flow. Then the command itself runs on a stack file and writes the HTML
 * page, which is checked for well-formedness and for links to runs only.
 */

const { url, apiUrl } = inject("prefect");
const SETTLE_MS = Number(process.env.E2E_SETTLE_MS ?? 20_000);
const STACK = "report";
const TAG = "report-e2e";
const ORDERS = "e2e-report-orders";
const PRODUCTS = "e2e-report-products";
const CRASHY = "e2e-report-crashy";
const NEVER = "e2e-report-never";
const UNTAGGED = "e2e-report-untagged";

const SPEC: OwnStackSpec = {
    stack: STACK,
    channels: { alerts: { type: "webhook", description: "loopback receiver standing in for #data-alerts" } },
    routes: { reportE2e: { tags: [TAG] }, reportNamed: { flows: [NEVER] } },
    sections: {
        warning: { enabled: true, channels: ["alerts"] },
        // Two final failures of one flow within an hour: fires once for ORDERS (on its 2nd failure), never for CRASHY (one).
        critical: { enabled: true, channels: ["alerts"], threshold: 2, windowHours: 1 },
    },
};
/** The stack's project settings, applied to the server and written to the stack file the command reads. */
const SETTINGS = ownStackSettings(SPEC);

const tagged = (kind: FlowSpec["kind"], name: string): FlowSpec => ({ kind, name, tags: [TAG] });
/** One after another, in this order: ORDERS' last success is its 6th run. */
const SEEDS: FlowSpec[] = [
    tagged("succeed", ORDERS),
    tagged("fail", ORDERS),
    tagged("succeed", ORDERS),
    tagged("fail", ORDERS),
    tagged("timeout", ORDERS),
    tagged("succeed", ORDERS),
    { ...tagged("succeed", PRODUCTS), times: 2 },
    tagged("crash", CRASHY),
    { kind: "fail", name: UNTAGGED, tags: ["not-watched"] },
];

let own: OwnStack | undefined;
let applied: Applied;
let seeded: FlowRunResult[];
let report: Report;

const automationId = (resource: string) => applied.automations.find((a) => a.name === resource)!.id;
const automationName = (resource: string) => applied.automations.find((a) => a.name === resource)!.sent.name as string;

beforeAll(async () => {
    own = await applyOwnStack(SPEC);
    ({ applied } = own);
    seeded = await runFlows(apiUrl, SEEDS);

    // Prefect fires asynchronously: wait for the expected firings (4 warnings, 1 critical), then for any extra one.
    const ours = new Set(applied.automations.map((a) => `prefect.automation.${a.id}`));
    const firings = async () => (await events(apiUrl, [AUTOMATION_TRIGGERED])).filter((e) => ours.has(e.resource["prefect.resource.id"]));
    const deadline = Date.now() + 120_000;
    while ((await firings()).length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1000));
    await new Promise((r) => setTimeout(r, SETTLE_MS));

    report = await collectReport({
        stack: STACK,
        routes: watched(),
        period: periodOf(2, new Date()),
        target: resolveApi(STACK, { "prefect:endpoint": apiUrl }, {}),
    });
});

afterAll(async () => {
    await own?.cleanup();
});

/** The stack's routes as the command reads them: the program's own parser over the same settings. */
function watched() {
    const values = Object.fromEntries(Object.entries(SETTINGS).map(([k, v]) => [`${PROJECT}:${k}`, JSON.stringify(v)]));
    values["prefect:endpoint"] = apiUrl;
    return watchedRoutes(parseStructure({ stack: STACK, values, secretKeys: new Set() }));
}

const row = (flow: string) => report.flows.find((f) => f.flow === flow)!;
const runsOf = (flow: string) => seeded.filter((r) => r.name === flow);

describe("npm run report against the real server", () => {
    it("seeded: the flows ended as their kinds say", () => {
        expect(seeded.map((r) => `${r.name}:${r.state}`)).toEqual([
            `${ORDERS}:Completed`,
            `${ORDERS}:Failed`,
            `${ORDERS}:Completed`,
            `${ORDERS}:Failed`,
            `${ORDERS}:TimedOut`,
            `${ORDERS}:Completed`,
            `${PRODUCTS}:Completed`,
            `${PRODUCTS}:Completed`,
            `${CRASHY}:Crashed`,
            `${UNTAGGED}:Failed`,
        ]);
    });

    it("one row per watched flow: the tagged ones, and the named flow that never ran; not the untagged one", () => {
        expect(report.watched).toEqual([`reportE2e: flow runs tagged ${TAG}`, `reportNamed: flow runs of flow ${NEVER}`]);
        expect(report.flows.map((f) => [f.flow, f.deployment])).toEqual([
            [CRASHY, undefined],
            [NEVER, undefined],
            [ORDERS, undefined],
            [PRODUCTS, undefined],
        ]);
    });

    it("runs, failures and success rate per flow, exactly; each day's bars add up to them", () => {
        const figures = (flow: string) => {
            const f = row(flow);
            return { runs: f.runs, completed: f.completed, failures: f.failures, other: f.other, successRate: f.successRate };
        };
        expect(figures(ORDERS)).toEqual({ runs: 6, completed: 3, failures: 3, other: 0, successRate: 0.5 });
        expect(figures(PRODUCTS)).toEqual({ runs: 2, completed: 2, failures: 0, other: 0, successRate: 1 });
        expect(figures(CRASHY)).toEqual({ runs: 1, completed: 0, failures: 1, other: 0, successRate: 0 });
        expect(figures(NEVER)).toEqual({ runs: 0, completed: 0, failures: 0, other: 0, successRate: undefined });
        for (const f of report.flows) {
            expect(f.daily.map((d) => d.day)).toEqual(report.period.days);
            const sum = (k: "completed" | "failed" | "other") => f.daily.reduce((s, d) => s + d[k], 0);
            expect([sum("completed"), sum("failed"), sum("other")]).toEqual([f.completed, f.failures, f.other]);
        }
    });

    it("median and p95 duration: the server's own start and end times, interpolated; within sane bounds", async () => {
        const seconds = await Promise.all(
            runsOf(ORDERS).map(async (r) => {
                const run = await get(apiUrl, `/flow_runs/${r.flow_run_id}`);
                return (Date.parse(run.end_time) - Date.parse(run.start_time)) / 1000;
            }),
        );
        const s = seconds.sort((a, b) => a - b);
        // Six values: the median is the mean of the 3rd and 4th; p95 sits at rank 4.75 (0-based), between the 5th and 6th.
        expect(row(ORDERS).medianSeconds).toBeCloseTo((s[2] + s[3]) / 2, 6);
        expect(row(ORDERS).p95Seconds).toBeCloseTo(s[4] + 0.75 * (s[5] - s[4]), 6);
        // The timed-out run took its 1 s timeout at least; nothing here takes a minute.
        expect(s[5]).toBeGreaterThanOrEqual(1);
        expect(row(ORDERS).medianSeconds!).toBeGreaterThan(0);
        expect(row(ORDERS).p95Seconds!).toBeGreaterThanOrEqual(row(ORDERS).medianSeconds!);
        expect(row(ORDERS).p95Seconds!).toBeLessThan(60);
        expect(row(NEVER).medianSeconds).toBeUndefined();
    });

    it("last success: ORDERS' 6th run, PRODUCTS' 2nd, none for CRASHY and the flow that never ran; ages of minutes", async () => {
        const last = runsOf(ORDERS)[5];
        const run = await get(apiUrl, `/flow_runs/${last.flow_run_id}`);
        expect(row(ORDERS).lastSuccess).toEqual({ id: last.flow_run_id, name: run.name, end: run.end_time });
        expect(row(PRODUCTS).lastSuccess?.id).toBe(runsOf(PRODUCTS)[1].flow_run_id);
        expect(row(CRASHY).lastSuccess).toBeUndefined();
        expect(row(NEVER).lastSuccess).toBeUndefined();
        for (const flow of [ORDERS, PRODUCTS]) {
            expect(row(flow).lastSuccessAgeSeconds!).toBeGreaterThanOrEqual(0);
            expect(row(flow).lastSuccessAgeSeconds!).toBeLessThan(600);
        }
    });

    it("alert noise: the warning fired 4 times (ORDERS 3, CRASHY 1), the critical once (ORDERS); the rest never", () => {
        const expected = applied.automations.map((a) => {
            if (a.name === "warning-reportE2e")
                return {
                    name: a.sent.name,
                    firings: 4,
                    causes: [
                        { cause: ORDERS, count: 3 },
                        { cause: CRASHY, count: 1 },
                    ],
                };
            if (a.name === "critical-reportE2e") return { name: a.sent.name, firings: 1, causes: [{ cause: ORDERS, count: 1 }] };
            return { name: a.sent.name, firings: 0, causes: [] };
        });
        const sort = <T extends { firings: number; name: string }>(xs: T[]) =>
            [...xs].sort((a, b) => b.firings - a.firings || a.name.localeCompare(b.name));
        expect(report.automations.map((a) => ({ name: a.name, firings: a.firings, causes: a.causes }))).toEqual(sort(expected));
        expect(automationName("warning-reportE2e")).toBe("[report] Pipeline failed (reportE2e)");
        expect(report.automations[0].id).toBe(automationId("warning-reportE2e"));
        expect(report.noisiest).toEqual([
            { cause: ORDERS, count: 4 },
            { cause: CRASHY, count: 1 },
        ]);
        // Another stack's automations on the same server (the local stack, teams) are not counted here.
        expect(report.automations.every((a) => a.name.startsWith(`[${STACK}] `))).toBe(true);
    });

    it("the command: a stack file, the table on stdout, one self-contained HTML page with a chart per flow", async () => {
        const dir = mkdtempSync(join(tmpdir(), "report-e2e-"));
        try {
            const stackFile = join(dir, `Pulumi.${STACK}.yaml`);
            const config: Record<string, unknown> = { "prefect:endpoint": apiUrl, [`${PROJECT}:environment`]: "development" };
            for (const [key, value] of Object.entries(SETTINGS)) config[`${PROJECT}:${key}`] = value;
            writeFileSync(stackFile, stringify({ config }));
            const html = join(dir, "report.html");
            const env = { ...process.env };
            delete env.PREFECT_API_URL;
            delete env.PREFECT_API_KEY;
            const { stdout } = await promisify(execFile)(
                join(ROOT, "node_modules", ".bin", "tsx"),
                [join(ROOT, "cli", "index.ts"), "report", stackFile, "--days", "2", "--html", html],
                { cwd: ROOT, env, timeout: 120_000 },
            );
            const lines = stdout.split("\n");
            expect(lines[0]).toMatch(
                new RegExp(`^Prefect report for stack "${STACK}": \\d{4}-\\d\\d-\\d\\d \\.\\. \\d{4}-\\d\\d-\\d\\d \\(2 days, UTC`),
            );
            expect(lines[1]).toBe(`API: ${apiUrl}`);
            expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${ORDERS} +6 +3 +50\\.0% +\\S+ s +\\S+ s +\\d{4}-.* UTC \\(`)));
            expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${PRODUCTS} +2 +0 +100\\.0% `)));
            expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${CRASHY} +1 +1 +0\\.0% .* never$`)));
            expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${NEVER} +0 +0 +- +- +- +never$`)));
            expect(lines).toContainEqual(
                expect.stringMatching(/^\[report\] Pipeline failed \(reportE2e\) +4 +e2e-report-orders \(3\), e2e-report-crashy \(1\)$/),
            );
            expect(stdout).not.toContain(UNTAGGED);

            // Kept with the suite's other artifacts, to look at.
            const page = readFileSync(html, "utf8");
            mkdirSync(LOG_DIR, { recursive: true });
            writeFileSync(join(LOG_DIR, "report.html"), page);
            writeFileSync(join(LOG_DIR, "report.txt"), stdout);
            const { problems, elements } = checkHtml(page);
            expect(problems).toEqual([]);
            expect(elements.filter((e) => e.name === "svg").map((e) => e.attrs["aria-label"])).toEqual(
                [CRASHY, NEVER, ORDERS, PRODUCTS].map((f) => `runs per day of ${f}`),
            );
            // ORDERS' bars: 3 completed and 3 failed over the days, in rects whose titles say so.
            const titles = [...page.matchAll(/<title>(\d{4}-\d\d-\d\d): (\d+) (completed|failed|other)<\/title>/g)].map((m) => m.slice(1));
            expect(titles.filter(([, , k]) => k === "completed").reduce((s, [, c]) => s + Number(c), 0)).toBe(3 + 2);
            expect(titles.filter(([, , k]) => k === "failed").reduce((s, [, c]) => s + Number(c), 0)).toBe(3 + 1);
            // Self-contained: no script, stylesheet link, image, frame or CSS url(); the only URLs are run links on this server.
            expect(elements.filter((e) => ["script", "link", "img", "iframe", "object", "embed"].includes(e.name))).toEqual([]);
            expect(elements.filter((e) => "src" in e.attrs)).toEqual([]);
            expect(page).not.toMatch(/url\(|@import/);
            const links = [...page.matchAll(/https?:\/\/[^\s"<>]*/g)].map((m) => m[0]).sort();
            expect(links).toEqual([runsOf(ORDERS)[5], runsOf(PRODUCTS)[1]].map((r) => `${url}/runs/flow-run/${r.flow_run_id}`).sort());
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
