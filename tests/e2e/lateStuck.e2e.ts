import { ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Applied } from "./applyToPrefect";
import { OwnStack, applyOwnStack } from "./ownStack";
import { events, flowRun, post } from "./prefectApi";
import { ROOT, prefectEnv } from "./prefectServer";
import { Received, Receiver } from "./receiver";

/**
 * Late and stuck runs on the real server (issue 11, signals 1 and 2): a small
 * stack of its own (tag `late-stuck-e2e`, one webhook channel) with lateRuns
 * and stuckRuns on. (a) Two runs of one deployment scheduled a minute ago, no
 * worker: the server's late-runs service marks both Late, and the per-deployment
 * bucket sends one warning. (b) A flow that keeps Running past a 15 s window:
 * one stuck alert naming the run; a flow that finishes in time: none.
 */

const { url, apiUrl } = inject("prefect");
const STACK = "latestuck";
const TAG = "late-stuck-e2e";
const CHANNEL = "alerts";
const LATE_FLOW = "e2e-late-never-started";
const SLOW_FLOW = "e2e-stuck-sleeps";
const QUICK_FLOW = "e2e-stuck-finishes";
/** stuckAfterMinutes 0.25: a 15 s window, the shortest the config accepts (Prefect refuses a Proactive one under 10 s). */
const STUCK_MINUTES = 0.25;
const SLOW_SECONDS = 50;

let own: OwnStack | undefined;
let receiver: Receiver;
let applied: Applied;
const children: ChildProcess[] = [];
const homes: string[] = [];

/** Runs one flow in the .venv that sleeps `seconds`, tagged TAG; resolves with its run id as soon as it runs, and when it ends. */
function sleepingFlow(name: string, seconds: number): { id: Promise<string>; done: Promise<number | null> } {
    const home = mkdtempSync(join(tmpdir(), "prefect-client-"));
    homes.push(home);
    const code = [
        "import json, sys, time",
        "from prefect import flow, tags",
        "from prefect.runtime import flow_run",
        "@flow(name=sys.argv[1], persist_result=False)",
        "def body(seconds: float) -> str:",
        "    print(json.dumps({'id': str(flow_run.id)}), flush=True)",
        "    time.sleep(seconds)",
        "    return 'ok'",
        "with tags(sys.argv[3]):",
        "    body(float(sys.argv[2]))",
    ].join("\n");
    const child = spawn(join(ROOT, ".venv", "bin", "python"), ["-c", code, name, String(seconds), TAG], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
        env: prefectEnv({ PREFECT_API_URL: apiUrl, PREFECT_HOME: home, PREFECT_LOGGING_LEVEL: "WARNING" }),
    });
    children.push(child);
    let out = "";
    let err = "";
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    const done = new Promise<number | null>((resolve) => child.once("close", resolve));
    const id = new Promise<string>((resolve, reject) => {
        child.stdout!.on("data", (d: Buffer) => {
            out += d.toString();
            const line = out.split("\n").find((l) => l.startsWith("{"));
            if (line) resolve(JSON.parse(line).id);
        });
        done.then((c) => reject(new Error(`flow ${name} exited ${c} before it ran\n${err.slice(-3000)}`)));
    });
    return { id, done };
}

const alerts = (text: string): Received[] => receiver.on(`/${CHANNEL}`, text);

beforeAll(async () => {
    own = await applyOwnStack({
        stack: STACK,
        channels: { [CHANNEL]: { type: "webhook", description: "loopback receiver" } },
        routes: { lateStuck: { tags: [TAG] } },
        sections: {
            lateRuns: { enabled: true, channels: [CHANNEL], repeatMinutes: 60 },
            stuckRuns: { enabled: true, channels: [CHANNEL], stuckAfterMinutes: STUCK_MINUTES },
        },
    });
    ({ receiver, applied } = own);
});

afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.pid) process.kill(c.pid, "SIGKILL");
    for (const h of homes) rmSync(h, { recursive: true, force: true });
    await own?.cleanup();
});

