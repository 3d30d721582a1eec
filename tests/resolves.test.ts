import { describe, expect, it } from "vitest";
import { kindOf } from "../channels/registry";
import { PROJECT, parseStackConfig } from "../config/load";
import type { StackConfig } from "../config/model";
import { resolveChannels } from "../rules/incidents";
import { PlannedAutomation, planAlerting } from "../rules/plan";
import { RECOVERY_WINDOW_SECONDS, clearedAfter } from "../alert/triggers";
import { idleResolveLines } from "../cli/preview/resolves";
import { editKey, stackConfig } from "./helpers/stacks";

/**
 * "Recovered" only where something was opened (issue 15): a resolve is sent to incident-tracking channels
 * (PagerDuty), to chat only on opt-in (`recoveredNotice`), and its trigger can fire only after its alert's own
 * event for the same resource (Reactive `after`, same `for_each`) or once its alert armed it.
 */

/** prod with every incident-opening signal on, each to a chat channel and a PagerDuty one. */
function everySignal(extra: Record<string, (v: any) => unknown> = {}): StackConfig {
    let raw = stackConfig("prod", { [`${PROJECT}:pagerDutyApiKey`]: undefined });
    const edits: Record<string, (v: any) => unknown> = {
        lateRuns: (v) => ({ ...v, channels: ["alerts", "pager"], repeatMinutes: 0 }),
        stuckRuns: (v) => ({ ...v, channels: ["alerts", "pager"] }),
        freshness: (v) => ({ ...v, channels: ["alerts", "pager"] }),
        health: () => ({
            deployments: ["orders-load"],
            workQueues: ["etl-queue"],
            channels: ["alerts"],
            p1Channels: ["critical", "pagerP1"],
        }),
        ...extra,
    };
    for (const [key, edit] of Object.entries(edits)) raw = editKey(raw, key, edit);
    return parseStackConfig(raw);
}

const tracks = (cfg: StackConfig, name: string) => kindOf(cfg.channels.find((c) => c.name === name)!.spec).tracksIncidents === true;
const resolves = (automations: PlannedAutomation[]) => automations.filter((a) => a.incident?.action === "resolve");
const alertOf = (automations: PlannedAutomation[], r: PlannedAutomation) =>
    automations.find((a) => a.key === r.key.replace(/-resolve$/, "").replace("-runs-resolve-", "-runs-"))!;

describe("by default a resolve goes to PagerDuty only: chat never reads Recovered", () => {
    const cfg = everySignal();
    const plan = planAlerting(cfg).automations;

    it("plans the resolves of every signal that opens incidents on PagerDuty, stuck runs excepted (opt-in)", () => {
        expect(resolves(plan).map((a) => a.key)).toEqual([
            "critical-dlt-resolve",
            "p1-work-pool-not-ready-resolve",
            "p1-no-success-dlt-resolve",
            "late-runs-resolve-dlt",
            "freshness-deployment-exchange-rates-daily-prod-resolve",
            "health-deployment-not-ready-resolve",
            "health-work-queue-not-ready-resolve",
        ]);
    });

    it("every resolve sends to incident-tracking channels only", () => {
        for (const r of resolves(plan)) {
            expect(r.channels.length, r.key).toBeGreaterThan(0);
            for (const c of r.channels) expect(tracks(cfg, c), `${r.key} -> ${c}`).toBe(true);
        }
    });

    it("every resolve can fire only after its alert: its alert's events open its bucket (same for_each), or its alert arms it", () => {
        for (const r of resolves(plan)) {
            const alert = alertOf(plan, r);
            expect(alert, r.key).toBeDefined();
            expect(r.incident!.dedupKey, r.key).toBe(alert.incident!.dedupKey);
            if (r.armedBy !== undefined) {
                expect(r.armedBy).toBe(alert.key);
                expect(r.enabled, r.key).toBe(false);
                expect(alert.arms, r.key).toEqual([r.key]);
                // A stack-wide silence: no for_each could tie the completion to it.
                expect(alert.trigger.for_each, r.key).toEqual([]);
                continue;
            }
            expect(r.trigger.posture, r.key).toBe("Reactive");
            expect(r.trigger.after.length, r.key).toBeGreaterThan(0);
            expect(
                alert.trigger.expect.filter((e) => r.trigger.after.includes(e)),
                r.key,
            ).toEqual(alert.trigger.expect);
            expect(r.trigger.for_each, r.key).toEqual(alert.trigger.for_each);
            expect(r.trigger.for_each.length, r.key).toBeGreaterThan(0);
        }
    });

    it("no incident key can render with an empty id: a deployment key only where the trigger requires a deployment", () => {
        for (const a of plan.filter((x) => x.incident?.dedupKey.includes("deployment.id"))) {
            const related = [a.trigger.match_related].flat();
            const primary = a.trigger.match["prefect.resource.id"];
            const hasDeployment =
                primary === "prefect.deployment.*" ||
                related.some((m) => (m as Record<string, unknown>)["prefect.resource.role"] === "deployment");
            expect(hasDeployment, a.key).toBe(true);
        }
    });
});

