/**
 * Alerting under load, on Prefect as it runs at scale (scripts/topology/topology.sh:
 * PostgreSQL, Redis, two API processes, the services in a third), or with
 * BENCH_DB=sqlite on one `prefect server start` on SQLite for comparison.
 *
 *   npm run bench:load     defaults: BENCH_ROUTES=20 BENCH_FLOWS=200 BENCH_RUNS=1336 BENCH_RATE=2.25 BENCH_FAULT_RUNS=120
 *                          also: BENCH_DB=sqlite, BENCH_FAULTS=off, BENCH_SETTLE_MS=120000
 *
 * A stack of BENCH_ROUTES routes (one tag each, warning tier on) is applied with the e2e harness, next to a bare
 * automation (Prefect's floor). Then bursts of runs through the REST API (a run created Running, then set
 * Failed, or Completed for one in four), spread over both API processes, BENCH_RATE runs a second: every failed
 * run must give exactly one warning and one floor message at the loopback receiver, a completed run none. Then
 * the same with a fault a third into the burst: API process 1 killed (SIGKILL; its requests go to process 2, as
 * a load balancer would send them, and it is started again a third later), the services process restarted,
 * Redis restarted. Prints figures only: nothing here passes or fails.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { applyToPrefect } from "../../tests/e2e/applyToPrefect";
import { prefectRequest } from "../../tests/e2e/prefectApi";
import { PrefectServer, ROOT, startPrefectServer } from "../../tests/e2e/prefectServer";
import { Receiver } from "../../tests/e2e/receiver";
import { createFloorAutomation } from "./floor";
import { Delivery, SentRun, Tally, percentile, tally } from "./loadTally";

const TOPOLOGY = join(ROOT, "scripts", "topology", "topology.sh");
const num = (name: string, fallback: number) => {
    const v = Number(process.env[name] ?? fallback);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number, got ${process.env[name]}`);
    return v;
};
const ROUTES = num("BENCH_ROUTES", 20);
const FLOWS = num("BENCH_FLOWS", 200);
const RUNS = num("BENCH_RUNS", 1336);
const RATE = num("BENCH_RATE", 2.25);
const FAULT_RUNS = num("BENCH_FAULT_RUNS", 120);
const SETTLE_MS = num("BENCH_SETTLE_MS", 120_000);
const DB = process.env.BENCH_DB === "sqlite" ? "sqlite" : "postgres";
/** BENCH_FAULTS=off: the burst only (e.g. to time applying a large stack); or a comma-separated list of fault names. */
const FAULTS = DB === "postgres" && process.env.BENCH_FAULTS !== "off";
const faultWanted = (name: string) => !process.env.BENCH_FAULTS || process.env.BENCH_FAULTS.split(",").includes(name);

interface Target {
    apis: string[];
    /** Process groups to measure, by name. */
    groups: () => Record<string, number>;
    ctl(cmd: "kill" | "start" | "stop", part: string): void;
    down(): Promise<void>;
}

async function topology(): Promise<Target> {
    execFileSync("bash", [TOPOLOGY, "up"], { stdio: "inherit" });
    const env = Object.fromEntries(
        execFileSync("bash", [TOPOLOGY, "env"], { encoding: "utf8" })
            .trim()
            .split("\n")
            .map((l) => l.split(/=(.*)/s).slice(0, 2)),
    );
    const pid = (part: string) => {
        try {
            return Number(readFileSync(join(env.STATE, `${part}.pid`), "utf8"));
        } catch {
            return 0;
        }
    };
    return {
        apis: [`${env.API1_URL}/api`, `${env.API2_URL}/api`],
        groups: () => Object.fromEntries(["api1", "api2", "services", "postgres", "redis"].map((p) => [p, pid(p)])),
        ctl: (cmd, part) => execFileSync("bash", [TOPOLOGY, cmd, part], { stdio: "inherit" }),
        down: async () => void execFileSync("bash", [TOPOLOGY, "down"], { stdio: "inherit" }),
    };
}

async function sqlite(): Promise<Target> {
    const server: PrefectServer = await startPrefectServer({ label: "bench-load" });
    return {
        apis: [server.apiUrl],
        groups: () => ({ server: server.pid }),
        ctl: () => {
            throw new Error("no faults on the single-process server");
        },
        down: () => server.stop(),
    };
}