describe("late and stuck runs on the real server", () => {
    it("applies one late-run and one stuck-run automation, as planned", () => {
        expect(applied.automations.map((a) => a.name).sort()).toEqual(["late-runs-lateStuck", "stuck-running-lateStuck"]);
        const stuck = applied.automations.find((a) => a.name === "stuck-running-lateStuck")!.sent.trigger;
        expect(stuck).toMatchObject({ posture: "Proactive", after: ["prefect.flow-run.Running"], for_each: ["prefect.resource.id"] });
        expect(stuck.within).toBe(15);
    });

    it("runs that stay Running past the window alert once each, with the run's link; a run that ends in time does not", async () => {
        // Both flows start now; the late scenario below runs while they do.
        const slow = sleepingFlow(SLOW_FLOW, SLOW_SECONDS);
        const quick = sleepingFlow(QUICK_FLOW, 1);
        const [slowId, quickId] = await Promise.all([slow.id, quick.id]);
        expect(await quick.done).toBe(0);

        // (a) Late: a deployment with no worker, two runs scheduled a minute ago.
        const flow = await post(apiUrl, "/flows/", { name: LATE_FLOW });
        const deployment = await post(apiUrl, "/deployments/", { name: "late-e2e", flow_id: flow.id });
        const scheduled = new Date(Date.now() - 60_000).toISOString();
        const runs = await Promise.all(
            [1, 2].map(() =>
                post(apiUrl, `/deployments/${deployment.id}/create_flow_run`, {
                    tags: [TAG],
                    state: { type: "SCHEDULED", name: "Scheduled", state_details: { scheduled_time: scheduled } },
                }),
            ),
        );
        const [late] = await receiver.waitFor(() => alerts("Late run"), 1, 60_000, `late-run warning for ${LATE_FLOW}`);
        expect(late.json!.subject).toBe(`Late run: ${LATE_FLOW} (late-e2e) has not started`);
        const body = late.json!.body!;
        expect(body).toContain(`*Flow*: ${LATE_FLOW}`);
        expect(body).toContain("*Deployment*: late-e2e");
        const lateRun = runs.find((r) => body.includes(r.id))!;
        expect(lateRun, body).toBeDefined();
        expect(body).toContain(`*Run*: ${lateRun.name} (\`${lateRun.id}\`)`);
        // The scheduled time, as Prefect renders a datetime ("2026-11-30 06:00:00+00:00").
        expect(body).toMatch(new RegExp(`\\*Scheduled for\\*: ${scheduled.slice(0, 10)} ${scheduled.slice(11, 19)}`));
        expect(body).toContain(`<${url}/runs/flow-run/${lateRun.id}|open the flow run in Prefect>`);
        expect(body).toContain("Further late runs of this deployment are not reported for 1 hour.");
        // Both runs went Late (events are stored a moment after they are acted on); the second one added no alert (checked below).
        const wentLate = async () => {
            const late = await events(apiUrl, ["prefect.flow-run.Late"]);
            return runs.filter((r) => late.some((e) => e.resource["prefect.resource.id"] === `prefect.flow-run.${r.id}`));
        };
        for (let i = 0; i < 30 && (await wentLate()).length < runs.length; i++) await new Promise((r) => setTimeout(r, 1000));
        expect((await wentLate()).length).toBe(runs.length);

        // (b) Stuck: the slow run is still Running when its alert arrives.
        const [stuck] = await receiver.waitFor(() => alerts("Stuck run"), 1, 60_000, `stuck-run alert for ${SLOW_FLOW}`);
        expect(stuck.json!.subject).toBe(`Stuck run: ${SLOW_FLOW} still running after 15 seconds`);
        const stuckBody = stuck.json!.body!;
        expect(stuckBody).toContain(`has been Running for more than 15 seconds`);
        expect(stuckBody).toContain(`(\`${slowId}\`)`);
        expect(stuckBody).toMatch(/\*Started\*: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
        expect(stuckBody).toContain(`<${url}/runs/flow-run/${slowId}|open the flow run in Prefect>`);
        expect((await flowRun(apiUrl, slowId)).state.name).toBe("Running");
        // On time: the window opens at the run's own Running event (the bucket starts there) and is judged at its end,
        // plus Prefect's 5 s proactive tick; not a tumbling window fixed when the automation loaded.
        const running = (await events(apiUrl, ["prefect.flow-run.Running"])).find(
            (e) => e.resource["prefect.resource.id"] === `prefect.flow-run.${slowId}`,
        )!;
        const lag = stuck.at - Date.parse(running.occurred) - STUCK_MINUTES * 60_000;
        console.log(`[e2e] stuck-run alert ${(lag / 1000).toFixed(1)} s after its 15 s window ended`);
        expect(lag).toBeGreaterThanOrEqual(-1_000);
        expect(lag).toBeLessThanOrEqual(8_000);

        // Settle: the quick run's window (15 s after it started) is long over, and proactive evaluation has run since.
        await new Promise((r) => setTimeout(r, 15_000));
        expect(alerts("Late run")).toHaveLength(1);
        expect(alerts("Stuck run")).toHaveLength(1);
        expect(receiver.mentioning(quickId)).toEqual([]);
        expect(receiver.mentioning(QUICK_FLOW)).toEqual([]);
        expect((await flowRun(apiUrl, quickId)).state.name).toBe("Completed");
        // The slow run ends by itself (nothing is left Running on the shared server).
        expect(await slow.done).toBe(0);
    });
});
