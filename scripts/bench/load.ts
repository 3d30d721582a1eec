/**
 * Alerting under load, on Prefect as it runs at scale (scripts/topology/topology.sh:
 * PostgreSQL, Redis, two API processes, the services in a third), or with
 * BENCH_DB=sqlite on one `prefect server start` on SQLite for comparison.
 *
 *   npm run bench:load     defaults: BENCH_ROUTES=20 BENCH_FLOWS=200 BENCH_RUNS=1336 BENCH_RATE=2.25 BENCH_FAULT_RUNS=120
 *                          BENCH_FAULT_FLOWS=30 BENCH_WATCHDOG_GRACE_S=15
 *                          also: BENCH_DB=sqlite, BENCH_FAULTS=off or a list of faults, BENCH_SETTLE_MS=120000,
 *                          TOPOLOGY_CAUSAL_ORDERING=prefect_redis.ordering (the services' causal ordering in Redis)
 *
 * A stack of BENCH_ROUTES routes (one tag each) is applied with the e2e harness with its warning tier, repeated
 * failures (critical: 3 per flow within 24 h), late runs (every late run alerts), stuck runs (Running 15 s) and
 * watchdog (a heartbeat every 15 s) on, each signal on its own loopback path, next to a bare automation (Prefect's
 * floor). Then bursts of runs through the REST API, spread over both API processes, BENCH_RATE runs a second, in
 * a fixed mix of 20 (MIX): failed, completed, retried (AwaitingRetry by Prefect's own retry rule, then completed
 * or finally failed), late (created Scheduled in the past on a deployment; the late-runs service makes it Late)
 * and stuck (Running, never ends). Every alert each signal should give is counted at the receiver by its key (the
 * run, or the flow for repeated failures: loadTally.ts): none lost, none doubled, none for a run that should not
 * alert (a retry that completed). Then the same with a fault a third into the burst: API process 1 killed (SIGKILL;
 * its requests go to process 2, as a load balancer would send them, and it is started again a third later), the
 * services process restarted, Redis restarted, Redis down for 10 s; each fault phase has flows of its own, so that its repeated
 * failures count from zero. The watchdog's pings show what an external heartbeat monitor would have seen of each
 * fault. Prints figures only: nothing here passes or fails.
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
import { PROJECT } from "../../config/load";
import { Delivery, RunKind, SentRun, Signal, Tally, expectedAlerts, heartbeatView, percentile, tally } from "./loadTally";

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
const FAULT_FLOWS = num("BENCH_FAULT_FLOWS", 30);
const GRACE_MS = num("BENCH_WATCHDOG_GRACE_S", 15) * 1000;
/** The stack's settings for the signals under load: repeated failures per flow, Running this long is stuck, heartbeat period. */
const THRESHOLD = 3;
const STUCK_S = 15;
const WATCHDOG_S = 15;
/** PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS in topology.sh (15 s): a run scheduled this long ago may be made Late. */
const LATE_AFTER_S = 15;
/** How the runs of a burst end, in order, again and again: 15 in 20 end in a final failure, as the failing 3 in 4 did before. */
const MIX: RunKind[] = [
    ["failed", "failed", "failed", "completed", "failed", "retried-completed", "failed", "late", "failed", "failed"],
    ["failed", "failed", "completed", "failed", "retried-failed", "failed", "stuck", "failed", "failed", "failed"],
].flat() as RunKind[];
/** Each signal's path at the receiver (a webhook channel of the same name; the floor's block posts to /floor). */
const PATHS: Record<Signal, string> = { warning: "/alerts", floor: "/floor", critical: "/critical", late: "/late", stuck: "/stuck" };
const LABEL: Record<Signal, string> = {
    warning: "warning (stack)",
    floor: "floor (bare)",
    critical: "repeated failures",
    late: "late runs",
    stuck: "stuck runs",
};
const SIGNALS = Object.keys(PATHS) as Signal[];
/** Runs per fault phase that are Running when the fault begins and fail after it, and their route's tag. */
const ACROSS = 3;
const ACROSS_TAG = "bench-across";
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
    /** When the first run was sent, the fault began, the last run was sent, the phase's alerts had all come (or settling gave up). */
    from: number;
    faultAt?: number;
    to: number;
    settled: number;
    errors: number;
    usage: Record<string, { cpu: number; peakRss: number }>;
    seconds: number;
}

/** A flow with a deployment of its own (late runs are runs of deployments). */
interface BenchFlow {
    id: string;
    deploymentId: string;
}

