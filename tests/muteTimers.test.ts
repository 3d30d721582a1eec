/**
 * Mutes that end by themselves (issue 15): the pure timer plan (clock
 * injected), a passed mute is ended rather than refused, production mutes are
 * bounded by muteMaxDays, and the program under mocks builds one timer
 * automation per mute end that resumes the muted automations by id.
 */
import { describe, expect, it, vi } from "vitest";
import { ConfigError } from "../config/errors";
import { PROJECT, RawConfig, parseStackConfig } from "../config/load";
import { operationsProblem, splitMutes } from "../config/operations";
import { runProgramForEngine, serializedInputs } from "../harness/engineCapture";
import { unwrapSecrets } from "../harness/runProgram";
import { MUTE_TIMER_EVENT, planMuteTimers, timerWithin } from "../rules/muteTimers";
import { planAlerting } from "../rules/plan";
import { describeMutes } from "../cli/preview/verbose";
import { editKey, stackConfig } from "./helpers/stacks";

const NOW = new Date("2026-05-01T12:00:00Z");
const k = (key: string) => `${PROJECT}:${key}`;

function withKeys(stack: string, values: Record<string, unknown>, now: Date | undefined = NOW): RawConfig {
    let raw = stackConfig(stack);
    for (const [key, value] of Object.entries(values)) raw = editKey(raw, key, () => value);
    return { ...raw, now };
}

function errorOf(fn: () => unknown): ConfigError {
    try {
        fn();
    } catch (e) {
        if (e instanceof ConfigError) return e;
        throw e;
    }
    throw new Error("expected a ConfigError");
}

const muted = (key: string, until: string, reason = "migration") => ({ key, enabled: false, mute: { until, reason } });

describe("planMuteTimers (pure, now injected)", () => {
    it("within is the seconds from now to until, rounded up, and at least Prefect's Proactive minimum of 10 s", () => {
        expect(timerWithin("2026-05-01T13:00:00Z", NOW)).toBe(3600);
        expect(timerWithin("2026-05-01T12:00:01.200Z", NOW)).toBe(10);
        expect(timerWithin("2026-05-01T12:00:10.5Z", NOW)).toBe(11);
        // An offset is the same instant.
        expect(timerWithin("2026-05-01T15:00:00+02:00", NOW)).toBe(3600);
    });

    it("one timer per distinct until instant, resuming only the disabled automations of that mute, sorted by end", () => {
        const timers = planMuteTimers(
            [
                muted("warning-dlt", "2026-05-02T06:00:00Z"),
                muted("warning-finance", "2026-05-01T14:00:00Z", "quarter close"),
                // The same instant written with another offset belongs to the same timer.
                muted("critical-dlt", "2026-05-02T08:00:00+02:00"),
                { key: "critical-dlt-resolve", enabled: true },
                { key: "p1-no-success", enabled: true },
            ],
            "prod",
            NOW,
        );
        expect(timers.map((t) => [t.until, t.resumes, t.trigger.within])).toEqual([
            ["2026-05-01T14:00:00Z", ["warning-finance"], 7200],
            ["2026-05-02T06:00:00Z", ["critical-dlt", "warning-dlt"], 64800],
        ]);
        expect(timers[0].key).toMatch(/^mute-timer-20260501T140000Z-[0-9a-f]{8}$/);
        expect(timers[1].key).toMatch(/^mute-timer-20260502T060000Z-[0-9a-f]{8}$/);
        expect(timers[0].name).toBe("[prod] Mute ends 2026-05-01T14:00:00Z");
        // Named in UTC whichever offset the first of its mutes was written with.
        expect(planMuteTimers([muted("warning-dlt", "2026-05-02T08:00:00+02:00")], "prod", NOW)[0].name).toBe(
            "[prod] Mute ends 2026-05-02T06:00:00Z",
        );
        expect(timers[0].description).toMatch(
            /^Ends the mute of warning-finance at 2026-05-01T14:00:00Z: resumes them, then pauses itself/,
        );
    });

    it("waits Proactively for an event of its own namespace that nobody emits, once", () => {
        const [t] = planMuteTimers([muted("warning-dlt", "2026-05-01T12:01:30Z")], "mute", NOW);
        expect(t.trigger).toEqual({
            posture: "Proactive",
            match: { "prefect.resource.id": "prefect-alerting.mute-timer.mute" },
            match_related: {},
            after: [],
            expect: [MUTE_TIMER_EVENT],
            for_each: [],
            threshold: 1,
            within: 90,
        });
        expect(MUTE_TIMER_EVENT.startsWith("prefect.")).toBe(false);
    });

    it("the name changes with the until and with the automations resumed, not with the clock; a new reason changes nothing", () => {
        const key = (list: ReturnType<typeof muted>[], now = NOW) => planMuteTimers(list, "prod", now)[0].key;
        const base = key([muted("warning-dlt", "2026-05-02T06:00:00Z")]);
        const [a, b] = [muted("warning-dlt", "2026-05-02T06:00:00Z"), muted("warning-dlt", "2026-05-02T06:00:00Z", "other")].map(
            (m) => planMuteTimers([m], "prod", NOW)[0],
        );
        expect(a).toEqual(b);
        expect(key([muted("warning-dlt", "2026-05-02T06:00:00Z")], new Date("2026-05-01T18:00:00Z"))).toBe(base);
        expect(key([muted("warning-dlt", "2026-05-02T07:00:00Z")])).not.toBe(base);
        expect(key([muted("warning-dlt", "2026-05-02T06:00:00Z"), muted("critical-dlt", "2026-05-02T06:00:00Z")])).not.toBe(base);
    });

    it("no muted automation, no timer", () => {
        expect(planMuteTimers([{ key: "warning-dlt", enabled: true }], "prod", NOW)).toEqual([]);
    });
});