/**
 * CPU seconds and RSS (bytes) per part, from /proc: the part's process and all its descendants (PostgreSQL's
 * backends make sessions of their own, so a process group would miss them). CPU counts each process's own time
 * and that of its children already reaped (cutime, cstime: the postmaster's exited backends).
 */
function sample(roots: Record<string, number>): Record<string, { cpu: number; rss: number }> {
    const out: Record<string, { cpu: number; rss: number }> = Object.fromEntries(Object.keys(roots).map((g) => [g, { cpu: 0, rss: 0 }]));
    const procs = new Map<number, { ppid: number; cpu: number; rss: number }>();
    for (const d of readdirSync("/proc")) {
        if (!/^\d+$/.test(d)) continue;
        let stat: string;
        try {
            stat = readFileSync(`/proc/${d}/stat`, "utf8");
        } catch {
            continue;
        }
        const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        const cpu = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
        procs.set(Number(d), { ppid: Number(f[1]), cpu, rss: Number(f[21]) * 4096 });
    }
    const partOf = new Map(Object.entries(roots).map(([g, pid]) => [pid, g]));
    for (const [pid, p] of procs) {
        let at: number | undefined = pid;
        for (let hops = 0; at && hops < 10 && !partOf.has(at); hops++) at = procs.get(at)?.ppid;
        const part = at ? partOf.get(at) : undefined;
        if (!part) continue;
        out[part].cpu += p.cpu;
        out[part].rss += p.rss;
    }
    return out;
}

class Meter {
    private peak: Record<string, number> = {};
    private cpuSoFar: Record<string, number> = {};
    private timer: NodeJS.Timeout;
    constructor(target: Target) {
        const first = sample(target.groups());
        for (const [g, v] of Object.entries(first)) {
            this.peak[g] = v.rss;
            this.cpuSoFar[g] = 0;
        }
        let last = first;
        this.timer = setInterval(() => {
            const now = sample(target.groups());
            for (const [g, v] of Object.entries(now)) {
                this.peak[g] = Math.max(this.peak[g] ?? 0, v.rss);
                // A restarted process starts its counter again: add only increases.
                this.cpuSoFar[g] += Math.max(0, v.cpu - (last[g]?.cpu ?? 0));
            }
            last = now;
        }, 1000);
    }
    stop(): Record<string, { cpu: number; peakRss: number }> {
        clearInterval(this.timer);
        return Object.fromEntries(Object.keys(this.peak).map((g) => [g, { cpu: this.cpuSoFar[g], peakRss: this.peak[g] }]));
    }
}

/** One request on API i, falling over to the others when a process is down (connection refused). */
async function call<T = any>(apis: string[], i: number, method: string, path: string, body?: unknown): Promise<T> {
    let lastError: unknown;
    for (let attempt = 0; attempt < apis.length * 3; attempt++) {
        const api = apis[(i + attempt) % apis.length];
        try {
            return await prefectRequest<T>(api, method, path, body);
        } catch (e) {
            lastError = e;
            // Only a connection failure goes elsewhere; an HTTP error is the server's answer.
            if (!/fetch failed|ECONNREFUSED|ECONNRESET|socket/i.test(String((e as Error).message) + String((e as Error).cause))) throw e;
            await new Promise((r) => setTimeout(r, 200));
        }
    }
    throw lastError;
}

interface Phase {
    name: string;
    runs: SentRun[];
    /** When the first run was sent, the fault began, the last run was sent. */
    from: number;
    faultAt?: number;
    to: number;
    errors: number;
    usage: Record<string, { cpu: number; peakRss: number }>;
    seconds: number;
}