async function createFlows(apis: string[], prefix: string, count: number): Promise<BenchFlow[]> {
    const flows: BenchFlow[] = [];
    for (let j = 0; j < count; j++) {
        const id = (await call(apis, j, "POST", "/flows/", { name: `bench-${prefix}-${j}` })).id;
        const deploymentId = (await call(apis, j, "POST", "/deployments/", { name: `bench-${prefix}-${j}`, flow_id: id })).id;
        flows.push({ id, deploymentId });
    }
    return flows;
}

const FAILED = { type: "FAILED", name: "Failed", message: "bench: load failure" };
const COMPLETED = { type: "COMPLETED", name: "Completed" };
const RUNNING = { type: "RUNNING", name: "Running" };

/** Sets a state and returns the state the server stored (a REJECT carries the state it put instead, e.g. AwaitingRetry). */
async function setState(apis: string[], i: number, runId: string, state: unknown): Promise<{ status: string; state: any }> {
    const res = await call(apis, i, "POST", `/flow_runs/${runId}/set_state`, { state });
    if (res.status !== "ACCEPT" && res.status !== "REJECT")
        throw new Error(`set_state for ${runId}: ${res.status} ${JSON.stringify(res.details)}`);
    return res;
}

/** One run of `kind`, through the REST API; returns it as the tally counts it. */
async function sendRun(apis: string[], i: number, flow: BenchFlow, kind: RunKind, name: string, tags: string[]): Promise<SentRun> {
    if (kind === "late") {
        // Scheduled just over LATE_AFTER_S ago, on a deployment nobody serves: the late-runs service's next loop makes it Late.
        const scheduled = new Date(Date.now() - (LATE_AFTER_S + 1) * 1000).toISOString();
        const run = await call(apis, i, "POST", `/deployments/${flow.deploymentId}/create_flow_run`, {
            name,
            tags,
            state: { type: "SCHEDULED", name: "Scheduled", state_details: { scheduled_time: scheduled } },
        });
        return { id: run.id, kind, flowId: flow.id, at: Date.now() };
    }
    const retried = kind.startsWith("retried");
    const run = await call(apis, i, "POST", "/flow_runs/", {
        flow_id: flow.id,
        name,
        tags,
        state: RUNNING,
        ...(retried ? { empirical_policy: { retries: 1, retry_delay: 0 } } : {}),
    });
    if (kind === "stuck") return { id: run.id, kind, flowId: flow.id, at: Date.parse(run.state.timestamp) + STUCK_S * 1000 };
    if (retried) {
        // Prefect's retry rule (orchestration/core_policy.py RetryFailedFlows) answers a Failed proposal with
        // AwaitingRetry while retries are left; the run then runs again.
        const first = await setState(apis, i + 1, run.id, FAILED);
        if (first.state.name !== "AwaitingRetry") throw new Error(`retry of ${run.id}: got ${first.state.name}, not AwaitingRetry`);
        for (let attempt = 0; attempt < 3; attempt++) {
            await setState(apis, i, run.id, RUNNING);
            const end = await setState(apis, i + 1, run.id, kind === "retried-completed" ? COMPLETED : FAILED);
            if (end.state.name === "AwaitingRetry") continue;
            return { id: run.id, kind, flowId: flow.id, at: Date.parse(end.state.timestamp) };
        }
        throw new Error(`retry of ${run.id}: still AwaitingRetry after 3 attempts`);
    }
    const end = await setState(apis, i + 1, run.id, kind === "failed" ? FAILED : COMPLETED);
    if (end.status !== "ACCEPT") throw new Error(`set_state ${kind} for ${run.id}: ${end.status}`);
    return { id: run.id, kind, flowId: flow.id, at: Date.parse(end.state.timestamp) };
}

/** A run set Running now and Failed once `later` resolves. */
async function sendAcross(
    apis: string[],
    i: number,
    flow: BenchFlow,
    name: string,
    tags: string[],
    later: Promise<void>,
): Promise<SentRun> {
    const run = await call(apis, i, "POST", "/flow_runs/", { flow_id: flow.id, name, tags, state: RUNNING });
    await later;
    const end = await setState(apis, i + 1, run.id, FAILED);
    if (end.status !== "ACCEPT") throw new Error(`set_state Failed for ${run.id}: ${end.status}`);
    return { id: run.id, kind: "failed-across", flowId: flow.id, at: Date.parse(end.state.timestamp) };
}