describe("recoveredNotice: chat opts in, per section", () => {
    it("critical, p1, lateRuns, freshness and health: the resolves add the section's chat channels", () => {
        const on = (v: any) => ({ ...v, recoveredNotice: true });
        const cfg = everySignal({
            critical: on,
            p1: on,
            lateRuns: (v) => ({ ...v, channels: ["alerts", "pager"], repeatMinutes: 0, recoveredNotice: true }),
            freshness: (v) => ({ ...v, channels: ["alerts", "pager"], recoveredNotice: true }),
            health: () => ({
                deployments: ["orders-load"],
                channels: ["alerts"],
                p1Channels: ["critical", "pagerP1"],
                recoveredNotice: true,
            }),
        });
        const got = Object.fromEntries(resolves(planAlerting(cfg).automations).map((r) => [r.key, r.channels]));
        expect(got).toEqual({
            "critical-dlt-resolve": ["critical", "pager"],
            "p1-work-pool-not-ready-resolve": ["critical", "pagerP1"],
            "p1-no-success-dlt-resolve": ["critical", "pagerP1"],
            "late-runs-resolve-dlt": ["alerts", "pager"],
            "freshness-deployment-exchange-rates-daily-prod-resolve": ["alerts", "pager"],
            "health-deployment-not-ready-resolve": ["critical", "pagerP1"],
        });
    });

    it("with chat opted in and PagerDuty's autoResolve off, only chat gets the notice", () => {
        const cfg = everySignal({ critical: (v) => ({ ...v, recoveredNotice: true }), pagerDuty: (v) => ({ ...v, autoResolve: false }) });
        expect(resolveChannels(cfg, ["critical", "pager"], true)).toEqual(["critical"]);
        expect(resolveChannels(cfg, ["critical", "pager"], false)).toEqual([]);
    });

    it("a stack without PagerDuty and without opt-in plans no resolve at all", () => {
        expect(resolves(planAlerting(parseStackConfig(stackConfig("local"))).automations)).toEqual([]);
    });
});

describe("stuck runs: PagerDuty resolves only with resolveWhenEnded", () => {
    it("off by default; on, one resolve to PagerDuty, opened by the run's own Running or Pending event", () => {
        const on = everySignal({ stuckRuns: (v) => ({ ...v, channels: ["alerts", "pager"], resolveWhenEnded: true }) });
        const r = resolves(planAlerting(on).automations).find((a) => a.signal === "stuckRuns")!;
        expect(r.channels).toEqual(["pager"]);
        expect(r.trigger.after).toContain("prefect.flow-run.Running");
        expect(r.trigger.for_each).toEqual(["prefect.resource.id"]);
        expect(r.trigger.within).toBe(RECOVERY_WINDOW_SECONDS);
    });

    it("on, but every alert of the section goes to chat: no resolve, and the preview says why", () => {
        const chatOnly = everySignal({ stuckRuns: (v) => ({ ...v, channels: ["alerts"], resolveWhenEnded: true }) });
        const plan = planAlerting(chatOnly);
        expect(resolves(plan.automations).filter((a) => a.signal === "stuckRuns")).toEqual([]);
        expect(idleResolveLines(chatOnly, plan)).toEqual([
            "stuckRuns.resolveWhenEnded is on, but none of its alerts goes to a PagerDuty channel: no incident is opened, " +
                "so no resolve automation is planned",
        ]);
        // With a PagerDuty channel the resolve is planned, and the preview has nothing to say; off, nothing either.
        const paged = everySignal({ stuckRuns: (v) => ({ ...v, channels: ["alerts", "pager"], resolveWhenEnded: true }) });
        expect(idleResolveLines(paged, planAlerting(paged))).toEqual([]);
        const off = everySignal({ stuckRuns: (v) => ({ ...v, channels: ["alerts"] }) });
        expect(idleResolveLines(off, planAlerting(off))).toEqual([]);
    });
});

describe("clearedAfter", () => {
    it("Reactive, opened by the alert's events, fired by the clearing ones, same match and bucket, a week to clear", () => {
        const alert = {
            posture: "Proactive" as const,
            match: { "prefect.resource.id": "prefect.work-pool.*" },
            match_related: {},
            after: [],
            expect: ["prefect.work-pool.not-ready"],
            for_each: ["prefect.resource.id"],
            threshold: 2,
            within: 30,
        };
        expect(clearedAfter(alert, ["prefect.work-pool.ready"])).toEqual({
            ...alert,
            posture: "Reactive",
            after: ["prefect.work-pool.not-ready"],
            expect: ["prefect.work-pool.ready"],
            threshold: 1,
            within: RECOVERY_WINDOW_SECONDS,
        });
    });
});
