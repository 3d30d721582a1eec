import { describe, expect, it } from "vitest";
import { ConfigError } from "../config/errors";
import { RawConfig, parseStackConfig } from "../config/load";
import { Route, sectionOf } from "../config/model";
import { unknownTemplateNames } from "../prefect/vocabulary";
import { describeTrigger } from "../rules/describe";
import { deploymentIncidentKey, flowRunIncidentKey } from "../alert/incidents";
import { tracksIncidents } from "../rules/incidents";
import { planAlerting, signalContext } from "../rules/plan";
import { SAMPLE_CONTEXT, renderSample } from "../alert/templates";
import { RECOVERY_WINDOW_SECONDS } from "../alert/triggers";
import { lateRunMessage, lateRunTrigger, lateRuns, planLateRuns } from "../signals/lateRuns";
import {
    PENDING_EVENTS,
    TERMINAL_EVENTS,
    planStuckRuns,
    stuckRuns,
    stuckPendingTrigger,
    stuckRunMessage,
    stuckRunningTrigger,
} from "../signals/stuckRuns";
import { editKey, stackConfig } from "./helpers/stacks";

const UI = "http://127.0.0.1:4200";
const route: Route = { name: "dlt", tags: ["dlt"], flows: [], deployments: [] };
const ON = { enabled: true, channels: ["alerts"] };

/** The dev stack with these lateRuns / stuckRuns sections (dev has one Slack channel, alerts, and the dlt route). */
function dev(late?: unknown, stuck?: unknown): RawConfig {
    let raw = stackConfig("dev");
    if (late !== undefined) raw = editKey(raw, "lateRuns", () => late);
    if (stuck !== undefined) raw = editKey(raw, "stuckRuns", () => stuck);
    return raw;
}
const planned = (raw: RawConfig, signal: string) => planAlerting(parseStackConfig(raw)).automations.filter((a) => a.signal === signal);

function configError(raw: RawConfig): string {
    try {
        parseStackConfig(raw);
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
    }
    throw new Error("expected a ConfigError");
}

