import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EVENTS_API_URL } from "../../channels/pagerduty";
import { IncidentBook } from "./contracts";
import { OwnStack, applyOwnStack } from "./ownStack";
import { createWorkPool, events, get, post, prefectRequest, workerHeartbeat } from "./prefectApi";
import type { Received } from "./receiver";
import { runFlows } from "./runFlows";
import { E2E_PAGER_DUTY, fakePagerDutyToken } from "./pagerDutyFixture";

/**
 * What a person on call sees (issue 15), counted at the loopback receiver, every channel, zero included: a stack of
 * its own (stack `trust`, tag `trust-e2e`, work pool `e2e-trust-pool` with a deployment) with every signal that
 * opens or resolves incidents sent to a chat channel and to PagerDuty (the receiver plays Events API v2:
 * tests/e2e/contracts.ts IncidentBook).
 *
 * A quiet day: runs that complete, retry then complete, are cancelled by a person, start on time, a pool, queue and
 * deployment becoming ready, a queue paused and resumed -> not one message on any channel, and Prefect records no
 * triggered automation of the stack. A bad day: each real alert once, each resolve once, PagerDuty only (no
 * "Recovered" in chat, which did not opt in), counted per channel.
 */

const { apiUrl } = inject("prefect");
const SETTLE_MS = Number(process.env.E2E_SETTLE_MS ?? 20_000);
const WAIT_MS = 90_000;
const STACK = "trust";
const TAG = "trust-e2e";
const POOL = "e2e-trust-pool";
/** A queue health watches (paused: a warning; not-ready: P1); the pool's default queue is not watched. */
const WATCHED_QUEUE = "e2e-trust-watched";
const DEPLOYMENT = "e2e-trust-dep";
const PATH = { alerts: "/alerts", critical: "/critical", pagerduty: "/pagerduty" } as const;
const ROUTING_KEY = { critical: "e2e-fake-routing-key-trust", p1: "e2e-fake-routing-key-trust-p1" } as const;
/** stuckAfterMinutes 0.25: a 15 s window. Every healthy run here ends well within it. */
const STUCK_MINUTES = 0.25;

const book = new IncidentBook();
let own: OwnStack | undefined;
let pool: { id: string; name: string };
let deployment: { id: string; name: string };
let quietStart: Date;
let poller: ReturnType<typeof setInterval> | undefined;
let heartbeats: ReturnType<typeof setInterval> | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const receiver = () => own!.receiver;
const chat = () => receiver().requests.filter((r) => r.path === PATH.alerts || r.path === PATH.critical);
const pagerEvents = () => receiver().on(PATH.pagerduty);
const said = (r: Received) => `${r.json?.subject ?? ""}\n${r.json?.body ?? ""}`;

/** What a worker does: polls its queues for scheduled runs, which keeps the queues and their deployments READY. */
const poll = () =>
    post(apiUrl, `/work_pools/${POOL}/get_scheduled_flow_runs`, { work_queue_names: ["default", WATCHED_QUEUE] }).catch(() => undefined);
/** A worker heartbeating every 2 s: the pool is READY while they come, NOT_READY after three missed intervals. */
const beat = () => workerHeartbeat(apiUrl, POOL, "e2e-trust-worker", 2).catch(() => undefined);

async function deploymentRun(scheduledInMs = 0): Promise<string> {
    const scheduled = new Date(Date.now() + scheduledInMs).toISOString();
    const run = await post(apiUrl, `/deployments/${deployment.id}/create_flow_run`, {
        state: { type: "SCHEDULED", name: "Scheduled", state_details: { scheduled_time: scheduled } },
    });
    return run.id;
}

/** Moves a run through states as a worker and the engine would (the server orchestrates and emits the events). */
async function setState(runId: string, type: string, name: string): Promise<void> {
    const r = await post(apiUrl, `/flow_runs/${runId}/set_state`, { state: { type, name }, force: false });
    if (r.status !== "ACCEPT") throw new Error(`${name} for ${runId}: ${JSON.stringify(r)}`);
}

async function triggeredOfStack(since: Date): Promise<string[]> {
    const ours = new Map(own!.applied.automations.map((a) => [`prefect.automation.${a.id}`, a.name]));
    return (await events(apiUrl, ["prefect.automation.triggered"], since))
        .filter((e) => ours.has(e.resource["prefect.resource.id"]))
        .map((e) => ours.get(e.resource["prefect.resource.id"])!);
}

