import { describe, expect, it } from "vitest";
import { heartbeat, heartbeatPingUrl } from "../channels/heartbeat";
import { blockData, kindOf } from "../channels/registry";
import { WEBHOOK_URL_SECRET } from "../channels/webhook";
import { PROJECT, parseStackConfig } from "../config/load";
import { AUTOMATION_EVENT_PREFIX, RESERVED_EVENT_NAMESPACES, WATCHDOG_EVENT } from "../prefect/vocabulary";
import { blockFor, planAlerting } from "../rules/plan";
import { watchdogMessage, watchdogTrigger } from "../signals/watchdog";
import { checkState } from "./e2e/heartbeatMonitor";
import { editKey, stackConfig } from "./helpers/stacks";

const PING_URL = "https://hc-ping.example/00000000-0000-0000-0000-000000000000";

/** The local stack with a heartbeat channel, its ping URL and a watchdog section. */
function withWatchdog(watchdog: Record<string, unknown> | undefined, stack = "local") {
    const raw = stackConfig(stack);
    const secret = `${PROJECT}:heartbeatWebhookUrl`;
    const withSecret = { ...raw, values: { ...raw.values, [secret]: PING_URL }, secretKeys: new Set([...raw.secretKeys, secret]) };
    return editKey(
        editKey(withSecret, "channels", (c) => ({ ...c, heartbeat: { type: "heartbeat", description: "healthchecks: prefect-local" } })),
        "watchdog",
        () => watchdog,
    );
}

describe("the watchdog's trigger", () => {
    it("is Proactive on the stack's own resource and an event nothing emits, one window of the interval", () => {
        expect(watchdogTrigger("prod", 300)).toEqual({
            posture: "Proactive",
            match: { "prefect.resource.id": "prefect-alerting.watchdog.prod" },
            match_related: {},
            after: [],
            expect: ["prefect-alerting.watchdog.never-emitted"],
            for_each: [],
            threshold: 1,
            within: 300,
        });
    });

    it("waits for an event outside Prefect's namespaces, so no Prefect event (its own firings included) ever satisfies it", () => {
        expect(RESERVED_EVENT_NAMESPACES.some((ns) => WATCHDOG_EVENT.startsWith(ns))).toBe(false);
        expect(WATCHDOG_EVENT.startsWith(AUTOMATION_EVENT_PREFIX)).toBe(false);
    });

    it("keeps two stacks apart: each waits on its own resource", () => {
        expect(watchdogTrigger("dev", 60).match).not.toEqual(watchdogTrigger("prod", 60).match);
    });
});

