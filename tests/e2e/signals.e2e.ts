import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Applied } from "./applyToPrefect";
import { OwnStack, applyOwnStack } from "./ownStack";
import { createWorkPool, events, prefectRequest } from "./prefectApi";
import { ROOT, prefectEnv } from "./prefectServer";
import { Receiver } from "./receiver";
import { runFlows } from "./runFlows";

/**
 * Stale data, data-quality events and work-pool health on the real server (issue 11, signals 3, 4 and 6): a stack
 * of its own (stack `signals`, tag `dq-e2e`, one webhook channel per signal) and names no other scenario uses.
 * (a) A freshness entry with a 14 s window for a flow that never runs: one alert; an entry with a 24 s window whose
 * flow completes inside its first window: none when that window ends (checked before the next one could end).
 * (b) A real flow that loads zero rows and emits `e2e.table.empty` with `prefect.events.emit_event`: one
 * data-quality alert showing the payload fields; the same flow emitting another name, and one loading rows (no
 * event): none. (c) A work pool paused through the REST API: one warning.
 */

const { url, apiUrl } = inject("prefect");
const STACK = "signals";
const TAG = "dq-e2e";
const NEVER = "e2e-fresh-never-completes";
const COMPLETES = "e2e-fresh-completes";
const DQ_FLOW = "e2e-dq-orders-load";
const DQ_EVENT = "e2e.table.empty";
const POOL = "e2e-signals-pool";
/** 0.004 h is 14.4 s (the automation's window: 14 s); 0.0067 h is 24.12 s (24 s). */
const NEVER_HOURS = 0.004;
const COMPLETES_HOURS = 0.0067;
const COMPLETES_WINDOW_MS = 24_000;

let own: OwnStack | undefined;
let receiver: Receiver;
let applied: Applied;
let appliedAt: number;
const id = (key: string) => applied.automations.find((a) => a.name === key)!.id;
const deleted = new Set<string>();

async function deleteAutomation(automationId: string): Promise<void> {
    if (deleted.has(automationId)) return;
    deleted.add(automationId);
    await prefectRequest(apiUrl, "DELETE", `/automations/${automationId}`);
}

/** Runs tests/e2e/signalFlows.py in the .venv; one result line per item. */
async function signalFlows(
    items: Record<string, unknown>[],
): Promise<{ name: string; flow_run_id: string; state: string; event_id: string | null }[]> {
    const home = mkdtempSync(join(tmpdir(), "prefect-client-"));
    try {
        const child = spawn(join(ROOT, ".venv", "bin", "python"), [join(ROOT, "tests", "e2e", "signalFlows.py"), JSON.stringify(items)], {
            cwd: ROOT,
            stdio: ["ignore", "pipe", "pipe"],
            env: prefectEnv({ PREFECT_API_URL: apiUrl, PREFECT_HOME: home, PREFECT_LOGGING_LEVEL: "WARNING" }),
        });
        let out = "";
        let err = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (err += d.toString()));
        const code = await new Promise<number | null>((resolve, reject) => {
            child.once("error", reject);
            child.once("close", resolve);
        });
        if (code !== 0) throw new Error(`signalFlows.py exited ${code}\n${err.slice(-4000)}`);
        return out
            .split("\n")
            .filter((l) => l.startsWith("{"))
            .map((l) => JSON.parse(l));
    } finally {
        rmSync(home, { recursive: true, force: true });
    }
}

beforeAll(async () => {
    await createWorkPool(apiUrl, POOL);
    own = await applyOwnStack({
        stack: STACK,
        channels: {
            fresh: { type: "webhook", description: "loopback receiver for stale-data alerts" },
            quality: { type: "webhook", description: "loopback receiver for data-quality alerts" },
            health: { type: "webhook", description: "loopback receiver for health alerts" },
        },
        routes: { dq: { tags: [TAG] } },
        sections: {
            freshness: {
                channels: ["fresh"],
                flows: { [NEVER]: { maxAgeHours: NEVER_HOURS }, [COMPLETES]: { maxAgeHours: COMPLETES_HOURS } },
            },
            dataQuality: {
                events: [DQ_EVENT],
                resourcePrefix: "acme.table.",
                routes: ["dq"],
                channels: ["quality"],
                fields: ["rows_loaded", "table"],
            },
            health: { workPools: [POOL], channels: ["health"] },
        },
    });
    ({ receiver, applied } = own);
    appliedAt = Date.now();
}, 120_000);

afterAll(async () => {
    // Their windows keep rolling: cleanup removes them, so nothing fires into a closed receiver while later files run.
    await own?.cleanup();
});