describe("a mute whose until has passed has ended: its route alerts again, the stack is not refused", () => {
    const mute = { dlt: { until: "2026-05-01T11:59:00Z", reason: "migration" } };

    it("splitMutes: on until after now, ended at or before", () => {
        const both = { ...mute, finance: { until: "2026-05-01T12:00:01Z", reason: "close" } };
        expect(splitMutes(both, NOW)).toEqual({ active: { finance: both.finance }, ended: mute });
        expect(splitMutes({ dlt: { until: NOW.toISOString(), reason: "x" } }, NOW).ended).toHaveProperty("dlt");
    });

    it("the plan: every automation enabled, no Muted description, no timer; the mute is listed as ended", () => {
        const cfg = parseStackConfig(withKeys("prod", { mute }));
        expect(cfg.mutes).toEqual({});
        expect(cfg.endedMutes).toEqual(mute);
        const plan = planAlerting(cfg);
        // Every automation enabled but the armed resolves (off by design until their alert fires; never muted).
        expect(plan.automations.every((a) => (a.enabled || a.armedBy !== undefined) && !a.description.startsWith("Muted"))).toBe(true);
        expect(plan.automations.filter((a) => !a.enabled).map((a) => a.key)).toEqual(["p1-no-success-dlt-resolve"]);
        expect(plan.muteTimers).toEqual([]);
    });

    it("the same mute one minute earlier: muted, with a timer of 60 s", () => {
        const plan = planAlerting(parseStackConfig(withKeys("prod", { mute }, new Date("2026-05-01T11:58:00Z"))));
        expect(plan.automations.filter((a) => !a.enabled).length).toBeGreaterThan(0);
        expect(plan.muteTimers.map((t) => t.trigger.within)).toEqual([60]);
    });

    it("the preview says it ended and to remove it from the stack file", () => {
        const lines = describeMutes([{ key: "warning-dlt", routes: ["dlt"], enabled: true }], {}, mute);
        expect(lines.slice(1)).toEqual([
            "  dlt: the mute ENDED at 2026-05-01T11:59:00Z (migration); its automations are created enabled. " +
                "Remove it from the stack file: pulumi config rm --path mute.dlt",
        ]);
    });
});