describe("late runs", () => {
    it("is off unless enabled: dev and local plan no late-run automation", () => {
        expect(planned(stackConfig("dev"), "lateRuns")).toEqual([]);
        expect(planned(stackConfig("local"), "lateRuns")).toEqual([]);
    });

    it("Reactive on prefect.flow-run.Late of the route's runs, one bucket per deployment, quiet for repeatMinutes", () => {
        expect(lateRunTrigger(route, 3600)).toEqual({
            posture: "Reactive",
            match: { "prefect.resource.id": "prefect.flow-run.*" },
            // Runs of a deployment only: the incident is keyed by it (no key with an empty id for an ad-hoc run).
            match_related: [
                { "prefect.resource.role": "tag", "prefect.resource.id": "prefect.tag.dlt" },
                { "prefect.resource.role": "deployment" },
            ],
            after: [],
            expect: ["prefect.flow-run.Late"],
            for_each: ["related:deployment:prefect.resource.id"],
            threshold: 1,
            within: 3600,
        });
    });

    it("defaults: warning, one alert per deployment per 60 minutes, every route, with the deployment's incident key", () => {
        const [a, ...rest] = planned(dev(ON), "lateRuns");
        expect(rest).toEqual([]);
        expect(a).toMatchObject({
            key: "late-runs-dlt",
            tier: "warning",
            name: "[dev] Late runs (dlt)",
            channels: ["alerts"],
            routes: ["dlt"],
        });
        expect(a.trigger.within).toBe(3600);
        expect(a.incident).toEqual({ dedupKey: deploymentIncidentKey("dev"), action: "trigger", severity: "warning" });
        expect(a.incident!.dedupKey).toBe("prefect/dev/deployment/{{ deployment.id }}");
    });

    it("one automation per route it names; critical severity moves it to the critical tier and says so", () => {
        const raw = editKey(dev({ ...ON, routes: ["b"], severity: "critical", repeatMinutes: 0 }), "routes", () => ({
            a: { tags: ["a"] },
            b: { flows: ["orders"] },
        }));
        const specs = planned(raw, "lateRuns");
        expect(specs.map((s) => [s.key, s.tier, s.trigger.within])).toEqual([["late-runs-b", "critical", 0]]);
        expect(specs[0].trigger.match_related).toEqual([
            { "prefect.resource.role": "flow", "prefect.resource.name": "orders" },
            { "prefect.resource.role": "deployment" },
        ]);
        expect(specs[0].message.subject).toMatch(/^CRITICAL: Late run: /);
        expect(specs[0].message.body).toContain("Every late run is reported.");
        expect(specs[0].incident!.severity).toBe("critical");
    });

    it("the message names run, flow, deployment, scheduled time and link, using only names Prefect provides", () => {
        const m = lateRunMessage(false, 3600);
        expect(unknownTemplateNames(m.subject + m.body)).toEqual([]);
        const body = renderSample(m.body, UI);
        expect(body).toContain(`*Flow*: ${SAMPLE_CONTEXT.flow.name}`);
        expect(body).toContain(`*Deployment*: ${SAMPLE_CONTEXT.deployment.name}`);
        expect(body).toContain(`*Run*: ${SAMPLE_CONTEXT.flow_run.name} (\`${SAMPLE_CONTEXT.flow_run.id}\`)`);
        expect(body).toContain(`*Scheduled for*: ${SAMPLE_CONTEXT.flow_run.expected_start_time}`);
        expect(body).toContain(`<${UI}/runs/flow-run/${SAMPLE_CONTEXT.flow_run.id}|open the flow run in Prefect>`);
        expect(body).toContain("not reported for 1 hour");
        expect(renderSample(m.subject, UI)).toBe(
            `Late run: ${SAMPLE_CONTEXT.flow.name} (${SAMPLE_CONTEXT.deployment.name}) has not started`,
        );
    });

    it("the preview says it in words: first event per deployment, then quiet for the interval", () => {
        expect(describeTrigger(lateRunTrigger(route, 3600))).toBe(
            "fires on the first event [prefect.flow-run.Late] of prefect.resource.id = prefect.flow-run.* with a related tag with " +
                "prefect.resource.id = prefect.tag.dlt and a related deployment, counted separately per " +
                "related:deployment:prefect.resource.id; then quiet " +
                "for that bucket for 1 hour",
        );
    });

    it("plans its resolve automation (a run of the deployment starts Running after a Late one, same key) only when asked", () => {
        const cfg = parseStackConfig(dev(ON));
        expect(planLateRuns(sectionOf(cfg, lateRuns.settings), signalContext(cfg), () => []).map((a) => a.key)).toEqual(["late-runs-dlt"]);
        const [alert, resolve] = planLateRuns(sectionOf(cfg, lateRuns.settings), signalContext(cfg), () => ["pager"]);
        expect(resolve.key).toBe("late-runs-resolve-dlt");
        expect(resolve.channels).toEqual(["pager"]);
        // Opened by a Late run of the same deployment: a deployment whose runs start on time sends nothing.
        expect(resolve.trigger).toEqual({
            ...alert.trigger,
            after: ["prefect.flow-run.Late"],
            expect: ["prefect.flow-run.Running"],
            within: RECOVERY_WINDOW_SECONDS,
        });
        expect(resolve.incident).toEqual({ ...alert.incident, action: "resolve" });
        expect(unknownTemplateNames(resolve.message.subject + resolve.message.body)).toEqual([]);
    });
});