describe("stale data, data-quality events and a paused work pool on the real server", () => {
    it("applies one automation per freshness entry, one data-quality automation for the route, one for the pool", () => {
        expect(applied.automations.map((a) => a.name).sort()).toEqual([
            "data-quality-dq",
            "freshness-flow-e2e-fresh-completes",
            "freshness-flow-e2e-fresh-never-completes",
            "health-work-pool-paused",
        ]);
        const never = applied.automations.find((a) => a.name === "freshness-flow-e2e-fresh-never-completes")!.sent;
        // Each completion opens a window at itself (alert/triggers.ts silenceAfterLastCompletion).
        expect(never.trigger).toMatchObject({
            posture: "Proactive",
            within: 14,
            for_each: [],
            after: ["prefect.flow-run.Completed"],
            expect: ["prefect.flow-run.Completed"],
        });
        const completes = applied.automations.find((a) => a.name === "freshness-flow-e2e-fresh-completes")!.sent;
        expect(completes.trigger.within * 1000).toBe(COMPLETES_WINDOW_MS);
    });

    it("one alert each: the flow that never completed, the zero-rows event, the paused pool; none for the rest", async () => {
        const completesStarted = Date.now();
        const [completed, flows] = await Promise.all([
            runFlows(apiUrl, [{ kind: "succeed", name: COMPLETES, tags: [TAG] }]).then((r) => {
                // Well inside its first window, which opened no earlier than the automation was created.
                expect(Date.now() - appliedAt).toBeLessThan(COMPLETES_WINDOW_MS - 4_000);
                return r;
            }),
            signalFlows([
                { name: DQ_FLOW, tags: [TAG], event: DQ_EVENT, table: "orders", rows: 0 },
                { name: DQ_FLOW, tags: [TAG], event: "e2e.table.refreshed", table: "orders", rows: 0 },
                { name: DQ_FLOW, tags: [TAG], event: DQ_EVENT, table: "customers", rows: 5 },
            ]),
            prefectRequest(apiUrl, "PATCH", `/work_pools/${POOL}`, { is_paused: true }),
        ]);
        expect(completed.map((r) => r.state)).toEqual(["Completed"]);
        expect(flows.map((r) => [r.state, r.event_id !== null])).toEqual([
            ["Completed", true],
            ["Completed", true],
            ["Completed", false],
        ]);

        // (a) Stale data: one alert once the 14 s window passed with no Completed run; then the automation goes,
        // before its next window could fire again.
        const [stale] = await receiver.waitFor(() => receiver.on("/fresh"), 1, 60_000, `stale-data alert for ${NEVER}`);
        await deleteAutomation(id("freshness-flow-e2e-fresh-never-completes"));
        expect(stale.at - appliedAt).toBeGreaterThanOrEqual(14_000 - 3_000);
        expect(stale.json?.subject).toBe(`Stale data: no Completed run of flow ${NEVER} for 14 seconds`);
        // Never completed: the window was opened by the server itself, so no run is named.
        expect(stale.json?.body).toContain("No Completed run since this alert was set up or last fired.");

        // (b) Data quality: the event's resource and its payload fields, the run that emitted it.
        const [dq] = await receiver.waitFor(() => receiver.on("/quality"), 1, 60_000, "data-quality alert");
        expect(dq.json?.subject).toBe(`Data quality: ${DQ_EVENT} (acme.table.orders)`);
        expect(dq.json?.body).toContain("*Resource*: acme.table.orders");
        expect(dq.json?.body).toContain("*rows_loaded*: 0");
        expect(dq.json?.body).toContain("*table*: orders");
        expect(dq.json?.body).toContain(`*Emitted by*: ${DQ_FLOW}, run `);
        expect(dq.json?.body).toContain(`<${url}/runs/flow-run/${flows[0].flow_run_id}|open the flow run in Prefect>`);

        // (c) The paused pool.
        const [paused] = await receiver.waitFor(() => receiver.on("/health"), 1, 60_000, "work pool paused warning");
        expect(paused.json?.subject).toBe(`Work pool ${POOL} was paused`);

        // The completed entry: its completion closed the window it fell in and opened one of 24 s at itself, which
        // cannot have ended before completesStarted + 24 s: no alert until then (its timing after that is proven in
        // freshness.e2e.ts). Then it goes.
        const beforeItsWindowEnds = completesStarted + COMPLETES_WINDOW_MS - 2_000;
        await new Promise((r) => setTimeout(r, Math.max(0, beforeItsWindowEnds - Date.now())));
        expect(receiver.on("/fresh", COMPLETES)).toEqual([]);
        await deleteAutomation(id("freshness-flow-e2e-fresh-completes"));
        expect(receiver.on("/fresh")).toHaveLength(1);
        expect(receiver.on("/quality")).toHaveLength(1);
        expect(receiver.on("/quality", "e2e.table.refreshed")).toEqual([]);
        expect(receiver.on("/health")).toHaveLength(1);
    }, 150_000);

    it("the emitted events carry the run's tag as a related resource, and no action failed", async () => {
        const emitted = (await events(apiUrl, [DQ_EVENT, "e2e.table.refreshed"])).filter((e) =>
            e.related.some((r) => r["prefect.resource.id"] === `prefect.tag.${TAG}`),
        );
        expect(emitted.map((e) => e.event).sort()).toEqual([DQ_EVENT, "e2e.table.refreshed"]);
        for (const e of emitted)
            expect(e.related.map((r) => r["prefect.resource.role"])).toEqual(expect.arrayContaining(["flow-run", "flow", "tag"]));
        const ours = new Set(applied.automations.map((a) => `prefect.automation.${a.id}`));
        const about = (e: { related: Record<string, string>[]; resource: Record<string, string> }) =>
            ours.has(e.resource["prefect.resource.id"]) || e.related.some((r) => ours.has(r["prefect.resource.id"]));
        expect((await events(apiUrl, ["prefect.automation.action.failed"])).filter(about)).toEqual([]);
    });
});
