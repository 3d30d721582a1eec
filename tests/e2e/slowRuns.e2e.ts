import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { EVENTS_API_URL } from "../../channels/pagerduty";
import { PROJECT } from "../../config/load";
import { OwnStack, OwnStackSpec, applyOwnStack, ownStackSettings } from "./ownStack";
import { flowRun, post } from "./prefectApi";
import { ROOT } from "./prefectServer";
import { E2E_PAGER_DUTY, fakePagerDutyToken } from "./pagerDutyFixture";

/**
 * Issue 17, calibrate and slowRuns on the real server: a deployment of its own gets 20 completed runs of about 10 s
 * (concurrent, their states set through the API as they happen, so the server records real durations and
 * total_run_time), `npm run calibrate` reads them back into thresholds/<stack>.json (a temporary folder here, via
 * PREFECT_ALERTING_THRESHOLDS_DIR), the program is applied with slowRuns on, and then: one run of about 60 s gets
 * exactly one slow-run message; three runs of about 10 s, within the limit, get none.
 */

const { apiUrl } = inject("prefect");
const STACK = "slowruns";
const FLOW = "e2e-slow-runs";
const DEPLOYMENT = "hourly";
const CHANNEL = "alerts";
const SEEDED = 20;
const USUAL_SECONDS = 10;
const SLOW_SECONDS = 60;

const SPEC: OwnStackSpec = {
    stack: STACK,
    channels: { [CHANNEL]: { type: "webhook", description: "loopback receiver" } },
    routes: { slow: { flows: [FLOW] } },
    sections: { slowRuns: { enabled: true, channels: [CHANNEL] } },
};

/**
 * The stack as applied: SPEC, with the alert also paging PagerDuty and `resolveWhenEnded` on, so that the slow run's
 * incident is resolved when it ends (one resolve automation for the section; every watched run that ends sends one).
 */
const PAGER_PATH = "/pagerduty";
const PAGED_SPEC: OwnStackSpec = {
    ...SPEC,
    channels: { ...SPEC.channels, pager: { type: "pagerduty", service: "critical" } },
    sections: {
        slowRuns: { enabled: true, channels: [CHANNEL, "pager"], resolveWhenEnded: true },
        pagerDuty: E2E_PAGER_DUTY,
    },
};

const dir = mkdtempSync(join(tmpdir(), "slowruns-e2e-"));
const thresholdsDir = join(dir, "thresholds");
const savedDir = process.env.PREFECT_ALERTING_THRESHOLDS_DIR;
let deploymentId: string;
/** The median duration calibrate wrote (seconds), for the message's figures. */
let median: number;
let own: OwnStack | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function setState(id: string, type: string): Promise<void> {
    const r = await post(apiUrl, `/flow_runs/${id}/set_state`, { state: { type }, force: false });
    if (r.status !== "ACCEPT") throw new Error(`${type} for run ${id}: ${r.status} (${JSON.stringify(r.details)})`);
}

/** API calls one at a time: a burst of concurrent writes makes a SQLite server drop connections. */
let queue: Promise<unknown> = Promise.resolve();
function serial<T>(call: () => Promise<T>): Promise<T> {
    const next = queue.then(call, call);
    queue = next.catch(() => undefined);
    return next;
}

/** One run of the deployment, Running for `seconds` then Completed, its states set as they happen; resolves with its id once Running. */
async function runFor(seconds: number, deployment = deploymentId): Promise<{ id: string; done: Promise<void> }> {
    const run = await serial(() => post(apiUrl, `/deployments/${deployment}/create_flow_run`, {}));
    await serial(() => setState(run.id, "PENDING"));
    await serial(() => setState(run.id, "RUNNING"));
    return { id: run.id, done: sleep(seconds * 1000).then(() => serial(() => setState(run.id, "COMPLETED"))) };
}