async function burst(
    target: Target,
    flows: string[],
    name: string,
    count: number,
    fault?: (phaseRuns: SentRun[]) => Promise<void>,
): Promise<Phase> {
    const meter = new Meter(target);
    const runs: SentRun[] = [];
    let errors = 0;
    const from = Date.now();
    let faultAt: number | undefined;
    const pending: Promise<void>[] = [];
    let faultDone: Promise<void> = Promise.resolve();
    for (let i = 0; i < count; i++) {
        const due = from + (i * 1000) / RATE;
        await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
        if (fault && faultAt === undefined && i >= count / 3) {
            faultAt = Date.now();
            faultDone = fault(runs);
        }
        const route = i % ROUTES;
        const flowId = flows[i % flows.length];
        const outcome = i % 4 === 3 ? "completed" : "failed";
        pending.push(
            (async () => {
                try {
                    const run = await call(target.apis, i, "POST", "/flow_runs/", {
                        flow_id: flowId,
                        name: `bench-${name.replace(/\W+/g, "-")}-${i}`,
                        tags: [`bench-r${route}`],
                        state: { type: "RUNNING", name: "Running" },
                    });
                    const final =
                        outcome === "failed"
                            ? { type: "FAILED", name: "Failed", message: "bench: load failure" }
                            : { type: "COMPLETED", name: "Completed" };
                    const res = await call(target.apis, i + 1, "POST", `/flow_runs/${run.id}/set_state`, { state: final });
                    if (res.status !== "ACCEPT") throw new Error(`set_state ${final.name} for ${run.id}: ${res.status}`);
                    runs.push({ id: run.id, outcome, at: Date.parse(res.state.timestamp) });
                } catch (e) {
                    errors++;
                    console.error(`[${name}] run ${i}: ${(e as Error).message.slice(0, 300)}`);
                }
            })(),
        );
    }
    await Promise.all(pending);
    await faultDone;
    const to = Date.now();
    return { name, runs, from, faultAt, to, errors, usage: meter.stop(), seconds: (to - from) / 1000 };
}

/** Waits until every failed run of the phase has a message on both paths, or SETTLE_MS after the last was sent. */
async function settle(rcv: Receiver, phase: Phase): Promise<void> {
    const failed = phase.runs.filter((r) => r.outcome === "failed").map((r) => r.id);
    const deadline = phase.to + SETTLE_MS;
    const done = () => {
        const alerts = new Set(deliveries(rcv, "/alerts").map((d) => d.runId));
        const floor = new Set(deliveries(rcv, "/floor").map((d) => d.runId));
        return failed.every((id) => alerts.has(id) && floor.has(id));
    };
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1000));
    // A doubled message may come after the first: a short quiet time before counting.
    await new Promise((r) => setTimeout(r, 10_000));
}

/**
 * Each message on `path`, once for every id in it (the warning's run link and the floor's resource id carry the
 * run's; an id that names no run of ours, a flow's say, is not counted by the tally).
 */
function deliveries(rcv: Receiver, path: string): Delivery[] {
    return rcv.on(path).flatMap((r) => [...new Set(r.raw.match(UUIDS) ?? [])].map((runId) => ({ runId, at: r.at })));
}
const UUIDS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

function row(phase: Phase, what: string, t: Tally): string[] {
    const ms = (v: number) => (Number.isNaN(v) ? "-" : `${Math.round(v)}`);
    const max = t.latencies.length ? Math.max(...t.latencies) : NaN;
    return [
        phase.name,
        what,
        `${t.expected}`,
        `${t.delivered}`,
        `${t.lost.length}`,
        `${t.doubled.length}`,
        `${t.stray}`,
        `${ms(percentile(t.latencies, 50))} / ${ms(percentile(t.latencies, 95))} / ${ms(max)}`,
        `${(t.blindMs / 1000).toFixed(1)}`,
    ];
}

