import { describe, expect, it } from "vitest";
import { ConfigError } from "../config/errors";
import { PROJECT, parseStackConfig } from "../config/load";
import { unknownTemplateNames } from "../prefect/vocabulary";
import { describeTrigger } from "../rules/describe";
import { deploymentIncidentKey, workQueueIncidentKey } from "../alert/incidents";
import { planAlerting } from "../rules/plan";
import { renderSample } from "../alert/templates";
import { dataQuality } from "../signals/dataQuality";
import { freshness, freshnessResolve } from "../signals/freshness";
import { health, healthResolve } from "../signals/health";
import { SIGNALS } from "../signals/table";
import { editKey, stackConfig } from "./helpers/stacks";

/** The local stack (webhook channels alerts, critical, pager, info; route dlt) with project keys set. */
function local(keys: Record<string, unknown>) {
    let raw = stackConfig("local");
    for (const [key, value] of Object.entries(keys)) raw = editKey(raw, key, () => value);
    return parseStackConfig(raw);
}
const plan = (keys: Record<string, unknown>) => planAlerting(local(keys)).automations;
const of = (keys: Record<string, unknown>, signal: string) => plan(keys).filter((a) => a.signal === signal);
function refusal(keys: Record<string, unknown>): { key: string; expected: string } {
    try {
        local(keys);
    } catch (e) {
        if (e instanceof ConfigError) return { key: e.key, expected: e.expected };
        throw e;
    }
    throw new Error("accepted");
}
const UI = "http://127.0.0.1:4200";
/** The prod stack (pagerduty channels pager, pagerP1); pagerDutyApiKey left out, as pagerduty channels need none. */
const prodStack = () => stackConfig("prod", { [`${PROJECT}:pagerDutyApiKey`]: undefined });

describe("the three signals are in the table with their own config sections", () => {
    it("freshness, dataQuality and health: one module each, a settings section each", () => {
        for (const [id, s] of Object.entries({ freshness, dataQuality, health })) {
            const signal = SIGNALS.find((x) => x.id === id)!;
            expect(signal.settings).toBe(s.settings);
            expect(signal.configKey).toBe(id);
        }
    });

    it("stacks that set none of them plan none of them (the committed stacks' other automations are untouched)", () => {
        const keys = planAlerting(parseStackConfig(stackConfig("local"))).automations.map((a) => a.signal);
        expect(keys.filter((k) => ["freshness", "dataQuality", "health"].includes(k))).toEqual([]);
        const dev = planAlerting(parseStackConfig(stackConfig("dev"))).automations;
        expect(dev.map((a) => a.tier)).toEqual(["warning"]);
    });
});