/** `npm run calibrate` on a stack file of `spec`, as a user runs it; returns its output and the file it wrote. */
async function calibrate(spec: OwnStackSpec): Promise<{ stdout: string; written: string; file: any }> {
    const stackFile = join(dir, `Pulumi.${spec.stack}.yaml`);
    const config: Record<string, unknown> = { "prefect:endpoint": apiUrl, [`${PROJECT}:environment`]: "development" };
    for (const [key, value] of Object.entries(ownStackSettings(spec))) config[`${PROJECT}:${key}`] = value;
    writeFileSync(stackFile, stringify({ config }));
    const env = { ...process.env };
    delete env.PREFECT_API_URL;
    const { stdout } = await promisify(execFile)(
        join(ROOT, "node_modules", ".bin", "tsx"),
        [join(ROOT, "cli", "index.ts"), "calibrate", stackFile, "--runs", "30"],
        { cwd: ROOT, env, timeout: 120_000 },
    );
    const written = join(thresholdsDir, `${spec.stack}.json`);
    return { stdout, written, file: JSON.parse(readFileSync(written, "utf8")) };
}

beforeAll(async () => {
    // The program (applied in-process below) and the calibrate command read and write the thresholds here.
    process.env.PREFECT_ALERTING_THRESHOLDS_DIR = thresholdsDir;
    const flow = await post(apiUrl, "/flows/", { name: FLOW });
    deploymentId = (await post(apiUrl, "/deployments/", { name: DEPLOYMENT, flow_id: flow.id })).id;
});

afterAll(async () => {
    await own?.cleanup();
    if (savedDir === undefined) delete process.env.PREFECT_ALERTING_THRESHOLDS_DIR;
    else process.env.PREFECT_ALERTING_THRESHOLDS_DIR = savedDir;
    rmSync(dir, { recursive: true, force: true });
});