function table(rows: string[][]): string {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return rows.map((r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")).join("\n");
}

async function main(): Promise<void> {
    const t0 = Date.now();
    const target = DB === "sqlite" ? await sqlite() : await topology();
    const receiver = await Receiver.start();
    const phases: Phase[] = [];
    try {
        const api = target.apis[0];
        const routes = Object.fromEntries(Array.from({ length: ROUTES }, (_, i) => [`r${i}`, { tags: [`bench-r${i}`] }]));
        const tApply = Date.now();
        await applyToPrefect({
            api,
            receiverUrl: receiver.url,
            stack: "bench",
            file: "local",
            edit: {
                routes: () => routes,
                warning: () => ({ enabled: true, channels: ["alerts"] }),
                successNotice: () => ({ enabled: false }),
                critical: () => ({ enabled: false }),
                p1: () => ({ enabled: false }),
            },
        });
        const applySeconds = (Date.now() - tApply) / 1000;
        await createFloorAutomation(api, `${receiver.url}/floor`);
        const flows: string[] = [];
        for (let j = 0; j < FLOWS; j++) flows.push((await call(target.apis, j, "POST", "/flows/", { name: `bench-flow-${j}` })).id);
        console.log(`applied ${ROUTES} routes in ${applySeconds.toFixed(1)} s; ${FLOWS} flows; ${RATE} runs/s`);
        // Triggers learn of new automations on their own schedule: wait until one run alerts on both paths.
        const warm = await burst(target, flows, "warm-up", 1);
        await settle(receiver, warm);

        const p = await burst(target, flows, "burst", RUNS);
        await settle(receiver, p);
        phases.push(p);
        if (FAULTS) {
            const faults: [string, (runs: SentRun[]) => Promise<void>][] = [
                [
                    "api1 killed",
                    async () => {
                        target.ctl("kill", "api1");
                        await new Promise((r) => setTimeout(r, ((FAULT_RUNS / RATE) * 1000) / 3));
                        target.ctl("start", "api1");
                    },
                ],
                ["services restarted", async () => (target.ctl("stop", "services"), target.ctl("start", "services"))],
                ["redis restarted", async () => (target.ctl("stop", "redis"), target.ctl("start", "redis"))],
                // A blip rather than a restart: the publisher's xadd fails while Redis is away (prefect_redis/messaging.py).
                [
                    "redis down 10 s",
                    async () => {
                        target.ctl("stop", "redis");
                        await new Promise((r) => setTimeout(r, 10_000));
                        target.ctl("start", "redis");
                    },
                ],
            ];
            for (const [name, fault] of faults.filter(([n]) => faultWanted(n))) {
                const f = await burst(target, flows, name, FAULT_RUNS, fault);
                await settle(receiver, f);
                phases.push(f);
            }
        }

        const rows = [
            ["phase", "automation", "expected", "delivered", "lost", "doubled", "stray", "latency p50 / p95 / max ms", "longest silence s"],
        ];
        for (const ph of phases) {
            for (const [what, path] of [
                ["warning (stack)", "/alerts"],
                ["floor (bare)", "/floor"],
            ]) {
                const t = tally(ph.runs, deliveries(receiver, path), ph.faultAt ?? ph.from, ph.to);
                rows.push(row(ph, what, t));
                if (t.lost.length || t.doubled.length)
                    console.log(`${ph.name} ${path}: lost ${t.lost.join(",")} doubled ${t.doubled.join(",")}`);
            }
        }
        const version = (await prefectRequest(api, "GET", "/admin/version")) as string;
        const where =
            DB === "sqlite"
                ? "one `prefect server start` on SQLite (in-memory broker)"
                : "PostgreSQL 15 + Redis 7 (prefect-redis), 2 API processes (--no-services), services in a 3rd process";
        console.log(`\nalerting under load: Prefect ${version}, ${where}, all on loopback`);
        console.log(
            `machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, shared; ` +
                `Node ${process.version}; ${ROUTES} routes, ${FLOWS} flows, ${RATE} runs/s, 1 in 4 runs completes`,
        );
        console.log(table(rows));
        console.log(`\nserver processes per phase: CPU seconds (of ${cpus().length} cores) / peak RSS MiB`);
        const groups = Object.keys(phases[0].usage);
        const urows = [["phase", "s", "runs", "api errors", ...groups]];
        for (const ph of phases)
            urows.push([
                ph.name,
                "",
                ph.seconds.toFixed(0),
                `${ph.runs.length}`,
                `${ph.errors}`,
                ...groups.map((g) => `${ph.usage[g].cpu.toFixed(0)} / ${Math.round(ph.usage[g].peakRss / 2 ** 20)}`),
            ]);
        console.log(table(urows.map((r, i) => (i === 0 ? [r[0], "", ...r.slice(1)] : r))));
        console.log(`\ntotal ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    } finally {
        await receiver.close();
        await target.down();
    }
}

main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
});