describe("freshness (stale data)", () => {
    const cfg = {
        freshness: {
            channels: ["alerts"],
            deployments: { "exchange-rates-daily-prod": { maxAgeHours: 26 } },
            flows: { "products-daily": { maxAgeHours: 0.5, severity: "p1", channels: ["critical", "pager"] } },
        },
    };

    it("one Proactive automation per entry: a window opened by each Completed run, any run, the deployment or flow by name", () => {
        const [dep, flow] = of(cfg, "freshness");
        expect(dep.key).toBe("freshness-deployment-exchange-rates-daily-prod");
        expect(dep.trigger).toEqual({
            posture: "Proactive",
            match: { "prefect.resource.id": "prefect.flow-run.*" },
            match_related: { "prefect.resource.role": "deployment", "prefect.resource.name": "exchange-rates-daily-prod" },
            // The same event opens the window and satisfies it: each completion starts a new window at itself, so the
            // alert comes one window after the last completion (not 2-3 windows, as tumbling windows without `after` did).
            after: ["prefect.flow-run.Completed"],
            expect: ["prefect.flow-run.Completed"],
            for_each: [],
            threshold: 1,
            within: 26 * 3600,
        });
        expect(dep.tier).toBe("warning");
        expect(dep.channels).toEqual(["alerts"]);
        expect(flow.key).toBe("freshness-flow-products-daily");
        expect(flow.trigger.match_related).toEqual({ "prefect.resource.role": "flow", "prefect.resource.name": "products-daily" });
        expect(flow.trigger.within).toBe(1800);
        expect(flow.tier).toBe("p1");
        expect(flow.channels).toEqual(["critical", "pager"]);
        expect(describeTrigger(dep.trigger)).toBe(
            "fires when no event [prefect.flow-run.Completed] arrives within 26 hours of the last one (or of the automation's " +
                "start) for prefect.resource.id = prefect.flow-run.* " +
                "with a related deployment with prefect.resource.name = exchange-rates-daily-prod",
        );
    });

    it("the message says no Completed run for N hours and names the last Completed run when the firing carries it", () => {
        const [dep, flow] = of(cfg, "freshness");
        expect(renderSample(dep.message.subject, UI)).toBe(
            "Stale data: no Completed run of deployment exchange-rates-daily-prod for 26 hours",
        );
        const body = renderSample(dep.message.body, UI);
        expect(body).toContain("Prefect saw no Completed run of deployment exchange-rates-daily-prod in the last 26 hours");
        // The window was opened by a completion: the firing carries it, and the server loads that run.
        expect(body).toContain(
            "*Last Completed run*: crimson-okapi (`0f1e2d3c-4b5a-4968-8776-655443322110`) at 2026-11-30 06:03:12.021877+00:00",
        );
        // A window the server opened by itself carries no run: the message says so instead.
        const none = renderSample(dep.message.body, UI, {});
        expect(none).toContain("No Completed run since this alert was set up or last fired.");
        expect(none).not.toContain("Last Completed run");
        // Nothing the firing cannot offer: no deployment or event variables.
        for (const t of [dep.message.subject, dep.message.body]) expect(t).not.toMatch(/deployment\.|event\./);
        expect(renderSample(flow.message.subject, UI)).toBe("P1: Stale data: no Completed run of flow products-daily for 30 minutes");
    });

    it("a name with template syntax renders as written, in the message and the incident key", () => {
        const [a] = of({ freshness: { channels: ["alerts"], flows: { "a{{ flow_run.name }}": {} } } }, "freshness");
        expect(renderSample(a.message.subject, UI)).toBe("Stale data: no Completed run of flow a{{ flow_run.name }} for 26 hours");
        expect(renderSample(a.incident!.dedupKey, UI)).toBe("prefect/local/silence/freshness/flow/a{{ flow_run.name }}");
        expect(a.key).toMatch(/^freshness-flow-a-flow-run-name-[0-9a-f]{8}$/);
    });

    it("opens an incident per entry; the next Completed run resolves it, sent to incident-tracking channels only", () => {
        const [dep] = of(cfg, "freshness");
        expect(dep.incident).toEqual({
            dedupKey: "prefect/local/silence/freshness/deployment/exchange-rates-daily-prod",
            action: "trigger",
            severity: "warning",
        });
        // Webhook channels track no incidents: no resolve.
        expect(plan(cfg).filter((a) => a.incident?.action === "resolve")).toEqual([]);
        // prod's pager channel (PagerDuty Events v2) does: the resolve goes there only, not to Slack on every Completed run.
        const prod = planAlerting(
            parseStackConfig(editKey(prodStack(), "freshness", () => ({ channels: ["alerts", "pager"], deployments: { d: {} } }))),
        ).automations.filter((a) => a.signal === "freshness");
        expect(prod.map((a) => [a.key, a.channels, a.incident?.action])).toEqual([
            ["freshness-deployment-d", ["alerts", "pager"], "trigger"],
            ["freshness-deployment-d-resolve", ["pager"], "resolve"],
        ]);
        // An armed resolve: the first Completed run after a stale-data alert (on only once the alert fired).
        expect(prod[1].trigger).toEqual({ ...prod[0].trigger, posture: "Reactive", after: [], within: 60 });
        expect(prod[1].armedBy).toBe("freshness-deployment-d");
        expect(prod[1].incident?.dedupKey).toBe(prod[0].incident?.dedupKey);
        expect(freshnessResolve(dep, ["pager"]).channels).toEqual(["pager"]);
    });

    it("config: defaults, window bounds, channels per entry or for the section", () => {
        const [d] = of({ freshness: { channels: ["alerts"], deployments: { x: {} } } }, "freshness");
        expect([d.trigger.within, d.tier]).toEqual([26 * 3600, "warning"]);
        expect(refusal({ freshness: { channels: ["alerts"], deployments: { x: { maxAgeHours: 0.001 } } } })).toEqual({
            key: "prefect-alerting:freshness.deployments.x.maxAgeHours",
            expected: expect.stringMatching(/from 0\.003 to 8760 \(a Proactive window: Prefect refuses one under 10 s\)/),
        });
        expect(refusal({ freshness: { deployments: { x: {} } } })).toEqual({
            key: "prefect-alerting:freshness.deployments.x.channels",
            expected: "channel names here, or for every entry under freshness.channels",
        });
        expect(refusal({ freshness: { channels: ["alerts"], flows: { f: { channels: ["alerts", "nope"] } } } }).key).toBe(
            "prefect-alerting:freshness.flows.f.channels[1]",
        );
        expect(refusal({ freshness: { channels: ["alerts"], flows: { f: { severity: "page" } } } })).toEqual({
            key: "prefect-alerting:freshness.flows.f.severity",
            expected: '"warning", "critical" or "p1"',
        });
        expect(refusal({ freshness: { channels: ["alerts"], flows: { "orders-*": {} } } }).key).toMatch(
            /^prefect-alerting:freshness\.flows/,
        );
    });
});