describe("calibrate and slowRuns on the real server", () => {
    it("calibrates the deployment from 20 completed runs of about 10 s: median about 10 s, limit 30 s", async () => {
        const runs = await Promise.all(Array.from({ length: SEEDED }, () => runFor(USUAL_SECONDS)));
        await Promise.all(runs.map((r) => r.done));

        const { stdout, written, file } = await calibrate(SPEC);
        expect(stdout).toContain(`written to ${written}`);
        expect(Object.keys(file.deployments)).toEqual([`${FLOW}/${DEPLOYMENT}`]);
        const d = file.deployments[`${FLOW}/${DEPLOYMENT}`];
        expect(d).toMatchObject({ flow: FLOW, deployment: DEPLOYMENT, deploymentId, routes: ["slow"], runs: SEEDED });
        expect(d.duration.medianSeconds).toBeGreaterThanOrEqual(USUAL_SECONDS);
        expect(d.duration.medianSeconds).toBeLessThan(USUAL_SECONDS + 3);
        expect(d.duration).toMatchObject({ limitSeconds: 30, limitFrom: "floor" });
        median = d.duration.medianSeconds;
        expect(d.lateness.medianSeconds).toBeLessThan(5);
        expect(file.rule).toMatchObject({ minRuns: 10, runsRead: 30 });
        console.log(`[e2e] calibrated ${FLOW}/${DEPLOYMENT}: ${JSON.stringify(d.duration)}`);
    }, 300_000);

    it("a 60 s run alerts and pages once past its calibrated limit, and its end resolves the incident; 10 s runs: nothing", async () => {
        own = await applyOwnStack({
            ...PAGED_SPEC,
            secrets: fakePagerDutyToken(),
            deliverTo: (url) => ({ [EVENTS_API_URL]: `${url}${PAGER_PATH}` }),
            outputs: (type) =>
                type === "pagerduty:index/serviceIntegration:ServiceIntegration"
                    ? { integrationKey: "e2e-fake-routing-key-slowruns" }
                    : undefined,
        });
        const { receiver, applied } = own;
        expect(applied.automations.map((a) => a.name).sort()).toEqual([`slow-run-resolve`, `slow-runs-${FLOW}-${DEPLOYMENT}`]);
        expect(applied.automations.find((a) => a.name.startsWith("slow-runs-"))!.sent.trigger).toMatchObject({
            posture: "Proactive",
            after: ["prefect.flow-run.Running"],
            for_each: ["prefect.resource.id"],
            within: 30,
        });

        const slow = await runFor(SLOW_SECONDS);
        const quick = await Promise.all([1, 2, 3].map(() => runFor(USUAL_SECONDS)));
        const [alert] = await receiver.waitFor(() => receiver.on(`/${CHANNEL}`), 1, 90_000, "the slow-run alert");
        // 30 s over a median of about 10 s: "3×" (or "2.9×" for a median of 10.2 s), with the file's own figures.
        const times = `${Number((30 / median).toFixed(1))}×`;
        expect(alert.json!.subject).toBe(`Slow run: ${FLOW} (${DEPLOYMENT}) has run ${times} its usual time`);
        expect(alert.json!.body).toContain(`has run ${times} its usual time (median ${median} seconds, limit 30 seconds over 20 runs)`);
        expect(alert.json!.body).toContain(`(\`${slow.id}\`)`);
        expect((await flowRun(apiUrl, slow.id)).state.name).toBe("Running");

        // Every run ends, and the proactive loop (every ~5 s) has judged each quick run's window long after it closed.
        await Promise.all([slow.done, ...quick.map((q) => q.done)]);
        await sleep(15_000);
        expect(receiver.on(`/${CHANNEL}`)).toHaveLength(1);
        for (const q of quick) expect(receiver.on(`/${CHANNEL}`, q.id)).toEqual([]);
        // PagerDuty: one incident opened for the slow run, and resolved when it ended. The quick runs' ends send a
        // resolve each too (Prefect cannot tell them from the slow one); PagerDuty drops a resolve it never opened.
        const pages = receiver.on(PAGER_PATH).map((r) => ({ action: r.json?.event_action, key: String(r.json?.dedup_key) }));
        const triggers = pages.filter((p) => p.action === "trigger");
        expect(triggers).toHaveLength(1);
        expect(triggers[0].key).toContain(slow.id);
        const resolves = pages.filter((p) => p.action === "resolve");
        expect(resolves).toHaveLength(1 + quick.length);
        expect(resolves.filter((p) => p.key === triggers[0].key)).toHaveLength(1);
        for (const q of quick) expect(resolves.filter((p) => p.key.includes(q.id))).toHaveLength(1);
        expect(receiver.requests).toHaveLength(1 + 1 + 1 + quick.length);
    }, 300_000);
});

/**
 * Issue 17, calibrated freshness on the real server (freshness.calibrated). Deployment `steady` (tagged
 * owner:team-a) completes a run every GAP_S seconds, 11 times; `sparse` completes twice (too few to calibrate).
 * calibrate proposes for `steady` 1.5 × its longest gap, used as whole 5 s ticks (20 s for gaps of 10 to 13.3 s), and
 * records its owner; the program gives it its own stale-data automation, sent to team-a's channel, while `sparse`
 * keeps its fixed entry (180 s, its own channel). Both complete once more, then nothing: exactly one alert, to
 * team-a's channel, one calibrated window after that completion (+ the 5 s tick); none for `sparse`, none to the
 * section's channel, and no second alert within a further window (a reminder comes two windows later).
 */
