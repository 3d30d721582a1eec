import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { WEBHOOK_URL_SECRET } from "../../channels/webhook";
import { PROJECT } from "../../config/load";
import { Applied, applyToPrefect } from "./applyToPrefect";
import { HeartbeatMonitor } from "./heartbeatMonitor";
import { ownStackSettings } from "./ownStack";
import { get } from "./prefectApi";
import { PrefectServer, startPrefectServer } from "./prefectServer";

/**
 * The watchdog on a real Prefect server that stops and starts again (issue 15): its own server (the suite's
 * shared one is never stopped), its own PREFECT_HOME and SQLite database kept across the restart, a stack with
 * only the watchdog on, pinging a loopback stub heartbeat monitor every 15 s.
 *
 * Bounds come from Prefect itself: a Proactive automation is evaluated every 5 s
 * (`server.events.proactive_granularity`), and each firing opens the next window, so a ping follows the one
 * before by W to W + 5 s, plus the time the actions service takes to send (DELIVERY_SLACK_S either way).
 */

const STACK = "watchdog";
const INTERVAL_MINUTES = 0.25;
const W = INTERVAL_MINUTES * 60;
const TICK_S = 5;
const DELIVERY_SLACK_S = 2;
/** The monitor's grace: one tick and the delivery slack past W, so a healthy server never looks down. */
const GRACE_S = TICK_S + DELIVERY_SLACK_S + 3;
/** How long the test watches the pings before stopping the server. */
const SPAN_S = 4 * W;

const home = mkdtempSync(join(tmpdir(), "prefect-e2e-watchdog-"));
let server: PrefectServer | undefined;
let monitor: HeartbeatMonitor;
let applied: Applied;
let firstPing = 0;
let stoppedAt = 0;
let restartedAt = 0;

const gapsOf = (times: number[]) => times.slice(1).map((t, i) => (t - times[i]) / 1000);
const pingsBetween = (from: number, to: number) => monitor.pings().filter((t) => t > from && t <= to);

beforeAll(async () => {
    monitor = await HeartbeatMonitor.start(W * 1000, GRACE_S * 1000);
    server = await startPrefectServer({ label: "watchdog", home });
    // The program's modules hold per-run state (Pulumi's runtime): a fresh copy for this apply.
    vi.resetModules();
    const settings = ownStackSettings({
        stack: STACK,
        channels: { heartbeat: { type: "heartbeat", description: "loopback stub heartbeat monitor" } },
        routes: { dlt: { tags: ["dlt"] } },
        sections: { watchdog: { enabled: true, channel: "heartbeat", intervalMinutes: INTERVAL_MINUTES } },
    });
    applied = await applyToPrefect({
        api: server.apiUrl,
        receiverUrl: monitor.url,
        stack: STACK,
        file: "local",
        edit: Object.fromEntries(Object.entries(settings).map(([key, value]) => [key, () => value])),
        secrets: { [`${PROJECT}:heartbeatWebhookUrl`]: monitor.pingUrl },
    });
}, 300_000);

afterAll(async () => {
    await server?.stop();
    await monitor?.close();
    rmSync(home, { recursive: true, force: true });
});

