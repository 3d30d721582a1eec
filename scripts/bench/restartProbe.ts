/**
 * Why a services restart can lose (delay) an alert: a targeted probe on the scale topology (topology.sh).
 *
 *   npx tsx scripts/bench/restartProbe.ts      PROBE_RUNS=3 PROBE_WAIT_S=1080
 *   PROBE_ORDERING=prefect_redis.ordering ...  the same with the causal ordering kept in Redis (the workaround)
 *
 * Prefect's triggers service keeps its causal ordering in memory (PREFECT_SERVER_EVENTS_CAUSAL_ORDERING defaults
 * to prefect.server.events.ordering.memory). A flow run's state-change event names the previous state's event as
 * the one it `follows` when that state is under 5 minutes old (server/models/events.py `_timing_is_tight`), and
 * the triggers service evaluates an event only once it has seen its leader; otherwise it parks it as a follower
 * and acknowledges the message (server/events/ordering/memory.py `wait_for_leader`), to be evaluated when the
 * leader comes or, failing that, after PRECEDING_EVENT_LOOKBACK, 15 minutes (ordering/__init__.py,
 * triggers.py `periodic_evaluation` / `get_lost_followers`). A restarted services process has an empty memory:
 * a run that went Running before the restart and fails soon after it has a leader the new process never saw.
 *
 * The probe: a stack with its warning tier on one tag and the bare floor automation; PROBE_RUNS runs set Running,
 * the services process restarted, then those runs set Failed ("across"); as a control, as many runs Running and
 * Failed after the restart ("after"). For each run: when it failed, when Prefect persisted its Failed event (the
 * event persister, same process), whether the services log says the event "arrived before the event it follows",
 * and when each automation's message came. It waits PROBE_WAIT_S (past the 15-minute lookback) for the rest.
 * Services log at INFO (TOPOLOGY_SERVER_LOG_LEVEL). Prints what it saw; nothing passes or fails.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { applyToPrefect } from "../../tests/e2e/applyToPrefect";
import { events, post } from "../../tests/e2e/prefectApi";
import { ROOT } from "../../tests/e2e/prefectServer";
import { Receiver } from "../../tests/e2e/receiver";
import { createFloorAutomation } from "./floor";

const TOPOLOGY = join(ROOT, "scripts", "topology", "topology.sh");
const RUNS = Number(process.env.PROBE_RUNS ?? 3);
const WAIT_MS = Number(process.env.PROBE_WAIT_S ?? 1080) * 1000;
const TAG = "probe";
/** PROBE_ORDERING=prefect_redis.ordering: the triggers' causal ordering in Redis instead of memory (the workaround). */
const ORDERING = process.env.PROBE_ORDERING ?? "prefect.server.events.ordering.memory";
const env = {
    ...process.env,
    TOPOLOGY_DIR: join(ROOT, ".e2e", process.env.PROBE_ORDERING ? "topology-probe-ordering" : "topology-probe"),
    TOPOLOGY_SERVER_LOG_LEVEL: "INFO",
    TOPOLOGY_CAUSAL_ORDERING: ORDERING,
};
const topology = (...args: string[]) => execFileSync("bash", [TOPOLOGY, ...args], { stdio: "inherit", env });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const t = (ms: number | undefined, zero: number) => (ms === undefined ? "none" : `${((ms - zero) / 1000).toFixed(1)} s`);

interface ProbeRun {
    id: string;
    group: "across" | "after";
    failedAt: number;
}

async function main(): Promise<void> {
    topology("up");
    const vars = Object.fromEntries(
        execFileSync("bash", [TOPOLOGY, "env"], { encoding: "utf8", env })
            .trim()
            .split("\n")
            .map((l) => l.split(/=(.*)/s).slice(0, 2)),
    );
    const api = `${vars.API1_URL}/api`;
    const receiver = await Receiver.start();
    try {
        await applyToPrefect({
            api,
            receiverUrl: receiver.url,
            stack: "probe",
            file: "local",
            edit: {
                routes: () => ({ probe: { tags: [TAG] } }),
                warning: () => ({ enabled: true, channels: ["alerts"] }),
                successNotice: () => ({ enabled: false }),
                critical: () => ({ enabled: false }),
                p1: () => ({ enabled: false }),
            },
        });
        await createFloorAutomation(api, `${receiver.url}/floor`);
        const flow = await post(api, "/flows/", { name: "restart-probe" });
        const running = async () =>
            (await post(api, "/flow_runs/", { flow_id: flow.id, tags: [TAG], state: { type: "RUNNING", name: "Running" } })).id as string;
        const fail = async (id: string) => {
            const res = await post(api, `/flow_runs/${id}/set_state`, { state: { type: "FAILED", name: "Failed", message: "probe" } });
            return Date.parse(res.state.timestamp);
        };
        const alerted = (path: string, id: string) => receiver.on(path).find((r) => r.raw.includes(id))?.at;

        // Warm-up: the automations are loaded and a run alerts on both paths.
        const warm = await running();
        await fail(warm);
        while (!alerted("/alerts", warm) || !alerted("/floor", warm)) await sleep(1000);

        const runs: ProbeRun[] = [];
        const across = [];
        for (let i = 0; i < RUNS; i++) across.push(await running());
        await sleep(5000); // the old services process evaluates their Running events
        const restartAt = Date.now();
        topology("stop", "services");
        topology("start", "services");
        const upAt = Date.now();
        console.log(`causal ordering ${ORDERING}; services restarted: stopped at 0 s, up again at ${t(upAt, restartAt)}`);
        for (const id of across) runs.push({ id, group: "across", failedAt: await fail(id) });
        for (let i = 0; i < RUNS; i++) {
            const id = await running();
            runs.push({ id, group: "after", failedAt: await fail(id) });
        }

        const deadline = Date.now() + WAIT_MS;
        const done = () => runs.every((r) => alerted("/alerts", r.id) && alerted("/floor", r.id));
        while (!done() && Date.now() < deadline) await sleep(2000);

        const failedEvents = await events(api, ["prefect.flow-run.Failed"], new Date(restartAt - 60_000));
        const log = readFileSync(join(vars.STATE, "services.log"), "utf8").split("\n");
        console.log(
            "\nrun (group)                                     failed  persisted  follows  parked  warning  floor   (s after the restart)",
        );
        for (const r of runs) {
            const ev = failedEvents.find((e) => e.resource["prefect.resource.id"] === `prefect.flow-run.${r.id}`);
            const parked = ev ? log.some((l) => l.includes(ev.id) && l.includes("arrived before the event it follows")) : false;
            console.log(
                [
                    `${r.id} (${r.group})`.padEnd(46),
                    t(r.failedAt, restartAt).padStart(8),
                    t(ev?.received ? Date.parse(ev.received) : undefined, restartAt).padStart(10),
                    `${ev && (ev as any).follows ? "yes" : "no"}`.padStart(8),
                    `${parked ? "yes" : "no"}`.padStart(7),
                    t(alerted("/alerts", r.id), restartAt).padStart(8),
                    t(alerted("/floor", r.id), restartAt).padStart(7),
                ].join(" "),
            );
        }
        const counts = (path: string) => runs.map((r) => receiver.on(path).filter((m) => m.raw.includes(r.id)).length).join(",");
        console.log(`messages per run: warning ${counts("/alerts")}; floor ${counts("/floor")}`);
    } finally {
        await receiver.close();
        topology("down");
    }
}

main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
});