const FRESH = {
    stack: "calfresh",
    flow: "e2e-calibrated-fresh",
    gapSeconds: 10,
    seeded: 11,
    fixedHours: 0.05,
    path: { team: "/team", fixed: "/fixed", section: "/alerts" },
} as const;
const FRESH_SPEC: OwnStackSpec = {
    stack: FRESH.stack,
    channels: {
        alerts: { type: "webhook", description: "the section's channel" },
        team: { type: "webhook", description: "team-a's channel" },
        fixed: { type: "webhook", description: "the fixed entry's channel" },
    },
    routes: { fresh: { flows: [FRESH.flow] } },
    sections: {
        owners: { "team-a": { channels: ["team"] } },
        freshness: {
            calibrated: true,
            channels: ["alerts"],
            deployments: { sparse: { maxAgeHours: FRESH.fixedHours, channels: ["fixed"] } },
        },
    },
};
let steadyId: string;
let sparseId: string;
/** The window calibrate proposed for `steady`, as the program uses it (seconds). */
let windowSeconds: number;
let fresh: OwnStack | undefined;

afterAll(async () => {
    await fresh?.cleanup();
});

/** A run of `deployment` that goes Pending, Running and Completed at once; resolves once it is Completed. */
async function complete(deployment: string): Promise<string> {
    const r = await runFor(0, deployment);
    await r.done;
    return r.id;
}

describe("calibrated freshness on the real server", () => {
    it("calibrates steady (owner team-a, window from its gaps) and leaves sparse on the fixed values", async () => {
        const flow = await post(apiUrl, "/flows/", { name: FRESH.flow });
        steadyId = (await post(apiUrl, "/deployments/", { name: "steady", flow_id: flow.id, tags: ["owner:team-a"] })).id;
        sparseId = (await post(apiUrl, "/deployments/", { name: "sparse", flow_id: flow.id })).id;
        for (let i = 0; i < FRESH.seeded; i++) {
            const started = Date.now();
            await complete(steadyId);
            if (i < 2) await complete(sparseId);
            if (i < FRESH.seeded - 1) await sleep(started + FRESH.gapSeconds * 1000 - Date.now());
        }
        const { file } = await calibrate(FRESH_SPEC);
        const steady = file.deployments[`${FRESH.flow}/steady`];
        expect(steady).toMatchObject({ owner: "team-a", runs: FRESH.seeded });
        expect(steady.freshness.maxGapSeconds).toBeGreaterThanOrEqual(FRESH.gapSeconds - 1);
        expect(file.deployments[`${FRESH.flow}/sparse`]).toMatchObject({ runs: 2 });
        expect(file.deployments[`${FRESH.flow}/sparse`].duration).toBeUndefined();
        windowSeconds = Math.max(10, Math.ceil(steady.freshness.proposedWindowSeconds / 5) * 5);
        console.log(`[e2e] calibrated ${FRESH.flow}/steady: ${JSON.stringify(steady.freshness)}; window ${windowSeconds} s`);
    }, 300_000);

    it("the calibrated deployment alerts its owner once, one window after its last completion; the fixed one stays quiet", async () => {
        fresh = await applyOwnStack(FRESH_SPEC);
        const { receiver, applied } = fresh;
        expect(applied.automations.map((a) => a.name).sort()).toEqual([
            `freshness-calibrated-${FRESH.flow}-steady`,
            "freshness-deployment-sparse",
        ]);
        const byName = (n: string) => applied.automations.find((a) => a.name === n)!.sent.trigger;
        expect(byName(`freshness-calibrated-${FRESH.flow}-steady`)).toMatchObject({ posture: "Proactive", within: windowSeconds });
        expect(byName("freshness-deployment-sparse")).toMatchObject({ posture: "Proactive", within: FRESH.fixedHours * 3600 });

        // Both complete once more (each completion opens a window at itself), then nothing completes.
        await complete(sparseId);
        await complete(steadyId);
        const t0 = Date.now();
        const [alert] = await receiver.waitFor(
            () => receiver.on(FRESH.path.team),
            1,
            windowSeconds * 1000 + 60_000,
            "the stale-data alert",
        );
        const lag = (Date.now() - t0) / 1000;
        console.log(`[e2e] calibrated stale-data alert ${lag.toFixed(2)} s after the last completion (window ${windowSeconds} s)`);
        expect(alert.json!.subject).toBe(`Stale data: no Completed run of deployment ${FRESH.flow}/steady for ${windowSeconds} seconds`);

        // A further window: no second alert (a reminder comes two windows after the alert), and the fixed 180 s
        // window of sparse, opened with steady's, has not ended.
        await sleep(windowSeconds * 1000);
        expect(receiver.on(FRESH.path.team)).toHaveLength(1);
        expect(receiver.on(FRESH.path.fixed)).toHaveLength(0);
        expect(receiver.on(FRESH.path.section)).toHaveLength(0);
        expect(receiver.requests).toHaveLength(1);
    }, 300_000);
});