describe("watchdog: a heartbeat through Prefect's automation engine to an external monitor", () => {
    it("creates exactly one block (the ping URL in its secrets, masked by Prefect) and one Proactive automation", async () => {
        expect(applied.blocks.map((b) => b.name)).toEqual(["block-heartbeat"]);
        expect(applied.automations.map((a) => a.name)).toEqual(["watchdog-heartbeat"]);
        const trigger = applied.automations[0].sent.trigger;
        expect({ posture: trigger.posture, within: trigger.within, threshold: trigger.threshold }).toEqual({
            posture: "Proactive",
            within: W,
            threshold: 1,
        });
        const doc = await get(server!.apiUrl, `/block_documents/${applied.blocks[0].id}`);
        expect(doc.data.url).toBe(`{{${WEBHOOK_URL_SECRET}}}`);
        expect(JSON.stringify(doc)).not.toContain(monitor.pingPath);
    });

    it(
        "pings every interval: each gap between W and W + one tick (+ delivery), the count over the span bounded alike",
        async () => {
            await monitor.until(() => monitor.pings().length >= 1, "the first ping", 3 * W * 1000 + 30_000);
            firstPing = monitor.pings()[0];
            await monitor.until(() => Date.now() >= firstPing + SPAN_S * 1000, `a span of ${SPAN_S} s`, SPAN_S * 1000 + 10_000);
            const span = pingsBetween(firstPing, firstPing + SPAN_S * 1000);
            const gaps = gapsOf(monitor.pings());
            console.log(`[watchdog] W = ${W} s: ${span.length} pings in ${SPAN_S} s after the first; gaps ${gaps.join(", ")} s`);
            expect(span.length).toBeGreaterThanOrEqual(Math.floor(SPAN_S / (W + TICK_S + DELIVERY_SLACK_S)));
            expect(span.length).toBeLessThanOrEqual(Math.floor(SPAN_S / (W - DELIVERY_SLACK_S)));
            for (const gap of gaps) {
                expect(gap).toBeGreaterThanOrEqual(W - DELIVERY_SLACK_S);
                expect(gap).toBeLessThanOrEqual(W + TICK_S + DELIVERY_SLACK_S);
            }
            // Every request was a POST on the ping path, with the small body the program sends; the monitor never saw it down.
            expect(monitor.requests.filter((r) => r.path !== monitor.pingPath || r.method !== "POST")).toEqual([]);
            expect(JSON.parse(monitor.requests[0].body)).toEqual({
                subject: `prefect-alerting watchdog: stack ${STACK}`,
                body: expect.stringContaining(`Heartbeat of stack ${STACK}`),
            });
            expect(monitor.transitions.map((t) => t.state)).toEqual(["up"]);
        },
        SPAN_S * 1000 + 3 * W * 1000 + 60_000,
    );

    it(
        "the server stops: no ping arrives, and the monitor reports the missing ping within W + grace of the last one",
        async () => {
            await server!.stop();
            stoppedAt = Date.now();
            const lastBeforeStop = monitor.pings().at(-1)!;
            await monitor.until(
                () => monitor.transitions.at(-1)?.state === "down",
                "the monitor to report a missing ping",
                (W + GRACE_S) * 1000 + 10_000,
            );
            const down = monitor.transitions.at(-1)!;
            console.log(
                `[watchdog] stopped ${((stoppedAt - lastBeforeStop) / 1000).toFixed(1)} s after the last ping; ` +
                    `monitor down ${((down.at - lastBeforeStop) / 1000).toFixed(1)} s after it`,
            );
            expect(monitor.transitions.map((t) => t.state)).toEqual(["up", "down"]);
            // Down is decided by the monitor's own clock: after W + grace without a ping, and no later than its next look.
            expect(down.at - lastBeforeStop).toBeGreaterThan((W + GRACE_S) * 1000);
            expect(down.at - lastBeforeStop).toBeLessThanOrEqual((W + GRACE_S) * 1000 + 1000);
            expect(pingsBetween(stoppedAt, Date.now())).toEqual([]);
        },
        (W + GRACE_S) * 1000 + 60_000,
    );

    it("the server starts again on the same home and database: the pings resume at the same cadence", async () => {
        const stillDown = Date.now();
        server = await startPrefectServer({ label: "watchdog-restart", home });
        restartedAt = Date.now();
        // Nothing arrived while the server was down.
        expect(pingsBetween(stoppedAt, stillDown)).toEqual([]);
        await monitor.until(() => pingsBetween(restartedAt, Date.now()).length >= 4, "4 pings after the restart", 6 * W * 1000 + 30_000);
        const resumed = pingsBetween(restartedAt, Date.now());
        console.log(
            `[watchdog] restart took ${((restartedAt - stillDown) / 1000).toFixed(1)} s; first ping ` +
                `${((resumed[0] - restartedAt) / 1000).toFixed(1)} s after it; gaps ${gapsOf(resumed).join(", ")} s`,
        );
        expect(monitor.transitions.map((t) => t.state)).toEqual(["up", "down", "up"]);
        // After the first (a catch-up, or the first full window), the cadence is the same as before the stop.
        for (const gap of gapsOf(resumed.slice(1))) {
            expect(gap).toBeGreaterThanOrEqual(W - DELIVERY_SLACK_S);
            expect(gap).toBeLessThanOrEqual(W + TICK_S + DELIVERY_SLACK_S);
        }
        expect(monitor.requests.filter((r) => r.path !== monitor.pingPath)).toEqual([]);
    }, 300_000);
});