describe("data-quality events", () => {
    const cfg = {
        dataQuality: {
            events: ["acme.table.empty", "acme.quality.*"],
            resourcePrefix: "acme.table.",
            severity: "critical",
            routes: ["dlt"],
            channels: ["critical"],
            fields: ["rows_loaded", "items"],
        },
    };

    it("Reactive on the named events, the resource id prefix, the route's related tag; one automation per route", () => {
        const [a] = of(cfg, "dataQuality");
        expect(a.key).toBe("data-quality-dlt");
        expect(a.tier).toBe("critical");
        expect(a.trigger).toEqual({
            posture: "Reactive",
            match: { "prefect.resource.id": "acme.table.*" },
            match_related: { "prefect.resource.role": "tag", "prefect.resource.id": "prefect.tag.dlt" },
            after: [],
            expect: ["acme.table.empty", "acme.quality.*"],
            for_each: [],
            threshold: 1,
            within: 0,
        });
        expect(a.routes).toEqual(["dlt"]);
        const [any] = of({ dataQuality: { events: ["acme.table.empty"], channels: ["alerts"] } }, "dataQuality");
        expect([any.key, any.trigger.match, any.trigger.match_related, any.tier]).toEqual(["data-quality", {}, {}, "warning"]);
    });

    it("the message shows the event's resource and each named payload field (by subscript: `items` is a field, not dict.items)", () => {
        const [a] = of(cfg, "dataQuality");
        expect(a.message.body).toContain('{{ event.payload["rows_loaded"] | default("(not in the event)") }}');
        expect(unknownTemplateNames(a.message.subject + a.message.body)).toEqual([]);
        expect(renderSample(a.message.subject, UI)).toBe("CRITICAL: Data quality: acme.table.empty (acme.table.orders)");
        const body = renderSample(a.message.body, UI);
        expect(body).toContain("*Resource*: acme.table.orders");
        expect(body).toContain("*rows_loaded*: 0");
        expect(body).toContain("*items*: (not in the event)");
        expect(body).toContain("*Emitted by*: exchange-rates-daily, run crimson-okapi: <http://127.0.0.1:4200/runs/flow-run/");
    });

    it("refuses Prefect's reserved namespaces and names that could reach them, unsafe field names, unknown routes", () => {
        const dq = (d: Record<string, unknown>) => refusal({ dataQuality: { events: ["acme.table.empty"], channels: ["alerts"], ...d } });
        for (const name of ["prefect.flow-run.Failed", "prefect.*", "prefect-cloud.automation.action.failed", "Prefect.x"])
            expect(dq({ events: [name] })).toEqual({
                key: "prefect-alerting:dataQuality.events[0]",
                expected:
                    "an event name outside Prefect's reserved namespaces prefect.* and prefect-cloud.* " +
                    '(your own, such as "acme.table.empty")',
            });
        for (const name of ["*", "pref*", "acme", "acme table.empty", "acme.*.x"])
            expect(dq({ events: [name] }).expected, name).toMatch(/^an event name such as "acme.table.empty", or a prefix ending in "\*"/);
        expect(dq({ fields: ["rows loaded"] })).toEqual({
            key: "prefect-alerting:dataQuality.fields[0]",
            expected: 'a payload field name such as "rows_loaded" (letters, digits and _)',
        });
        expect(dq({ fields: ['x"]}}{{ 1'] }).key).toBe("prefect-alerting:dataQuality.fields[0]");
        expect(dq({ resourcePrefix: "acme.*" }).key).toBe("prefect-alerting:dataQuality.resourcePrefix");
        expect(dq({ routes: ["nope"] }).key).toBe("prefect-alerting:dataQuality.routes[0]");
        expect(refusal({ dataQuality: { channels: ["alerts"] } })).toEqual({
            key: "prefect-alerting:dataQuality.events",
            expected: 'at least one event name (such as "acme.table.empty") when dataQuality is set',
        });
        expect(refusal({ dataQuality: { events: ["acme.table.empty"] } }).key).toBe("prefect-alerting:dataQuality.channels");
    });
});