/**
 * Issue 17, calibrated lateness on the real server (lateRuns.calibrated; the server marks a run Late 15 s after its
 * expected start, tests/e2e/prefectServer.ts). Deployment `usual` (tagged owner:team-b) has 10 completed runs that
 * started about LATE_S late; `other` has 2 (too few to calibrate); a second flow has a deployment also named `usual`,
 * never run (names are unique per flow only). calibrate proposes for `usual` 1.5 × its latest start in 5 s ticks and
 * records its id; the program gives it a Proactive automation to team-b's channel and the route's late-run automation
 * skips it by that id. Then, with no worker, one run of each deployment is scheduled a moment ago, and a second run of
 * `usual` starts soon after it was marked Late: exactly two messages to /alerts (the route's, for `other` and for the
 * other flow's `usual`), exactly one to /team (the calibrated one, for the run that never started), none for the run
 * that started in time.
 */
const LATE = { stack: "callate", flow: "e2e-calibrated-late", twinFlow: "e2e-calibrated-late-twin", lateSeconds: 10, seeded: 10 } as const;
const LATE_SPEC: OwnStackSpec = {
    stack: LATE.stack,
    channels: {
        alerts: { type: "webhook", description: "the section's channel" },
        team: { type: "webhook", description: "team-b's channel" },
    },
    routes: { late: { flows: [LATE.flow, LATE.twinFlow] } },
    sections: {
        owners: { "team-b": { channels: ["team"] } },
        lateRuns: { enabled: true, calibrated: true, channels: ["alerts"] },
    },
};
let usualId: string;
let otherId: string;
/** The other flow's deployment named `usual`, never calibrated. */
let twinId: string;
let withinSeconds: number;
let late: OwnStack | undefined;

afterAll(async () => {
    await late?.cleanup();
});

/** A run of `deployment` scheduled `ago` seconds ago (no worker will start it). */
async function scheduled(deployment: string, ago: number): Promise<string> {
    const at = new Date(Date.now() - ago * 1000).toISOString();
    const run = await serial(() =>
        post(apiUrl, `/deployments/${deployment}/create_flow_run`, {
            state: { type: "SCHEDULED", name: "Scheduled", state_details: { scheduled_time: at } },
        }),
    );
    return run.id;
}

/** Starts and completes a run at once (Pending, Running, Completed). */
async function startAndComplete(id: string): Promise<void> {
    for (const type of ["PENDING", "RUNNING", "COMPLETED"]) await serial(() => setState(id, type));
}

