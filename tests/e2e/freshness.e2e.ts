import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EVENTS_API_URL } from "../../channels/pagerduty";
import { IncidentBook } from "./contracts";
import { OwnStack, applyOwnStack } from "./ownStack";
import { events, flowRun, get, prefectRequest } from "./prefectApi";
import { Receiver } from "./receiver";
import { FlowRunResult, runFlows } from "./runFlows";
import { E2E_PAGER_DUTY, fakePagerDutyToken } from "./pagerDutyFixture";

/**
 * Silences measured on the real server (issue 15): stale data (`freshness`) and the P1 silence
 * (`p1.noSuccessMinutes`) are Proactive triggers with Completed in both `after` and `expect`
 * (alert/triggers.ts silenceAfterLastCompletion), so every completion opens a new window at itself. A stack of its
 * own (stack `freshness`, flows `e2e-fresh-*`, tag `freshness-e2e-p1`), W = 35 s, scenarios run side by side:
 * (1) completions at t0 and about t0 + W/2, then none: one alert, at the second completion + W;
 * (2) a flow that never completes: one alert about W after the automation was created, then a reminder W to 2W later;
 * (3) the armed resolve of a stale-data incident on a PagerDuty channel: nothing before the alert; the alert
 *     turns the resolve on; the next completion sends one resolve with the alert's dedup key (not to chat), and
 *     the resolve turns itself off; a further completion sends nothing;
 * (4) the P1 silence (a tag route): one completion, then one alert at that completion + W.
 *
 * Bounds come from Prefect (server/events/triggers.py): the window ends W after the Completed event's `occurred`
 * (`evaluate`, the "same event in after and expect" case), and the proactive loop looks every 5 s
 * (`server.events.proactive_granularity`), so an alert arrives W + 0..5 s after, plus the time the actions take.
 * Without a completion the window is the proactive loop's own (`proactive_evaluation`): it opens at the loop's first
 * pass after the automation loads (0..5 s after its creation) and, once it fired, at the pass W later, so a
 * reminder comes 2W (+ ticks) after the alert, unless an automation anywhere on the server is created, changed or
 * deleted in between and the 5 s loop's `reconcile_automations` finds the stored automations changed since it last
 * recorded them (it saw the change before `automation_changed` did): it then reloads them all and clears every
 * trigger's `next_proactive_runs`, the next pass (within 5 s) opens the window at once, and the reminder comes W after
 * that change (seen in CI: W + 10 s after the alert, while the other scenarios' armed resolve switched itself on).
 * So a reminder comes W to 2W (+ ticks) after the alert. The lags are printed; the lead's bounds are [W - 1 s, W + 8 s].
 */

const { apiUrl } = inject("prefect");
const STACK = "freshness";
/**
 * A multiple of the 5 s tick, as every window of whole minutes or hours is: a window the proactive loop opens starts
 * on a tick, so it ends on one (with 36 s, measured: never-completed W + 6.96 s, reminder 2W + 8.59 s).
 */
const W_S = 35;
const W = W_S * 1000;
/** 35 s as the config says it (the program rounds to whole seconds). */
const MAX_AGE_HOURS = W_S / 3600;
const P1_MINUTES = W_S / 60;
const EARLY = 1_000;
const LATE = 8_000;
/** Prefect's proactive evaluation tick. */
const TICK = 5_000;
const SETTLE = 12_000;
const FLOW = {
    last: "e2e-fresh-last-completion",
    never: "e2e-fresh-never-completes",
    armed: "e2e-fresh-armed-resolve",
    p1: "e2e-fresh-p1-silence",
} as const;
const P1_TAG = "freshness-e2e-p1";
/** Receiver paths: a webhook channel posts to /<channel name>; PagerDuty's Events API is played at /pagerduty. */
const PATH = { last: "/staleLast", never: "/staleNever", chat: "/staleChat", pagerduty: "/pagerduty", p1: "/p1Chat" } as const;
const ROUTING_KEY = "e2e-fake-routing-key-freshness";
const ARMED_KEY = `prefect/${STACK}/silence/freshness/flow/${FLOW.armed}`;

