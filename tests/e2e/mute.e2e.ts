import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Applied, Created } from "./applyToPrefect";
import { OwnStack, applyOwnStack } from "./ownStack";
import { events, get } from "./prefectApi";
import { Receiver } from "./receiver";
import { runFlows } from "./runFlows";

/**
 * A mute that ends by itself on the real Prefect server (issues 12 and 15):
 * the program sends a muted route's automations with `enabled: false` and a
 * timer automation (components/muteTimers.ts) that resumes them at the mute's
 * until, with no `pulumi up` in between. The route is muted until about
 * +90 s: a failing run at about +30 s alerts nobody, one at about +150 s
 * alerts once; the other route alerts once each time. Its own stack, tags and
 * flow names, so no other scenario sees these runs.
 */

const { apiUrl } = inject("prefect");
const SETTLE_MS = Number(process.env.E2E_SETTLE_MS ?? 20_000);
const STACK = "mute";
const CHANNEL = "muteAlerts";
const MUTED_TAG = "mute-e2e-muted";
const OPEN_TAG = "mute-e2e-open";
const MUTE_SECONDS = 90;
const MUTED_RUN_AT_S = 30;
const RESUMED_RUN_AT_S = 150;

let own: OwnStack | undefined;
let receiver: Receiver;
let applied: Applied;
/** When the until was computed, just before the program ran with the real clock. */
let start: number;
let until: string;

const sleepUntil = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
const byName = (name: string): Created => applied.automations.find((a) => a.name === name)!;
const timerOf = () => applied.automations.find((a) => a.name.startsWith("mute-timer-"))!;
const messages = () => receiver.on(`/${CHANNEL}`).map((m) => JSON.stringify(m.json));
const about = (id: string) => (e: { resource: Record<string, string> }) => e.resource["prefect.resource.id"] === `prefect.automation.${id}`;

beforeAll(async () => {
    start = Date.now();
    until = new Date(start + MUTE_SECONDS * 1000).toISOString().replace(/\.\d+Z$/, "Z");
    own = await applyOwnStack({
        stack: STACK,
        channels: { [CHANNEL]: { type: "webhook", description: "loopback receiver" } },
        routes: { muted: { tags: [MUTED_TAG] }, open: { tags: [OPEN_TAG] } },
        sections: {
            warning: { enabled: true, channels: [CHANNEL] },
            mute: { muted: { until, reason: "e2e: a muted route" } },
        },
    });
    ({ receiver, applied } = own);
});

afterAll(async () => {
    // Leave the server as found for the scenarios after this one.
    await own?.cleanup();
});

describe("a mute that ends by itself on the real server", () => {
    it("the server stores the muted automation disabled, the other enabled, and one timer that resumes the muted one", async () => {
        expect(applied.automations.map((a) => a.name).sort()).toEqual([
            expect.stringMatching(new RegExp(`^mute-timer-${until.replace(/[-:]/g, "")}-[0-9a-f]{8}$`)),
            "warning-muted",
            "warning-open",
        ]);
        const muted = await get(apiUrl, `/automations/${byName("warning-muted").id}`);
        const open = await get(apiUrl, `/automations/${byName("warning-open").id}`);
        const timer = await get(apiUrl, `/automations/${timerOf().id}`);
        expect(muted.enabled).toBe(false);
        expect(muted.description).toMatch(new RegExp(`^Muted until ${until}: e2e: a muted route\\. `));
        expect(open.enabled).toBe(true);
        expect(timer.enabled).toBe(true);
        expect(timer.trigger).toMatchObject({ posture: "Proactive", expect: ["prefect-alerting.mute-timer.never"], threshold: 1 });
        expect(timer.trigger.within).toBeGreaterThanOrEqual(MUTE_SECONDS - 30);
        expect(timer.trigger.within).toBeLessThanOrEqual(MUTE_SECONDS);
        expect(timer.actions).toMatchObject([{ type: "resume-automation", source: "selected", automation_id: byName("warning-muted").id }]);
        expect(timer.actions_on_trigger).toMatchObject([{ type: "pause-automation", source: "inferred" }]);
    });

    it("muted: a failing run alerts nobody; after until, with no re-apply, one does; the other route alerts each time", async () => {
        // 1. While muted (about +30 s).
        await sleepUntil(start + MUTED_RUN_AT_S * 1000);
        const since = new Date();
        const first = await runFlows(apiUrl, [
            { kind: "fail", name: "e2e-mute-muted-fails-while-muted", tags: [MUTED_TAG] },
            { kind: "fail", name: "e2e-mute-open-fails-first", tags: [OPEN_TAG] },
        ]);
        expect(first.map((r) => r.state)).toEqual(["Failed", "Failed"]);
        await receiver.waitFor(() => receiver.on(`/${CHANNEL}`), 1, 90_000, "warning for e2e-mute-open-fails-first");
        await new Promise((r) => setTimeout(r, SETTLE_MS));
        expect(messages()).toHaveLength(1);
        expect(messages()[0]).toContain("e2e-mute-open-fails-first");
        // Prefect did not even trigger it: a disabled automation is not evaluated.
        expect((await events(apiUrl, ["prefect.automation.triggered"], since)).filter(about(byName("warning-muted").id))).toEqual([]);

        // 2. After until (about +150 s): the timer has resumed the muted automation and paused itself.
        await sleepUntil(start + RESUMED_RUN_AT_S * 1000);
        expect((await get(apiUrl, `/automations/${byName("warning-muted").id}`)).enabled).toBe(true);
        expect((await get(apiUrl, `/automations/${timerOf().id}`)).enabled).toBe(false);
        const fired = (await events(apiUrl, ["prefect.automation.triggered"], new Date(start))).filter(about(timerOf().id));
        expect(fired).toHaveLength(1);
        // A figure, not an assertion: how long after until the timer fired (Proactive triggers are evaluated every ~5 s).
        console.info(`[mute e2e] timer fired ${(Date.parse(fired[0].occurred) - Date.parse(until)) / 1000} s after until`);

        const second = await runFlows(apiUrl, [
            { kind: "fail", name: "e2e-mute-muted-fails-after-until", tags: [MUTED_TAG] },
            { kind: "fail", name: "e2e-mute-open-fails-second", tags: [OPEN_TAG] },
        ]);
        expect(second.map((r) => r.state)).toEqual(["Failed", "Failed"]);
        await receiver.waitFor(() => receiver.on(`/${CHANNEL}`), 3, 90_000, "warnings after the mute ended");
        await new Promise((r) => setTimeout(r, SETTLE_MS));
        const received = messages();
        expect(received).toHaveLength(3);
        const count = (flow: string) => received.filter((m) => m.includes(flow)).length;
        expect({
            mutedWhileMuted: count("e2e-mute-muted-fails-while-muted"),
            mutedAfterUntil: count("e2e-mute-muted-fails-after-until"),
            openFirst: count("e2e-mute-open-fails-first"),
            openSecond: count("e2e-mute-open-fails-second"),
        }).toEqual({ mutedWhileMuted: 0, mutedAfterUntil: 1, openFirst: 1, openSecond: 1 });
        // Nothing else reached the receiver (no other channel path).
        expect(receiver.requests.filter((m) => m.path !== `/${CHANNEL}`)).toEqual([]);
    }, 400_000);
});