describe("the watchdog in the plan", () => {
    it("is off by default: no committed stack pings anything", () => {
        for (const stack of ["dev", "prod", "local"]) {
            const plan = planAlerting(parseStackConfig(stackConfig(stack)));
            expect(plan.automations.filter((a) => a.signal === "watchdog")).toEqual([]);
            expect(plan.blocks.filter((b) => b.spec.type === "heartbeat")).toEqual([]);
        }
    });

    it("enabled: one info automation to the heartbeat channel, every interval, never muted, no incident", () => {
        const cfg = parseStackConfig(withWatchdog({ enabled: true, channel: "heartbeat", intervalMinutes: 0.25 }));
        const plan = planAlerting(cfg);
        const dogs = plan.automations.filter((a) => a.signal === "watchdog");
        expect(dogs).toHaveLength(1);
        const [dog] = dogs;
        expect({ key: dog.key, tier: dog.tier, name: dog.name, channels: dog.channels, routes: dog.routes, enabled: dog.enabled }).toEqual({
            key: "watchdog-heartbeat",
            tier: "info",
            name: "[local] Watchdog heartbeat",
            channels: ["heartbeat"],
            routes: [],
            enabled: true,
        });
        expect(dog.trigger).toEqual(watchdogTrigger("local", 15));
        expect(dog.incident).toBeUndefined();
        expect(dog.actions).toEqual([{ channel: "heartbeat", ...watchdogMessage("local", 15) }]);
        expect(dog.description).toMatch(/not that events are received/);
        // The heartbeat channel gets its block; nothing else sends to it.
        expect(plan.automations.filter((a) => a.channels.includes("heartbeat")).map((a) => a.key)).toEqual(["watchdog-heartbeat"]);
        expect(plan.blocks.map((b) => b.channel)).toContain("heartbeat");
    });

    it("defaults to a 5-minute interval", () => {
        const plan = planAlerting(parseStackConfig(withWatchdog({ enabled: true, channel: "heartbeat" })));
        expect(plan.automations.find((a) => a.signal === "watchdog")!.trigger.within).toBe(300);
    });

    it("disabled, its heartbeat channel gets no block and its ping URL is not required", () => {
        const raw = withWatchdog({ enabled: false, channel: "heartbeat" });
        const cfg = parseStackConfig(raw);
        expect(cfg.channels.map((c) => c.name)).not.toContain("heartbeat");
        expect(cfg.secrets.map((s) => s.key)).not.toContain(`${PROJECT}:heartbeatWebhookUrl`);
    });

    it("the message is small, plain text: nothing for Prefect to render", () => {
        const m = watchdogMessage("prod", 300);
        expect(`${m.subject}${m.body}`).not.toMatch(/\{\{|\{%/);
        expect(m.body).toBe("Heartbeat of stack prod, every 5 minutes: Prefect's triggers and actions services run and reach out.");
    });
});

describe("the heartbeat channel kind", () => {
    it("keeps the ping URL in the custom-webhook block's secrets; url only names it", () => {
        const block = blockFor("prod", { name: "heartbeat", spec: { type: "heartbeat" } }, PROJECT);
        expect(block).toMatchObject({ name: "prod-heartbeat", typeSlug: "custom-webhook" });
        expect(block.sources).toEqual({ url: { configKey: `${PROJECT}:heartbeatWebhookUrl` } });
        const data = blockData(block, { url: PING_URL });
        expect(data).toMatchObject({ url: `{{${WEBHOOK_URL_SECRET}}}`, method: "POST", secrets: { [WEBHOOK_URL_SECRET]: PING_URL } });
        const { secrets, ...rest } = data;
        expect(JSON.stringify(rest)).not.toContain(PING_URL);
        expect(secrets).toBeDefined();
    });

    it("takes pings only, is found by its type and described for the preview", () => {
        expect(kindOf({ type: "heartbeat" })).toBe(heartbeat);
        expect(heartbeat.pingOnly).toBe(true);
        expect(heartbeat.describe({ type: "heartbeat" })).toBe("heartbeat monitor");
        expect(heartbeat.describe({ type: "heartbeat", description: "healthchecks: prod" })).toBe("healthchecks: prod");
    });

    it("accepts http(s) ping URLs of the usual monitors, and nothing else", () => {
        for (const url of [
            "https://hc-ping.com/5b3a9d4e-0000-4000-8000-000000000000",
            "https://cronitor.link/p/KEY/prefect-prod",
            "https://uptime.betterstack.com/api/v1/heartbeat/TOKEN",
            "http://healthchecks.internal:8000/ping/uuid",
        ])
            expect(heartbeatPingUrl.valid(url), url).toBe(true);
        for (const url of ["", "hc-ping.com/uuid", "ftp://hc-ping.com/uuid", "https://hc-ping.com/a b"])
            expect(heartbeatPingUrl.valid(url), url).toBe(false);
    });
});

describe("the stub heartbeat monitor's verdict (tests/e2e/heartbeatMonitor.ts)", () => {
    const period = 15_000;
    const grace = 10_000;
    it("is new before the first ping, up within period + grace of the last ping, down after", () => {
        expect(checkState([], 1_000_000, period, grace)).toBe("new");
        expect(checkState([0], 25_000, period, grace)).toBe("up");
        expect(checkState([0], 25_001, period, grace)).toBe("down");
        expect(checkState([0, 20_000], 40_000, period, grace)).toBe("up");
    });
    it("judges at a time by the pings that had arrived by then", () => {
        expect(checkState([0, 60_000], 30_000, period, grace)).toBe("down");
        expect(checkState([10_000], 5_000, period, grace)).toBe("new");
    });
});