describe("deployment, work-queue and work-pool health", () => {
    const cfg = {
        health: {
            deployments: ["exchange-rates-daily-prod"],
            workQueues: ["default", "priority"],
            workPools: ["local-pool"],
            channels: ["alerts"],
            p1Channels: ["critical", "pager"],
        },
    };

    it("one automation per kind of event, for the named resources, counted per resource", () => {
        const all = of(cfg, "health");
        expect(all.map((a) => [a.key, a.tier, a.trigger.expect, a.trigger.match, a.channels])).toEqual([
            [
                "health-deployment-not-ready",
                "p1",
                ["prefect.deployment.not-ready"],
                { "prefect.resource.id": "prefect.deployment.*", "prefect.resource.name": "exchange-rates-daily-prod" },
                ["critical", "pager"],
            ],
            [
                "health-work-queue-not-ready",
                "p1",
                ["prefect.work-queue.not-ready"],
                { "prefect.resource.id": "prefect.work-queue.*", "prefect.resource.name": ["default", "priority"] },
                ["critical", "pager"],
            ],
            [
                "health-work-queue-paused",
                "warning",
                ["prefect.work-queue.paused"],
                { "prefect.resource.id": "prefect.work-queue.*", "prefect.resource.name": ["default", "priority"] },
                ["alerts"],
            ],
            [
                "health-work-pool-paused",
                "warning",
                ["prefect.work-pool.paused"],
                { "prefect.resource.id": "prefect.work-pool.*", "prefect.resource.name": "local-pool" },
                ["alerts"],
            ],
        ]);
        for (const a of all)
            expect([a.trigger.posture, a.trigger.for_each, a.trigger.within]).toEqual(["Reactive", ["prefect.resource.id"], 0]);
        // Without p1Channels the P1s go to channels.
        const [dep] = of({ health: { deployments: ["d"], channels: ["alerts"] } }, "health");
        expect(dep.channels).toEqual(["alerts"]);
    });

    it("not-ready alerts carry the incident; the .ready event resolves it where a channel tracks incidents", () => {
        const [dep, queue, paused, pool] = of(cfg, "health");
        expect(dep.incident).toEqual({ dedupKey: deploymentIncidentKey("local"), action: "trigger", severity: "critical" });
        expect(queue.incident).toEqual({ dedupKey: workQueueIncidentKey("local"), action: "trigger", severity: "critical" });
        expect(workQueueIncidentKey("local")).toBe("prefect/local/work-queue/{{ work_queue.id }}");
        expect([paused.incident, pool.incident]).toEqual([undefined, undefined]);
        const r = healthResolve(queue, ["pager"]);
        expect([r.key, r.trigger.after, r.trigger.expect, r.trigger.for_each, r.trigger.match, r.incident, r.channels]).toEqual([
            "health-work-queue-not-ready-resolve",
            // Only after a not-ready of the same queue: the first ready after creation, or after a pause, sends nothing.
            ["prefect.work-queue.not-ready"],
            ["prefect.work-queue.ready"],
            ["prefect.resource.id"],
            queue.trigger.match,
            { ...queue.incident, action: "resolve" },
            ["pager"],
        ]);
        expect(healthResolve(dep, ["pager"]).trigger).toMatchObject({
            after: ["prefect.deployment.not-ready"],
            expect: ["prefect.deployment.ready"],
        });
        expect(() => healthResolve(paused, ["pager"])).toThrow(/opens no incident/);
        // Webhook channels: no resolve planned; prod's PagerDuty P1 channel: one per not-ready automation.
        expect(plan(cfg).filter((a) => a.incident?.action === "resolve")).toEqual([]);
        const prod = planAlerting(
            parseStackConfig(
                editKey(prodStack(), "health", () => ({
                    deployments: ["d"],
                    workQueues: ["q"],
                    channels: ["alerts"],
                    p1Channels: ["critical", "pagerP1"],
                })),
            ),
        ).automations.filter((a) => a.signal === "health");
        expect(prod.map((a) => a.key)).toEqual([
            "health-deployment-not-ready",
            "health-deployment-not-ready-resolve",
            "health-work-queue-not-ready",
            "health-work-queue-not-ready-resolve",
            "health-work-queue-paused",
        ]);
    });

    it("messages name the resource and link it", () => {
        const [dep, queue, paused, pool] = of(cfg, "health");
        expect(renderSample(dep.message.subject, UI)).toBe("P1: deployment exchange-rates-daily-prod is not ready");
        expect(renderSample(dep.message.body, UI)).toContain("<http://127.0.0.1:4200/deployments/deployment/7c1d2e3f-");
        expect(renderSample(queue.message.subject, UI)).toBe("P1: work queue default is not ready");
        expect(renderSample(paused.message.subject, UI)).toBe("Work queue default was paused");
        expect(renderSample(paused.message.body, UI)).toContain("<http://127.0.0.1:4200/work-queues/work-queue/9e8d7c6b-");
        expect(renderSample(pool.message.subject, UI)).toBe("Work pool default-work-pool was paused");
        for (const a of [dep, queue, paused, pool]) expect(unknownTemplateNames(a.message.subject + a.message.body)).toEqual([]);
    });

    it("config: channels required for warnings, checked where written", () => {
        expect(refusal({ health: { workPools: ["p"], p1Channels: ["pager"] } })).toEqual({
            key: "prefect-alerting:health.channels",
            expected: "at least one channel name when health names deployments, work queues or work pools",
        });
        expect(refusal({ health: { deployments: ["d"], channels: ["alerts"], p1Channels: ["nope"] } }).key).toBe(
            "prefect-alerting:health.p1Channels[0]",
        );
        expect(refusal({ health: { workPools: ["p", "p"], channels: ["alerts"] } }).key).toBe("prefect-alerting:health.workPools");
    });
});