describe("stuck runs", () => {
    it("is off unless enabled: dev and local plan no stuck-run automation", () => {
        expect(planned(stackConfig("dev"), "stuckRuns")).toEqual([]);
        expect(planned(stackConfig("local"), "stuckRuns")).toEqual([]);
    });

    it("Proactive: after Running, expect a terminal state of the same run (for_each its id) within the window", () => {
        expect(stuckRunningTrigger(route, 7200)).toEqual({
            posture: "Proactive",
            match: { "prefect.resource.id": "prefect.flow-run.*" },
            match_related: { "prefect.resource.role": "tag", "prefect.resource.id": "prefect.tag.dlt" },
            after: ["prefect.flow-run.Running"],
            expect: [
                "prefect.flow-run.Completed",
                "prefect.flow-run.Failed",
                "prefect.flow-run.Crashed",
                "prefect.flow-run.TimedOut",
                "prefect.flow-run.Cancelled",
            ],
            for_each: ["prefect.resource.id"],
            threshold: 1,
            within: 7200,
        });
        // Cancelling is not an end: a run hanging there is still stuck.
        expect(TERMINAL_EVENTS).not.toContain("prefect.flow-run.Cancelling");
    });

    it("Pending: after any PENDING-type state, expect Running or a terminal state", () => {
        const t = stuckPendingTrigger(route, 1800);
        expect(t.after).toEqual(["prefect.flow-run.Pending", "prefect.flow-run.Submitting", "prefect.flow-run.InfrastructurePending"]);
        expect(t.expect).toEqual(["prefect.flow-run.Running", ...TERMINAL_EVENTS]);
        expect(t).toMatchObject({ posture: "Proactive", for_each: ["prefect.resource.id"], threshold: 1, within: 1800 });
    });

    it("defaults: warning after 120 minutes Running, no Pending check; with pendingAfterMinutes a second automation", () => {
        expect(planned(dev(undefined, ON), "stuckRuns").map((a) => [a.key, a.tier, a.trigger.within])).toEqual([
            ["stuck-running-dlt", "warning", 7200],
        ]);
        const both = planned(
            dev(undefined, { ...ON, stuckAfterMinutes: 0.25, pendingAfterMinutes: 30, severity: "critical" }),
            "stuckRuns",
        );
        expect(both.map((a) => [a.key, a.tier, a.trigger.within])).toEqual([
            ["stuck-running-dlt", "critical", 15],
            ["stuck-pending-dlt", "critical", 1800],
        ]);
        for (const a of both) expect(a.incident).toEqual({ dedupKey: flowRunIncidentKey("dev"), action: "trigger", severity: "critical" });
    });

    it("the shortest window the config accepts (0.25 min) clears Prefect's 10 s Proactive floor", () => {
        const [a] = planned(dev(undefined, { ...ON, stuckAfterMinutes: 0.25 }), "stuckRuns");
        expect(a.trigger.within).toBe(15);
        expect(a.trigger.within).toBeGreaterThanOrEqual(10);
    });

    it("the message says how long and links the run (Started for Running, Scheduled for for Pending)", () => {
        const running = stuckRunMessage("Running", 7200, false);
        const pending = stuckRunMessage("Pending", 1800, true);
        for (const m of [running, pending]) expect(unknownTemplateNames(m.subject + m.body)).toEqual([]);
        const body = renderSample(running.body, UI);
        expect(renderSample(running.subject, UI)).toBe(`Stuck run: ${SAMPLE_CONTEXT.flow.name} still running after 2 hours`);
        expect(body).toContain("has been Running for more than 2 hours");
        expect(body).toContain(`*Started*: ${SAMPLE_CONTEXT.flow_run.start_time}`);
        expect(body).toContain(`*Run*: ${SAMPLE_CONTEXT.flow_run.name} (\`${SAMPLE_CONTEXT.flow_run.id}\`)`);
        expect(body).toContain(`<${UI}/runs/flow-run/${SAMPLE_CONTEXT.flow_run.id}|open the flow run in Prefect>`);
        expect(renderSample(pending.subject, UI)).toBe(`CRITICAL: Stuck run: ${SAMPLE_CONTEXT.flow.name} still pending after 30 minutes`);
        expect(renderSample(pending.body, UI)).toContain(`*Scheduled for*: ${SAMPLE_CONTEXT.flow_run.expected_start_time}`);
    });

    it("the preview says the window opens on Running and what closes it", () => {
        expect(describeTrigger(stuckRunningTrigger(route, 900))).toBe(
            "fires when, within 15 minutes after an event [prefect.flow-run.Running], no event [prefect.flow-run.Completed, " +
                "prefect.flow-run.Failed, prefect.flow-run.Crashed, prefect.flow-run.TimedOut, prefect.flow-run.Cancelled] arrives for " +
                "prefect.resource.id = prefect.flow-run.* with a related tag with prefect.resource.id = prefect.tag.dlt, counted " +
                "separately per prefect.resource.id",
        );
    });

    it("plans its resolve automation (the run moves on, same key) only when asked", () => {
        const cfg = parseStackConfig(dev(undefined, { ...ON, pendingAfterMinutes: 30 }));
        expect(planStuckRuns(sectionOf(cfg, stuckRuns.settings), signalContext(cfg), () => []).map((a) => a.key)).toEqual([
            "stuck-running-dlt",
            "stuck-pending-dlt",
        ]);
        const resolve = planStuckRuns(sectionOf(cfg, stuckRuns.settings), signalContext(cfg), () => ["pager"])[2];
        expect(resolve.key).toBe("stuck-runs-resolve-dlt");
        expect(resolve.channels).toEqual(["pager"]);
        expect(resolve.trigger).toMatchObject({
            posture: "Reactive",
            after: [...PENDING_EVENTS, "prefect.flow-run.Running"],
            expect: ["prefect.flow-run.Running", ...TERMINAL_EVENTS],
            for_each: ["prefect.resource.id"],
            within: RECOVERY_WINDOW_SECONDS,
        });
        expect(resolve.incident).toEqual({ dedupKey: flowRunIncidentKey("dev"), action: "resolve", severity: "warning" });
    });
});

