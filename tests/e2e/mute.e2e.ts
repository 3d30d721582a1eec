import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Applied } from "./applyToPrefect";
import { OwnStack, applyOwnStack } from "./ownStack";
import { events, get } from "./prefectApi";
import { Receiver } from "./receiver";
import { runFlows } from "./runFlows";

/**
 * A muted route on the real Prefect server (issue 12, part 2): the program
 * sends a muted route's automations with `enabled: false`; this proves the
 * server stores that and that such an automation does not fire for a failing
 * run, while the same stack's route that is not muted alerts. Its own stack,
 * tags and flow names, so no other scenario sees these runs.
 */

const { apiUrl } = inject("prefect");
const SETTLE_MS = Number(process.env.E2E_SETTLE_MS ?? 20_000);
const STACK = "mute";
const CHANNEL = "muteAlerts";
const MUTED_TAG = "mute-e2e-muted";
const OPEN_TAG = "mute-e2e-open";
const UNTIL = "2099-01-01T00:00:00Z";

let own: OwnStack | undefined;
let receiver: Receiver;
let applied: Applied;

beforeAll(async () => {
    own = await applyOwnStack({
        stack: STACK,
        channels: { [CHANNEL]: { type: "webhook", description: "loopback receiver" } },
        routes: { muted: { tags: [MUTED_TAG] }, open: { tags: [OPEN_TAG] } },
        sections: {
            warning: { enabled: true, channels: [CHANNEL] },
            mute: { muted: { until: UNTIL, reason: "e2e: a muted route" } },
        },
    });
    ({ receiver, applied } = own);
});

afterAll(async () => {
    // Leave the server as found for the scenarios after this one.
    await own?.cleanup();
});

describe("a muted route on the real server", () => {
    it("the server stores the muted route's automation disabled, with the mute in its description; the other enabled", async () => {
        const byName = Object.fromEntries(applied.automations.map((a) => [a.name, a.id]));
        expect(Object.keys(byName).sort()).toEqual(["warning-muted", "warning-open"]);
        const muted = await get(apiUrl, `/automations/${byName["warning-muted"]}`);
        const open = await get(apiUrl, `/automations/${byName["warning-open"]}`);
        expect(muted.enabled).toBe(false);
        expect(muted.description).toMatch(new RegExp(`^Muted until ${UNTIL}: e2e: a muted route\\. `));
        expect(open.enabled).toBe(true);
    });

    it("a failing run of the muted route alerts nobody; one of the other route alerts once", async () => {
        const since = new Date();
        const runs = await runFlows(apiUrl, [
            { kind: "fail", name: "e2e-mute-muted-fails", tags: [MUTED_TAG] },
            { kind: "fail", name: "e2e-mute-open-fails", tags: [OPEN_TAG] },
        ]);
        expect(runs.map((r) => r.state)).toEqual(["Failed", "Failed"]);
        const [message] = await receiver.waitFor(() => receiver.on(`/${CHANNEL}`), 1, 90_000, "warning for e2e-mute-open-fails");
        expect(JSON.stringify(message.json)).toContain("e2e-mute-open-fails");

        await new Promise((r) => setTimeout(r, SETTLE_MS));
        const received = receiver.on(`/${CHANNEL}`).map((m) => JSON.stringify(m.json));
        expect(received).toHaveLength(1);
        expect(received.some((m) => m.includes("e2e-mute-muted-fails"))).toBe(false);
        // Prefect did not even trigger it: a disabled automation is not evaluated.
        const mutedId = applied.automations.find((a) => a.name === "warning-muted")!.id;
        const about = (e: { resource: Record<string, string> }) => e.resource["prefect.resource.id"] === `prefect.automation.${mutedId}`;
        expect((await events(apiUrl, ["prefect.automation.triggered"], since)).filter(about)).toEqual([]);
    });
});