describe("calibrated lateness on the real server", () => {
    it("calibrates usual (owner team-b, its runs about 10 s late) and leaves other on the fixed values", async () => {
        const flow = await post(apiUrl, "/flows/", { name: LATE.flow });
        usualId = (await post(apiUrl, "/deployments/", { name: "usual", flow_id: flow.id, tags: ["owner:team-b"] })).id;
        otherId = (await post(apiUrl, "/deployments/", { name: "other", flow_id: flow.id })).id;
        const twinFlow = await post(apiUrl, "/flows/", { name: LATE.twinFlow });
        twinId = (await post(apiUrl, "/deployments/", { name: "usual", flow_id: twinFlow.id })).id;
        // Scheduled LATE_S ago, under the server's 15 s: started before the late-runs service marks them Late.
        for (let i = 0; i < LATE.seeded; i++) await startAndComplete(await scheduled(usualId, LATE.lateSeconds));
        for (let i = 0; i < 2; i++) await startAndComplete(await scheduled(otherId, LATE.lateSeconds));
        const { file } = await calibrate(LATE_SPEC);
        const usual = file.deployments[`${LATE.flow}/usual`];
        expect(usual).toMatchObject({ owner: "team-b", runs: LATE.seeded, deploymentId: usualId });
        expect(file.deployments[`${LATE.twinFlow}/usual`]).toMatchObject({ deploymentId: twinId });
        expect(file.deployments[`${LATE.twinFlow}/usual`].duration).toBeUndefined();
        expect(usual.lateness.maxSeconds).toBeGreaterThanOrEqual(LATE.lateSeconds);
        expect(usual.lateness.maxSeconds).toBeLessThan(15);
        expect(file.deployments[`${LATE.flow}/other`].duration).toBeUndefined();
        withinSeconds = Math.max(10, Math.ceil((1.5 * usual.lateness.maxSeconds) / 5) * 5);
        console.log(`[e2e] calibrated ${LATE.flow}/usual: ${JSON.stringify(usual.lateness)}; alert ${withinSeconds} s after the Late mark`);
    }, 300_000);

    it("a run Late past the calibrated limit alerts its owner once; the route alerts the others, the same-named one too", async () => {
        late = await applyOwnStack(LATE_SPEC);
        const { receiver, applied } = late;
        const names = applied.automations.map((a) => a.name).sort();
        expect(names).toEqual([`late-runs-calibrated-${LATE.flow}-usual`, "late-runs-late", "late-runs-owner-team-b"]);
        const trigger = (n: string) => applied.automations.find((a) => a.name === n)!.sent.trigger;
        expect(trigger(`late-runs-calibrated-${LATE.flow}-usual`)).toMatchObject({
            posture: "Proactive",
            after: ["prefect.flow-run.Late"],
            within: withinSeconds,
        });
        // The route skips the calibrated deployment by its id, not by its name (which the other flow's shares).
        expect(trigger("late-runs-late").match_related).toContainEqual({
            "prefect.resource.role": "deployment",
            "prefect.resource.id": `!prefect.deployment.${usualId}`,
        });

        const never = await scheduled(usualId, 1);
        const inTime = await scheduled(usualId, 1);
        const otherRun = await scheduled(otherId, 1);
        const twinRun = await scheduled(twinId, 1);
        // The in-time run starts once it is Late, well within the limit.
        for (let i = 0; i < 60 && (await flowRun(apiUrl, inTime)).state.name !== "Late"; i++) await sleep(1000);
        expect((await flowRun(apiUrl, inTime)).state.name).toBe("Late");
        await startAndComplete(inTime);

        const [alert] = await receiver.waitFor(() => receiver.on("/team"), 1, (withinSeconds + 60) * 1000, "the later-than-usual alert");
        expect(alert.json!.subject).toBe(`Late run: ${LATE.flow} (usual) is later than usual`);
        expect(alert.json!.body).toContain(`(\`${never}\`)`);
        await receiver.waitFor(() => receiver.on("/alerts"), 2, 60_000, "the route's two late-run alerts");
        // The in-time run's window closed long ago; the proactive loop (every ~5 s) has judged it.
        await sleep(15_000);
        expect(receiver.on("/team")).toHaveLength(1);
        expect(receiver.on("/alerts")).toHaveLength(2);
        expect(receiver.mentioning(otherRun).map((m) => m.path)).toEqual(["/alerts"]);
        // The other flow's `usual`: its Late alert still comes, from the route (a skip by name silenced it).
        expect(receiver.mentioning(twinRun).map((m) => m.path)).toEqual(["/alerts"]);
        expect(receiver.mentioning(never).map((m) => m.path)).toEqual(["/team"]);
        expect(receiver.mentioning(inTime)).toEqual([]);
        expect(receiver.requests).toHaveLength(3);
    }, 300_000);
});