async function burst(
    target: Target,
    flows: BenchFlow[],
    name: string,
    count: number,
    fault?: (phaseRuns: SentRun[]) => Promise<void>,
    kinds: RunKind[] = MIX,
): Promise<Omit<Phase, "settled">> {
    const meter = new Meter(target);
    const runs: SentRun[] = [];
    let errors = 0;
    const from = Date.now();
    let faultAt: number | undefined;
    const pending: Promise<void>[] = [];
    let faultDone: Promise<void> = Promise.resolve();
    let faultOver: () => void = () => {};
    const afterFault = new Promise<void>((r) => (faultOver = r));
    const faultIndex = Math.ceil(count / 3);
    for (let i = 0; i < count; i++) {
        const due = from + (i * 1000) / RATE;
        await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
        if (fault && faultAt === undefined && i >= faultIndex) {
            faultAt = Date.now();
            faultDone = fault(runs).finally(faultOver);
        }
        // Shifted by one flow each round, so that a flow's runs are not all of one kind (MIX's length divides FLOWS).
        const flowIndex = (i + Math.floor(i / flows.length)) % flows.length;
        const flow = flows[flowIndex];
        // A flow belongs to one route, as tags by flow would put it: repeated failures count per route and flow.
        const route = flowIndex % ROUTES;
        // With a fault: the ACROSS runs sent last before it stay Running through it and fail once it is over (a flow
        // running while the fault happens), on a route of their own that stuckRuns does not watch.
        const across = fault !== undefined && i >= faultIndex - 2 * ACROSS && i < faultIndex && (faultIndex - i) % 2 === 0;
        const kind = across ? "failed-across" : kinds[i % kinds.length];
        const tags = [across ? ACROSS_TAG : `bench-r${route}`];
        pending.push(
            (async () => {
                try {
                    const runName = `bench-${name.replace(/\W+/g, "-")}-${i}`;
                    runs.push(
                        await (across
                            ? sendAcross(target.apis, i, flow, runName, tags, afterFault)
                            : sendRun(target.apis, i, flow, kind, runName, tags)),
                    );
                } catch (e) {
                    errors++;
                    console.error(`[${name}] run ${i} (${kind}): ${(e as Error).message.slice(0, 300)}`);
                }
            })(),
        );
    }
    await Promise.all(pending);
    await faultDone;
    const to = Date.now();
    return { name, runs, from, faultAt, to, errors, usage: meter.stop(), seconds: (to - from) / 1000 };
}

/** Waits until every alert the phase should give has come on its path, or SETTLE_MS after the last run was sent. */
async function settle(rcv: Receiver, phase: Omit<Phase, "settled">): Promise<Phase> {
    const deadline = phase.to + SETTLE_MS;
    const done = () =>
        SIGNALS.every((s) => {
            const got = new Set(deliveries(rcv, PATHS[s]).map((d) => d.runId));
            const byId = new Map(phase.runs.map((r) => [r.id, r]));
            const keys = new Set([...got].filter((id) => byId.has(id)).map((id) => (s === "critical" ? byId.get(id)!.flowId : id)));
            return expectedAlerts(s, phase.runs, THRESHOLD).every((e) => keys.has(e.key));
        });
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1000));
    // A doubled message may come after the first: a short quiet time before counting.
    await new Promise((r) => setTimeout(r, 10_000));
    return { ...phase, settled: Date.now() };
}