describe("resolve automations wait for a channel that tracks incidents", () => {
    it("none does yet: a stack with both signals on plans no resolve automation", () => {
        const raw = dev(ON, { ...ON, pendingAfterMinutes: 30 });
        const keys = planAlerting(parseStackConfig(raw)).automations.map((a) => a.key);
        expect(keys.filter((k) => k.includes("resolve"))).toEqual([]);
        expect(tracksIncidents(parseStackConfig(raw), ["alerts"])).toBe(false);
    });

    it("a kind that tracks incidents (pagerduty) switches them on for the signals that send to it, unless auto-resolve is off", () => {
        const cfg = parseStackConfig(stackConfig("prod"));
        expect(tracksIncidents(cfg, ["pager"])).toBe(true);
        expect(tracksIncidents(cfg, ["critical", "pagerP1"])).toBe(true);
        expect(tracksIncidents(cfg, ["alerts", "critical"])).toBe(false);
        const off = parseStackConfig(editKey(stackConfig("prod"), "pagerDuty", (pd) => ({ ...pd, autoResolve: false })));
        expect(tracksIncidents(off, ["pager"])).toBe(false);
    });
});

describe("config errors name the key and the expected form", () => {
    it.each([
        ["stuckRuns", { ...ON, stuckAfterMinutes: 0.1 }, "stuckRuns.stuckAfterMinutes", /a number of minutes from 0\.25 to 10080/],
        ["stuckRuns", { ...ON, pendingAfterMinutes: 0 }, "stuckRuns.pendingAfterMinutes", /Prefect refuses one under 10 s/],
        ["lateRuns", { ...ON, severity: "page" }, "lateRuns.severity", /"warning" or "critical"/],
        ["lateRuns", { ...ON, repeatMinutes: -1 }, "lateRuns.repeatMinutes", /a number of minutes from 0 to 10080/],
        ["lateRuns", { enabled: true }, "lateRuns.channels", /at least one channel name/],
        ["stuckRuns", { ...ON, routes: ["nope"] }, "stuckRuns.routes[0]", /one of the routes defined under routes \(dlt\)/],
        ["stuckRuns", { ...ON, channels: ["pager"] }, "stuckRuns.channels[0]", /one of the channels defined under channels \(alerts\)/],
        ["lateRuns", { ...ON, after: 5 }, "lateRuns.after", /one of the settings/],
    ])("%s %j -> %s", (key, value, where, expected) => {
        const message = configError(editKey(stackConfig("dev"), key, () => value));
        expect(message).toContain(`prefect-alerting:${where}`);
        expect(message).toMatch(expected);
    });

    it("a disabled section is not checked for channels", () => {
        expect(planned(dev({ enabled: false }, { enabled: false }), "lateRuns")).toEqual([]);
    });
});