let receiver: Receiver;
const book = new IncidentBook();
let own: OwnStack | undefined;
const automation = (key: string) => {
    const found = own!.applied.automations.find((a) => a.name === key);
    if (!found) throw new Error(`no automation ${key}; applied: ${own!.applied.automations.map((a) => a.name).join(", ")}`);
    return found;
};
const freshnessKey = (flow: string) => `freshness-flow-${flow}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sleepUntil = (at: number) => sleep(Math.max(0, at - Date.now()));
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function deleteAutomations(...keys: string[]): Promise<void> {
    for (const key of keys) await prefectRequest(apiUrl, "DELETE", `/automations/${automation(key).id}`).catch(() => undefined);
}

/** When the run's Completed event occurred, as the server stored it (ms since the epoch); waits for the event. */
async function completedAt(run: FlowRunResult): Promise<number> {
    expect(run.state).toBe("Completed");
    for (const deadline = Date.now() + 60_000; ; await sleep(1000)) {
        const found = (await events(apiUrl, ["prefect.flow-run.Completed"], new Date(Date.now() - 10 * 60_000))).find(
            (e) => e.resource["prefect.resource.id"] === `prefect.flow-run.${run.flow_run_id}`,
        );
        if (found) return Date.parse(found.occurred);
        if (Date.now() > deadline) throw new Error(`no prefect.flow-run.Completed event for ${run.flow_run_id}`);
    }
}

const succeed = async (name: string, tags: string[] = []) => (await runFlows(apiUrl, [{ kind: "succeed", name, tags }]))[0];

/** The automation's `enabled` as the server holds it, polled until it is `want` (the actions service takes a few s). */
async function enabledBecomes(key: string, want: boolean): Promise<boolean> {
    let enabled: boolean | undefined;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(500)) {
        enabled = (await get(apiUrl, `/automations/${automation(key).id}`)).enabled;
        if (enabled === want) break;
    }
    return enabled!;
}

beforeAll(async () => {
    receiver = await Receiver.start();
    receiver.replies.set(PATH.pagerduty, (r) => book.accept(r.raw, r.at));
    own = await applyOwnStack({
        stack: STACK,
        receiver,
        channels: {
            staleLast: { type: "webhook", description: "loopback: stale data, last completion" },
            staleNever: { type: "webhook", description: "loopback: stale data, never completed" },
            staleChat: { type: "webhook", description: "loopback: the chat side of the armed-resolve entry" },
            pager: { type: "pagerduty", service: "critical" },
            p1Chat: { type: "webhook", description: "loopback: P1 silence" },
        },
        routes: { p1r: { tags: [P1_TAG] } },
        sections: {
            freshness: {
                flows: {
                    [FLOW.last]: { maxAgeHours: MAX_AGE_HOURS, channels: ["staleLast"] },
                    [FLOW.never]: { maxAgeHours: MAX_AGE_HOURS, channels: ["staleNever"] },
                    [FLOW.armed]: { maxAgeHours: MAX_AGE_HOURS, channels: ["staleChat", "pager"] },
                },
            },
            p1: { enabled: true, routes: ["p1r"], channels: ["p1Chat"], noSuccessMinutes: P1_MINUTES },
            pagerDuty: E2E_PAGER_DUTY,
        },
        secrets: fakePagerDutyToken(),
        deliverTo: (url) => ({ [EVENTS_API_URL]: `${url}${PATH.pagerduty}` }),
        outputs: (type) => (type === "pagerduty:index/serviceIntegration:ServiceIntegration" ? { integrationKey: ROUTING_KEY } : undefined),
    });
}, 180_000);

afterAll(async () => {
    // Their windows keep rolling (a reminder every ~2W): cleanup deletes every automation of the stack.
    await own?.cleanup();
    await receiver?.close();
});

describe("the stack", () => {
    it("applies one Proactive automation per entry (Completed in after and expect), the P1 silence, and one armed resolve", async () => {
        expect(own!.applied.automations.map((a) => a.name).sort()).toEqual(
            [
                freshnessKey(FLOW.armed),
                `${freshnessKey(FLOW.armed)}-resolve`,
                freshnessKey(FLOW.last),
                freshnessKey(FLOW.never),
                "p1-no-success-p1r",
            ].sort(),
        );
        for (const key of [freshnessKey(FLOW.last), freshnessKey(FLOW.never), freshnessKey(FLOW.armed), "p1-no-success-p1r"]) {
            const read = await get(apiUrl, `/automations/${automation(key).id}`);
            expect(read.trigger).toMatchObject({
                posture: "Proactive",
                within: W_S,
                after: ["prefect.flow-run.Completed"],
                expect: ["prefect.flow-run.Completed"],
                for_each: [],
            });
            expect(read.enabled).toBe(true);
        }
        // Armed: off until its alert fires.
        expect((await get(apiUrl, `/automations/${automation(`${freshnessKey(FLOW.armed)}-resolve`).id}`)).enabled).toBe(false);
    });
});

describe.concurrent("silences on the real server", () => {
    it("(1) completions at t0 and t0 + W/2, then none: one stale-data alert at the second + W, naming that run", async () => {
        const first = await succeed(FLOW.last);
        const t0 = await completedAt(first);
        // A run takes a second or two to start (a Python process): aim its completion at about t0 + W/2.
        await sleepUntil(t0 + W / 2 - 1_500);
        const second = await succeed(FLOW.last);
        const t1 = await completedAt(second);
        console.log(`[freshness (1)] second completion ${fmt(t1 - t0)} after the first (W = ${W_S} s)`);
        // The second completion fell inside the first one's window (else this scenario tests nothing).
        expect(t1 - t0).toBeLessThan(W - 3_000);

        const [alert] = await receiver.waitFor(() => receiver.on(PATH.last), 1, W + 60_000, `stale-data alert for ${FLOW.last}`);
        const lag = alert.at - t1;
        console.log(
            `[freshness (1)] alert ${fmt(lag)} after the last Completed (W + ${fmt(lag - W)}); ${fmt(alert.at - t0)} after the first`,
        );
        expect(lag).toBeGreaterThanOrEqual(W - EARLY);
        expect(lag).toBeLessThanOrEqual(W + LATE);
        expect(alert.json?.subject).toBe(`Stale data: no Completed run of flow ${FLOW.last} for 35 seconds`);
        const runName = (await flowRun(apiUrl, second.flow_run_id)).name;
        expect(alert.json?.body).toContain(`*Last Completed run*: ${runName} (\`${second.flow_run_id}\`)`);

        // Exactly one: its reminder cannot come before about 2W after it.
        await sleepUntil(alert.at + SETTLE);
        await deleteAutomations(freshnessKey(FLOW.last));
        expect(receiver.on(PATH.last)).toHaveLength(1);
    }, 240_000);

    it("(2) a flow that never completed: one alert about W after the automation was created, a reminder W to 2W later", async () => {
        const created = Date.parse((await get(apiUrl, `/automations/${automation(freshnessKey(FLOW.never)).id}`)).created);
        const [alert] = await receiver.waitFor(() => receiver.on(PATH.never), 1, W + 60_000, `stale-data alert for ${FLOW.never}`);
        console.log(
            `[freshness (2)] first alert ${fmt(alert.at - created)} after the automation was created (W + ${fmt(alert.at - created - W)})`,
        );
        expect(alert.at - created).toBeGreaterThanOrEqual(W - EARLY);
        expect(alert.at - created).toBeLessThanOrEqual(W + LATE);
        expect(alert.json?.body).toContain("No Completed run since this alert was set up or last fired.");
        // No reminder within a window of the alert: the earliest next window opens when the alert fired.
        await sleepUntil(alert.at + W - 2 * EARLY);
        expect(receiver.on(PATH.never)).toHaveLength(1);

        // The fired window is removed; the proactive loop opens the next one at its next pass (W later, or at once after
        // any automation change on the server: see the top of this file), which ends W after that.
        const [, reminder] = await receiver.waitFor(() => receiver.on(PATH.never), 2, 2 * W + 60_000, `reminder for ${FLOW.never}`);
        console.log(
            `[freshness (2)] reminder ${fmt(reminder.at - alert.at)} after the first alert (2W + ${fmt(reminder.at - alert.at - 2 * W)})`,
        );
        expect(reminder.at - alert.at).toBeGreaterThanOrEqual(W - 2 * EARLY);
        expect(reminder.at - alert.at).toBeLessThanOrEqual(2 * W + 2 * TICK + EARLY);
        await deleteAutomations(freshnessKey(FLOW.never));
        await sleep(2_000);
        expect(receiver.on(PATH.never)).toHaveLength(2);
    }, 300_000);

    it("(3) armed resolve: none before the alert; after it one resolve to PagerDuty only, then the resolve is off again", async () => {
        const alertKey = freshnessKey(FLOW.armed);
        const resolveKey = `${alertKey}-resolve`;
        // Before any alert: a completion sends nothing to PagerDuty (the resolve is off).
        const before = await succeed(FLOW.armed);
        const tBefore = await completedAt(before);
        await sleep(SETTLE);
        expect(Date.now()).toBeLessThan(tBefore + W - EARLY); // still before the alert could come
        expect(receiver.on(PATH.pagerduty)).toHaveLength(0);
        expect(receiver.on(PATH.chat)).toHaveLength(0);
        expect((await get(apiUrl, `/automations/${automation(resolveKey).id}`)).enabled).toBe(false);

        // The stale-data alert: chat and a PagerDuty trigger with the entry's key.
        const [chat] = await receiver.waitFor(() => receiver.on(PATH.chat), 1, W + 60_000, `stale-data alert for ${FLOW.armed}`);
        console.log(`[freshness (3)] alert ${fmt(chat.at - tBefore)} after the last Completed (W + ${fmt(chat.at - tBefore - W)})`);
        const [incident] = await receiver.waitFor(() => book.withKey(ARMED_KEY), 1, 30_000, `PagerDuty incident ${ARMED_KEY}`);
        expect(incident.alerts.map((a) => a.json.event_action)).toEqual(["trigger"]);
        expect(incident.routingKey).toBe(ROUTING_KEY);
        // The alert armed its resolve.
        expect(await enabledBecomes(resolveKey, true)).toBe(true);

        // The next completion: one resolve with the same key, to PagerDuty only; then the resolve turns itself off.
        const resolving = await succeed(FLOW.armed);
        const tResolving = await completedAt(resolving);
        await receiver.waitFor(() => book.withKey(ARMED_KEY).filter((i) => i.status === "resolved"), 1, 30_000, `resolve of ${ARMED_KEY}`);
        console.log(`[freshness (3)] resolve ${fmt(book.withKey(ARMED_KEY)[0].resolvedBy!.at - tResolving)} after the completion`);
        expect(book.withKey(ARMED_KEY)[0].resolvedBy?.json).toEqual({
            routing_key: ROUTING_KEY,
            event_action: "resolve",
            dedup_key: ARMED_KEY,
        });
        expect(await enabledBecomes(resolveKey, false)).toBe(false);

        // A further completion sends nothing more (checked before that completion's own window could end).
        const after = await succeed(FLOW.armed);
        const tAfter = await completedAt(after);
        await sleep(SETTLE);
        expect(Date.now()).toBeLessThan(tAfter + W - EARLY);
        await deleteAutomations(alertKey, resolveKey);
        expect(receiver.on(PATH.pagerduty).map((r) => r.json?.event_action)).toEqual(["trigger", "resolve"]);
        expect(receiver.on(PATH.chat)).toHaveLength(1);
        expect(book.ignored).toEqual([]);
        expect(book.rejected).toEqual([]);
    }, 300_000);

    it("(4) the P1 silence: one completion on the route, then none: one alert at that completion + W", async () => {
        const run = await succeed(FLOW.p1, [P1_TAG]);
        const t = await completedAt(run);
        const [alert] = await receiver.waitFor(() => receiver.on(PATH.p1), 1, W + 60_000, "P1 silence alert");
        const lag = alert.at - t;
        console.log(`[freshness (4)] P1 alert ${fmt(lag)} after the last Completed (W + ${fmt(lag - W)})`);
        expect(lag).toBeGreaterThanOrEqual(W - EARLY);
        expect(lag).toBeLessThanOrEqual(W + LATE);
        expect(alert.json?.subject).toBe("P1: no pipeline has succeeded for 35 seconds");
        await sleepUntil(alert.at + SETTLE);
        await deleteAutomations("p1-no-success-p1r");
        expect(receiver.on(PATH.p1)).toHaveLength(1);
    }, 240_000);
});