/**
 * Each message on `path`, once for every id in it (the stack's messages name the run, the floor's body is the
 * run's resource id; an id that names no run of ours, a flow's say, is not counted by the tally).
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
        const burstRoutes = Array.from({ length: ROUTES }, (_, i) => `r${i}`);
        const routes = { ...Object.fromEntries(burstRoutes.map((r) => [r, { tags: [`bench-${r}`] }])), across: { tags: [ACROSS_TAG] } };
        const tApply = Date.now();
        const webhook = { type: "webhook", description: "loopback receiver of the load benchmark" };
        await applyToPrefect({
            api,
            receiverUrl: receiver.url,
            stack: "bench",
            file: "local",
            edit: {
                channels: () => ({
                    alerts: webhook,
                    critical: webhook,
                    late: webhook,
                    stuck: webhook,
                    heartbeat: { type: "heartbeat", description: "loopback stand-in for a heartbeat monitor" },
                }),
                routes: () => routes,
                warning: () => ({ enabled: true, channels: ["alerts"] }),
                successNotice: () => ({ enabled: false }),
                critical: () => ({ enabled: true, channels: ["critical"], threshold: THRESHOLD, windowHours: 24 }),
                lateRuns: () => ({ enabled: true, channels: ["late"], repeatMinutes: 0 }),
                stuckRuns: () => ({ enabled: true, routes: burstRoutes, channels: ["stuck"], stuckAfterMinutes: STUCK_S / 60 }),
                watchdog: () => ({ enabled: true, channel: "heartbeat", intervalMinutes: WATCHDOG_S / 60 }),
                p1: () => ({ enabled: false }),
            },
            secrets: { [`${PROJECT}:heartbeatWebhookUrl`]: `${receiver.url}/heartbeat` },
        });
        const applySeconds = (Date.now() - tApply) / 1000;
        await createFloorAutomation(api, `${receiver.url}/floor`);
        const flows = await createFlows(target.apis, "flow", FLOWS);
        console.log(`applied ${ROUTES} routes in ${applySeconds.toFixed(1)} s; ${FLOWS} flows with a deployment each; ${RATE} runs/s`);
        // Triggers learn of new automations on their own schedule: wait until one run of each kind that alerts has alerted.
        const warm = await burst(target, await createFlows(target.apis, "warm-up", 1), "warm-up", 3, undefined, [
            "failed",
            "late",
            "stuck",
        ]);
        await settle(receiver, warm);

        phases.push(await settle(receiver, await burst(target, flows, "burst", RUNS)));
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
                // Flows of its own: the repeated-failure count of each flow starts at zero in every phase.
                const own = await createFlows(target.apis, name.replace(/\W+/g, "-"), FAULT_FLOWS);
                phases.push(await settle(receiver, await burst(target, own, name, FAULT_RUNS, fault)));
            }
        }

        const rows = [
            ["phase", "signal", "expected", "delivered", "lost", "doubled", "stray", "latency p50 / p95 / max ms", "longest silence s"],
        ];
        const notes: string[] = [];
        for (const ph of phases) {
            for (const signal of SIGNALS) {
                const t = tally(signal, ph.runs, deliveries(receiver, PATHS[signal]), ph.faultAt ?? ph.from, ph.to, THRESHOLD);
                rows.push(row(ph, LABEL[signal], t));
                const kindOf = (key: string) => ph.runs.find((r) => r.id === key || r.flowId === key)?.kind;
                if (t.lost.length || t.doubled.length || t.stray)
                    notes.push(
                        `${ph.name} ${LABEL[signal]}: lost ${t.lost.map((k) => `${k} (${kindOf(k)})`).join(", ") || "none"}; ` +
                            `doubled ${t.doubled.join(", ") || "none"}; stray ${JSON.stringify(t.strayKinds)}`,
                    );
            }
        }
        const version = (await prefectRequest(api, "GET", "/admin/version")) as string;
        const where =
            DB === "sqlite"
                ? "one `prefect server start` on SQLite (in-memory broker)"
                : "PostgreSQL 15 + Redis 7 (prefect-redis), 2 API processes (--no-services), services in a 3rd process";
        console.log(`\nalerting under load: Prefect ${version}, ${where}, all on loopback`);
        const mix = Object.entries(MIX.reduce<Record<string, number>>((m, k) => ({ ...m, [k]: (m[k] ?? 0) + 1 }), {}));
        console.log(
            `machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, shared; ` +
                `Node ${process.version}; ${ROUTES} routes, ${FLOWS} flows, ${RATE} runs/s; runs in ${MIX.length}: ` +
                mix.map(([k, n]) => `${n} ${k}`).join(", "),
        );
        console.log(
            `signals: warning (each final failure), repeated failures (${THRESHOLD} per flow in 24 h, once per flow), late runs ` +
                `(each), stuck runs (Running ${STUCK_S} s, each), watchdog every ${WATCHDOG_S} s`,
        );
        console.log(table(rows));
        for (const n of notes) console.log(n);
        const perPath = new Map<string, number>();
        for (const r of receiver.requests) perPath.set(r.path, (perPath.get(r.path) ?? 0) + 1);
        console.log(`messages per receiver path, whole run: ${[...perPath].map(([p, n]) => `${p} ${n}`).join(", ")}`);

        console.log(
            `\nwatchdog: pings the heartbeat receiver got per phase (until its alerts settled); gap around the fault vs the ` +
                `${WATCHDOG_S} s interval; down = how long a monitor with ${GRACE_MS / 1000} s grace would have shown it missing`,
        );
        const pings = receiver.on("/heartbeat").map((r) => r.at);
        const wrows = [["phase", "pings", "gap at fault s", "longest gap s", "monitor down s", "would page"]];
        for (const ph of phases) {
            const v = heartbeatView(pings, ph.from, ph.faultAt ?? ph.from, ph.settled, WATCHDOG_S * 1000, GRACE_MS);
            const s = (ms: number) => (ms / 1000).toFixed(1);
            wrows.push([ph.name, `${v.pings}`, s(v.faultGapMs), s(v.longestGapMs), s(v.downMs), v.downMs > 0 ? "yes" : "no"]);
        }
        console.log(table(wrows.map((r) => [r[0], "", ...r.slice(1)])));

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