describe("muteMaxDays: in production a mute ends at most this many days from now (7 by default)", () => {
    const settings = (until: string, environment = "production", muteMaxDays = 7) => ({
        maintenance: [],
        maintenanceMaxHours: 24,
        mute: { dlt: { until, reason: "migration" } },
        muteMaxDays,
        environment,
        pagerDutyEnabled: true,
        routeNames: ["dlt"],
    });

    it("pure: 7 days exactly is accepted, a minute more refused; not in development; a raised maximum accepts it", () => {
        expect(operationsProblem(settings("2026-05-08T12:00:00Z"), NOW)).toBeUndefined();
        expect(operationsProblem(settings("2026-05-08T12:01:00Z"), NOW)).toEqual({
            path: ["mute", "dlt", "until"],
            expected:
                "an until at most muteMaxDays (7 d) from now in a production stack (this mute ends at 2026-05-08T12:01:00Z, " +
                "7 d from now, 2026-05-01T12:00:00.000Z); a mute that long is usually forgotten: shorten it, or raise muteMaxDays",
        });
        expect(operationsProblem(settings("2099-01-01T00:00:00Z", "development"), NOW)).toBeUndefined();
        expect(operationsProblem(settings("2026-05-20T00:00:00Z", "production", 30), NOW)).toBeUndefined();
    });

    it("the parser: a mute until 2099 in prod is one ConfigError naming the stack and the key; muteMaxDays out of range too", () => {
        const e = errorOf(() => parseStackConfig(withKeys("prod", { mute: { dlt: { until: "2099-01-01T00:00:00Z", reason: "x" } } })));
        expect(e.key).toBe(k("mute.dlt.until"));
        expect(e.message).toMatch(
            /^Invalid configuration for stack "prod": prefect-alerting:mute\.dlt\.until: expected an until at most muteMaxDays \(7 d\)/,
        );
        expect(errorOf(() => parseStackConfig(withKeys("prod", { muteMaxDays: 0 }))).key).toBe(k("muteMaxDays"));
        const raised = withKeys("prod", { muteMaxDays: 60, mute: { dlt: { until: "2026-06-01T00:00:00Z", reason: "x" } } });
        expect(Object.keys(parseStackConfig(raised).mutes)).toEqual(["dlt"]);
        // dev is not production: a long mute is its own business.
        const dev = withKeys("dev", { mute: { dlt: { until: "2099-01-01T00:00:00Z", reason: "x" } } });
        expect(Object.keys(parseStackConfig(dev).mutes)).toEqual(["dlt"]);
    });
});

describe("the program under mocks (real clock)", () => {
    it("one timer under MuteTimers: resumes each muted automation by its id, pauses itself, ignores trigger changes", async () => {
        vi.resetModules();
        const until = new Date(Date.now() + 2 * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
        const raw = withKeys("prod", { mute: { dlt: { until, reason: "warehouse migration" } } }, undefined);
        const { run, resources } = await runProgramForEngine({ stack: "prod", values: raw.values, secretKeys: [...raw.secretKeys] });
        const automations = resources.filter((r) => r.type === "prefect:index/automation:Automation");
        const timers = automations.filter((r) => r.urn.includes("alerting:index:MuteTimers$"));
        expect(timers).toHaveLength(1);
        const [timer] = timers;
        const inputs = unwrapSecrets(serializedInputs(timer)) as Record<string, any>;
        const idOf = new Map(run.resources.filter((r) => r.type === "prefect:index/automation:Automation").map((r) => [r.id, r.name]));
        const resumed = inputs.actions.map((a: Record<string, string>) => {
            expect(a).toEqual({ type: "resume-automation", source: "selected", automationId: expect.any(String) });
            return idOf.get(a.automationId);
        });
        expect(resumed.sort()).toEqual([
            "critical-dlt",
            "late-runs-dlt",
            "p1-no-success-dlt",
            "stuck-pending-dlt",
            "stuck-running-dlt",
            "warning-dlt",
        ]);
        expect(inputs.actionsOnTriggers).toEqual([{ type: "pause-automation", source: "inferred" }]);
        expect(inputs.enabled).toBe(true);
        expect(inputs.trigger.event).toMatchObject({ posture: "Proactive", expects: [MUTE_TIMER_EVENT], threshold: 1 });
        // Computed from the program's clock a moment ago: two days, less the time the run took.
        expect(inputs.trigger.event.within).toBeGreaterThan(2 * 86_400 - 120);
        expect(inputs.trigger.event.within).toBeLessThanOrEqual(2 * 86_400);
        expect(timer.opts?.ignoreChanges).toEqual(["trigger"]);
        expect(timer.propertyDependencies?.actions?.length).toBe(6);
        expect(Object.keys(run.outputs.muteTimers as object)).toEqual([timer.name]);
    });

    it("a stack without mutes has no timer and no muteTimers output", async () => {
        vi.resetModules();
        const raw = stackConfig("prod");
        const { run, resources } = await runProgramForEngine({ stack: "prod", values: raw.values, secretKeys: [...raw.secretKeys] });
        expect(resources.filter((r) => r.urn.includes("MuteTimers"))).toEqual([]);
        expect(run.outputs.muteTimers).toBeUndefined();
    });
});