beforeAll(async () => {
    // The pool, its queues and the deployment exist before the stack: Prefect emits prefect.work-pool.not-ready when a
    // pool is created (a P1 pool created while a stack watches it pages once; README).
    pool = await createWorkPool(apiUrl, POOL);
    await post(apiUrl, `/work_pools/${POOL}/queues`, { name: WATCHED_QUEUE });
    const flow = await post(apiUrl, "/flows/", { name: "e2e-trust-deployed-flow" });
    deployment = await post(apiUrl, "/deployments/", {
        name: DEPLOYMENT,
        flow_id: flow.id,
        work_pool_name: POOL,
        work_queue_name: "default",
        tags: [TAG],
    });
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(500)) {
        const created = await events(apiUrl, ["prefect.work-pool.not-ready"]);
        if (created.some((e) => e.resource["prefect.resource.id"] === `prefect.work-pool.${pool.id}`)) break;
    }
    own = await applyOwnStack({
        stack: STACK,
        channels: {
            alerts: { type: "webhook", description: "chat: warnings" },
            critical: { type: "webhook", description: "chat: critical and P1" },
            pager: { type: "pagerduty", service: "critical" },
            pagerP1: { type: "pagerduty", service: "p1" },
        },
        routes: { trust: { tags: [TAG] } },
        sections: {
            warning: { enabled: true, channels: ["alerts"] },
            critical: { enabled: true, channels: ["critical", "pager"], threshold: 2, windowHours: 0.1 },
            // Windows longer than this file: their alerts are proven elsewhere (freshness.e2e.ts); here, that
            // completions send no resolve while nothing was alerted (armed resolves stay off).
            p1: { enabled: true, channels: ["critical", "pagerP1"], workPools: [POOL], noSuccessMinutes: 30 },
            freshness: { channels: ["alerts", "pager"], deployments: { [DEPLOYMENT]: { maxAgeHours: 0.5 } } },
            lateRuns: { enabled: true, channels: ["alerts", "pager"], repeatMinutes: 60 },
            stuckRuns: { enabled: true, channels: ["alerts", "pager"], stuckAfterMinutes: STUCK_MINUTES },
            health: { deployments: [DEPLOYMENT], workQueues: [WATCHED_QUEUE], channels: ["alerts"], p1Channels: ["critical", "pagerP1"] },
            pagerDuty: E2E_PAGER_DUTY,
        },
        secrets: fakePagerDutyToken(),
        deliverTo: (url) => ({ [EVENTS_API_URL]: `${url}${PATH.pagerduty}` }),
        outputs: (type, name) =>
            type === "pagerduty:index/serviceIntegration:ServiceIntegration"
                ? { integrationKey: name.startsWith("p1") ? ROUTING_KEY.p1 : ROUTING_KEY.critical }
                : undefined,
    });
    receiver().replies.set(PATH.pagerduty, (r) => book.accept(r.raw, r.at));
    // A worker from here on: it polls (queues and deployment READY) and heartbeats (pool READY).
    await poll();
    await beat();
    poller = setInterval(poll, 5_000);
    heartbeats = setInterval(beat, 2_000);
}, 240_000);

afterAll(async () => {
    if (poller) clearInterval(poller);
    if (heartbeats) clearInterval(heartbeats);
    await own?.cleanup();
    if (deployment) await prefectRequest(apiUrl, "DELETE", `/deployments/${deployment.id}`).catch(() => undefined);
}, 120_000);

