/**
 * Cost of `npm run backtest`'s replay: a generated history (tests/helpers/runHistory.ts `generateRuns`, seeded, so
 * every machine replays the same events) of runs over 7 days (about 80% complete, 10% fail after a retry, 5% fail at
 * once, 3% run late, 2% crash) across 50 deployments, replayed through a stack's plan and counted (cli/backtest:
 * the engine, the deliveries, the summary; the Prefect API is not read: that cost is the server's).
 *
 *   npm run bench:backtest                # runs: 1k, 10k, 50k against prod; routes: 2, 20, 100 at 10k runs
 *   BENCH_RUNS=1000,10000 BENCH_ROUTES=2,20 BENCH_REPEAT=5 npm run bench:backtest
 *
 * For each size: the median of BENCH_REPEAT (3) backtests in ms (performance.now; "counting" is the part after the
 * engine: deliveries, incidents and the summary, from the same firings), the heap it left in use (after a
 * forced GC when node runs with --expose-gc, as the npm script does) and the process's peak RSS. Prints figures
 * only: nothing here passes or fails on time.
 */
import { performance } from "node:perf_hooks";
import { cpus } from "node:os";
import { backtest } from "../../cli/backtest/backtest";
import { summarize } from "../../cli/backtest/aggregate";
import { BacktestPlan, deliveriesOf } from "../../cli/backtest/deliveries";
import { parseStackConfig } from "../../config/load";
import { planAlerting } from "../../rules/plan";
import { planStack } from "../../cli/stack";
import { generateRuns, historyOf } from "../../tests/helpers/runHistory";
import { editKey, stackConfig } from "../../tests/helpers/stacks";

const DAYS = 7;
const DEPLOYMENTS = 50;
const START = Date.parse("2026-11-02T00:00:00Z");
const WINDOW = { start: START, end: START + DAYS * 86_400_000 };

const list = (v: string | undefined, fallback: number[]) => (v ? v.split(",").map(Number) : fallback);
const RUNS = list(process.env.BENCH_RUNS, [1_000, 10_000, 50_000]);
const ROUTES = list(process.env.BENCH_ROUTES, [2, 20, 100]);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);

/** prod with `routes` routes: its own `dlt`, and r1..r(n-1) each on its own tag; everything else as in Pulumi.prod.yaml. */
function prodWith(routes: number): BacktestPlan & { tags: string[] } {
    const extra = Array.from({ length: routes - 1 }, (_, i) => `r${i + 1}`);
    const raw = editKey(stackConfig("prod"), "routes", () => ({
        dlt: { tags: ["dlt"] },
        ...Object.fromEntries(extra.map((r) => [r, { tags: [r] }])),
    }));
    const cfg = parseStackConfig(raw);
    return { stack: "prod", plan: planAlerting(cfg), routes: cfg.routes, tags: ["dlt", ...extra] };
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const gc = (globalThis as { gc?: () => void }).gc;

function measure(label: string, p: BacktestPlan & { tags: string[] }, runs: number): string[] {
    const events = historyOf(generateRuns({ runs, deployments: DEPLOYMENTS, tags: p.tags, start: START, days: DAYS, seed: 17 }));
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const times: number[] = [];
    let result;
    for (let i = 0; i < REPEAT; i++) {
        const t0 = performance.now();
        result = backtest(p, events, WINDOW);
        times.push(performance.now() - t0);
    }
    const heapAfter = process.memoryUsage().heapUsed;
    gc?.();
    // The counting alone (cli/backtest: deliveries, incidents, summary), from the same firings.
    const counting: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
        const t0 = performance.now();
        summarize(p.stack, p.plan, deliveriesOf(p, result!.firings), result!.firings, WINDOW, []);
        counting.push(performance.now() - t0);
    }
    const s = result!.summary;
    return [
        label,
        String(p.routes.length),
        String(p.plan.automations.length),
        String(runs),
        String(events.length),
        String(s.firings),
        `${s.total.messages}/${s.total.pages}`,
        median(times).toFixed(0),
        median(counting).toFixed(0),
        mb(Math.max(0, heapAfter - heapBefore)),
        mb(process.memoryUsage().rss),
    ];
}

function print(rows: string[][]): void {
    const head = [
        "size",
        "routes",
        "automations",
        "runs",
        "events",
        "firings",
        "msgs/pages",
        "total ms",
        "counting ms",
        "heap +MB",
        "RSS MB",
    ];
    const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join("  ");
    console.log(line(head));
    for (const r of rows) console.log(line(r));
}

function main(): void {
    console.log(
        `bench:backtest: ${DAYS} days, ${DEPLOYMENTS} deployments, median of ${REPEAT}; node ${process.version}, ${cpus().length} CPUs` +
            `${gc ? "" : " (no --expose-gc: heap figures include garbage)"}`,
    );
    // Pulumi.prod.yaml as the preview plans it; its runs carry `dlt` (watched) and one of two tags no route watches.
    const { stack, plan, cfg } = planStack("prod");
    const prod = { stack, plan, routes: cfg.routes, tags: ["dlt", "nightly", "hourly"] };
    const rows = RUNS.map((n) => measure(`prod, ${n} runs`, prod, n));
    for (const r of ROUTES) rows.push(measure(`${r} routes, 10000 runs`, prodWith(r), 10_000));
    print(rows);
}

main();