describe("trust: what a person on call sees", () => {
    it("plans every signal with its resolves to PagerDuty only: no resolve sends to a chat channel", () => {
        const names = own!.applied.automations.map((a) => a.name).sort();
        expect(names).toEqual(
            [
                "critical-trust",
                "critical-trust-resolve",
                "freshness-deployment-e2e-trust-dep",
                "freshness-deployment-e2e-trust-dep-resolve",
                "health-deployment-not-ready",
                "health-deployment-not-ready-resolve",
                "health-work-queue-not-ready",
                "health-work-queue-not-ready-resolve",
                "health-work-queue-paused",
                "late-runs-resolve-trust",
                "late-runs-trust",
                "p1-no-success-trust",
                "p1-no-success-trust-resolve",
                "p1-work-pool-not-ready",
                "p1-work-pool-not-ready-resolve",
                "stuck-running-trust",
                "warning-trust",
            ].sort(),
        );
        const blocks = new Map(own!.applied.blocks.map((b) => [b.id, b.sent.name as string]));
        for (const a of own!.applied.automations.filter((x) => x.name.endsWith("-resolve"))) {
            const targets = (a.sent.actions as any[])
                .filter((x) => x.type === "send-notification")
                .map((x) => blocks.get(x.block_document_id));
            expect(targets.length, a.name).toBeGreaterThan(0);
            for (const t of targets) expect(t, a.name).toMatch(/^trust-pager/);
        }
    });

    it("a quiet day: dozens of healthy runs, a pool, queues and a deployment ready, a queue paused and resumed: no message", async () => {
        quietStart = new Date();
        // Deployment runs the way a worker runs them: on time, pending then running, completed.
        for (let i = 0; i < 4; i++) {
            const id = await deploymentRun();
            await setState(id, "PENDING", "Pending");
            await setState(id, "RUNNING", "Running");
            await setState(id, "COMPLETED", "Completed");
        }
        // Scheduled a few seconds ahead and started on time (the late-runs service marks Late only 15 s after).
        const onTime = await deploymentRun(3_000);
        await sleep(4_000);
        await setState(onTime, "PENDING", "Pending");
        await setState(onTime, "RUNNING", "Running");
        await setState(onTime, "COMPLETED", "Completed");
        // Cancelled by a person while running.
        const cancelled = await deploymentRun();
        await setState(cancelled, "PENDING", "Pending");
        await setState(cancelled, "RUNNING", "Running");
        await setState(cancelled, "CANCELLING", "Cancelling");
        await setState(cancelled, "CANCELLED", "Cancelled");
        // The pool's default queue paused and resumed by a person (health does not watch it).
        const queues = await post(apiUrl, `/work_pools/${POOL}/queues/filter`, {});
        const byName = new Map((queues as { id: string; name: string }[]).map((q) => [q.name, q.id]));
        await prefectRequest(apiUrl, "PATCH", `/work_pools/${POOL}/queues/default`, { is_paused: true });
        await sleep(2_000);
        await prefectRequest(apiUrl, "PATCH", `/work_pools/${POOL}/queues/default`, { is_paused: false });
        expect(byName.has("default")).toBe(true);
        // Real flow runs on the route: completed, and failed once then completed by their retry.
        const runs = await runFlows(apiUrl, [
            { kind: "succeed", name: "e2e-trust-quiet-ok", tags: [TAG], times: 8 },
            { kind: "flaky", name: "e2e-trust-quiet-flaky", tags: [TAG], times: 4 },
        ]);
        expect(runs.map((r) => r.state)).toEqual(Array(12).fill("Completed"));
        await sleep(SETTLE_MS);

        // The server saw the activity: the ready events and the runs' states.
        const seen = await events(
            apiUrl,
            ["prefect.work-pool.ready", "prefect.deployment.ready", "prefect.flow-run.Completed"],
            quietStart,
        );
        expect(seen.filter((e) => e.event === "prefect.flow-run.Completed").length).toBeGreaterThanOrEqual(17);
        expect(
            (await events(apiUrl, ["prefect.work-pool.ready"])).some(
                (e) => e.resource["prefect.resource.id"] === `prefect.work-pool.${pool.id}`,
            ),
        ).toBe(true);

        // What people saw: nothing, on any channel.
        expect(chat().map(said)).toEqual([]);
        expect(pagerEvents().map((r) => r.raw)).toEqual([]);
        expect(receiver().requests).toHaveLength(0);
        expect(await triggeredOfStack(new Date(0))).toEqual([]);
    });

    it("a bad day: each alert once on its channels, each resolve once on PagerDuty, and no Recovered in chat", async () => {
        const badStart = new Date();
        // (1) A flow failing twice (the critical threshold), then completing; (2) a flow failing once, then completing.
        const repeat = await runFlows(apiUrl, [{ kind: "fail", name: "e2e-trust-bad-repeat", tags: [TAG], times: 2 }]);
        const once = await runFlows(apiUrl, [{ kind: "fail", name: "e2e-trust-bad-once", tags: [TAG] }]);
        const repeatFlow = (await get(apiUrl, `/flow_runs/${repeat[0].flow_run_id}`)).flow_id;
        const onceFlow = (await get(apiUrl, `/flow_runs/${once[0].flow_run_id}`)).flow_id;
        const repeatKey = `prefect/${STACK}/flow/${repeatFlow}`;
        await receiver().waitFor(() => book.withKey(repeatKey), 1, WAIT_MS, "the critical page");
        await runFlows(apiUrl, [
            { kind: "succeed", name: "e2e-trust-bad-repeat", tags: [TAG] },
            { kind: "succeed", name: "e2e-trust-bad-once", tags: [TAG] },
        ]);
        await receiver().waitFor(() => book.withKey(repeatKey).filter((i) => i.status === "resolved"), 1, WAIT_MS, "its resolve");

        // (3) A deployment run nobody starts: Late, then a worker starts it (and it completes).
        const late = await deploymentRun(-60_000);
        const deploymentKey = `prefect/${STACK}/deployment/${deployment.id}`;
        await receiver().waitFor(() => book.withKey(deploymentKey), 1, WAIT_MS, "the late-run page");
        await setState(late, "PENDING", "Pending");
        await setState(late, "RUNNING", "Running");
        await setState(late, "COMPLETED", "Completed");
        await receiver().waitFor(() => book.withKey(deploymentKey).filter((i) => i.status === "resolved"), 1, WAIT_MS, "its resolve");

        // (4) A run stuck in Running past 15 s, then it ends: one alert; no resolve (stuckRuns.resolveWhenEnded is off).
        const stuck = await deploymentRun();
        await setState(stuck, "PENDING", "Pending");
        await setState(stuck, "RUNNING", "Running");
        const stuckKey = `prefect/${STACK}/flow-run/${stuck}`;
        await receiver().waitFor(() => book.withKey(stuckKey), 1, WAIT_MS, "the stuck-run page");
        await setState(stuck, "COMPLETED", "Completed");

        // (5) The pool loses its worker (no heartbeat), then gets one back.
        clearInterval(heartbeats);
        const poolKey = `prefect/${STACK}/work-pool/${pool.id}`;
        await receiver().waitFor(() => book.withKey(poolKey), 1, WAIT_MS, "the P1 page of the pool");
        await beat();
        heartbeats = setInterval(beat, 2_000);
        await receiver().waitFor(() => book.withKey(poolKey).filter((i) => i.status === "resolved"), 1, WAIT_MS, "its resolve");

        // (6) The watched queue paused by a person, then resumed while the worker polls it.
        await prefectRequest(apiUrl, "PATCH", `/work_pools/${POOL}/queues/${WATCHED_QUEUE}`, { is_paused: true });
        await receiver().waitFor(() => receiver().on(PATH.alerts, "was paused"), 1, WAIT_MS, "the paused warning");
        await prefectRequest(apiUrl, "PATCH", `/work_pools/${POOL}/queues/${WATCHED_QUEUE}`, { is_paused: false });
        await poll();
        await sleep(SETTLE_MS);

        // Chat: each alert once, and not one "Recovered".
        const alerts = receiver()
            .on(PATH.alerts)
            .map((r) => r.json?.subject);
        expect(alerts.filter((s) => s?.startsWith("Pipeline failed: e2e-trust-bad-repeat"))).toHaveLength(2);
        expect(alerts.filter((s) => s?.startsWith("Pipeline failed: e2e-trust-bad-once"))).toHaveLength(1);
        expect(alerts.filter((s) => s?.startsWith("Late run:"))).toHaveLength(1);
        expect(alerts.filter((s) => s?.startsWith("Stuck run:"))).toHaveLength(1);
        expect(alerts.filter((s) => s === `Work queue ${WATCHED_QUEUE} was paused`)).toHaveLength(1);
        expect(alerts).toHaveLength(6);
        const critical = receiver()
            .on(PATH.critical)
            .map((r) => r.json?.subject);
        expect(critical).toEqual([`CRITICAL: e2e-trust-bad-repeat failed 2 times within 6 minutes`, `P1: work pool ${POOL} is not ready`]);
        expect(chat().filter((r) => /recovered/i.test(said(r)))).toEqual([]);

        // PagerDuty: four incidents; the failing flow, the late deployment and the pool resolved once each; the stuck run
        // stays open (no resolve on its end unless asked); the once-failed flow's resolve reached no incident.
        const keys = book.incidents.map((i) => [i.dedupKey, i.routingKey, i.status, i.alerts.length]);
        expect(keys).toEqual([
            [repeatKey, ROUTING_KEY.critical, "resolved", 1],
            [deploymentKey, ROUTING_KEY.critical, "resolved", 1],
            [stuckKey, ROUTING_KEY.critical, "triggered", 1],
            [poolKey, ROUTING_KEY.p1, "resolved", 1],
        ]);
        expect(book.ignored.map((e) => [e.json.event_action, e.json.dedup_key])).toEqual([
            ["resolve", `prefect/${STACK}/flow/${onceFlow}`],
        ]);
        expect(pagerEvents()).toHaveLength(4 + 3 + 1);
        expect(book.rejected).toEqual([]);
        // Prefect's own record: exactly these automations fired, each as often as counted above; the armed resolves
        // (silence, stale data), the deployment and queue not-ready alerts and their resolves never did.
        expect((await triggeredOfStack(badStart)).sort()).toEqual(
            [
                "critical-trust",
                "critical-trust-resolve",
                "critical-trust-resolve",
                "health-work-queue-paused",
                "late-runs-resolve-trust",
                "late-runs-trust",
                "p1-work-pool-not-ready",
                "p1-work-pool-not-ready-resolve",
                "stuck-running-trust",
                "warning-trust",
                "warning-trust",
                "warning-trust",
            ].sort(),
        );
    });
});
