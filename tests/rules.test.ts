import { describe, expect, it } from "vitest";
import { parseStackConfig, Route } from "../config/load";
import { FINAL_FAILURE_EVENTS, PER_FLOW, unknownTemplateNames } from "../prefect/vocabulary";
import { describeDuration } from "../alert/messages";
import { finalFailureMessage } from "../signals/finalFailure";
import { repeatedFailureMessage } from "../signals/repeatedFailure";
import { planAlerting } from "../rules/plan";
import { routeFilters } from "../alert/routes";
import { finalFailureTrigger } from "../signals/finalFailure";
import { noSuccessTrigger } from "../signals/allPipelinesDown";
import { repeatedFailureTrigger } from "../signals/repeatedFailure";
import { workPoolNotReadyTrigger } from "../signals/workPoolNotReady";
import { renderSample } from "../alert/templates";
import { criticalLadder, describeLadder, p1Ladder } from "../rules/escalation";
import { stackConfig } from "./helpers/stacks";

const dlt: Route = { name: "dlt", tags: ["dlt"], flows: [], deployments: [] };

describe("which events fire the warning tier", () => {
    it("matches every flow run tagged dlt the way Prefect emits tags", () => {
        const t = finalFailureTrigger(dlt);
        expect(t.match).toEqual({ "prefect.resource.id": "prefect.flow-run.*" });
        expect(t.match_related).toEqual({ "prefect.resource.role": "tag", "prefect.resource.id": "prefect.tag.dlt" });
    });

    it("listens for the final failure states, timeouts included, and nothing else", () => {
        const t = finalFailureTrigger(dlt);
        expect([...t.expect].sort()).toEqual(["prefect.flow-run.Crashed", "prefect.flow-run.Failed", "prefect.flow-run.TimedOut"]);
        expect(t.expect).not.toContain("prefect.flow-run.AwaitingRetry");
        expect(t.expect).not.toContain("prefect.flow-run.Retrying");
        expect({ posture: t.posture, threshold: t.threshold, within: t.within, for_each: t.for_each }).toEqual({
            posture: "Reactive",
            threshold: 1,
            within: 0,
            for_each: [],
        });
    });

    it("never emits an empty expect (it would fire on every event, its own included)", () => {
        const plan = planAlerting(parseStackConfig(stackConfig("prod")));
        for (const a of plan.automations) expect(a.trigger.expect.length).toBeGreaterThan(0);
    });

    it("ANDs route criteria and ORs values within one", () => {
        const filters = routeFilters({ name: "r", tags: ["dlt", "finance"], flows: ["products-daily"], deployments: [] });
        expect(filters).toEqual([
            { "prefect.resource.role": "tag", "prefect.resource.id": ["prefect.tag.dlt", "prefect.tag.finance"] },
            { "prefect.resource.role": "flow", "prefect.resource.name": "products-daily" },
        ]);
    });
});

describe("critical and P1 triggers", () => {
    it("counts repeated failures per flow, so different flows never add up", () => {
        const t = repeatedFailureTrigger(dlt, 3, 86400);
        expect(t.for_each).toEqual([PER_FLOW]);
        expect(PER_FLOW).toBe("related:flow:prefect.resource.id");
        expect(t).toMatchObject({ posture: "Reactive", threshold: 3, within: 86400 });
        expect([...t.expect].sort()).toEqual([...FINAL_FAILURE_EVENTS].sort());
    });

    it("watches named work pools going not-ready, in both spellings", () => {
        const t = workPoolNotReadyTrigger(["default-work-pool"]);
        expect(t.expect).toEqual(["prefect.work-pool.not-ready", "prefect.work-pool.not_ready"]);
        expect(t.match).toEqual({ "prefect.resource.id": "prefect.work-pool.*", "prefect.resource.name": "default-work-pool" });
    });

    it("says silence proactively, with a window Prefect accepts", () => {
        const t = noSuccessTrigger(dlt, 21600);
        expect(t).toMatchObject({ posture: "Proactive", expect: ["prefect.flow-run.Completed"], threshold: 1, within: 21600 });
    });
});

describe("messages", () => {
    const plan = planAlerting(parseStackConfig(stackConfig("local")));

    it("use only variables and filters Prefect provides", () => {
        for (const a of plan.automations) {
            expect(unknownTemplateNames(a.message.subject), a.key).toEqual([]);
            expect(unknownTemplateNames(a.message.body), a.key).toEqual([]);
        }
    });

    it("the check itself catches the seed's flow_run_url", () => {
        expect(unknownTemplateNames("<{{ flow_run_url }}|View in Prefect Cloud>")).toEqual(["flow_run_url"]);
        expect(unknownTemplateNames("{{ flow_run|ui_link }}")).toEqual(["|ui_link"]);
    });

    it("a failure message says what, when, which state and error, and links to the run", () => {
        const text = renderSample(finalFailureMessage(true).body, "http://127.0.0.1:4200");
        expect(text).toContain("exchange-rates-daily");
        expect(text).toContain("*Deployment*: exchange-rates-daily-prod");
        expect(text).toContain("crimson-okapi (`0f1e2d3c-4b5a-4968-8776-655443322110`)");
        expect(text).toContain("*State*: Failed at 2026-11-30 06:02:11");
        expect(text).toContain("HTTPError: 503");
        expect(text).toContain("<http://127.0.0.1:4200/runs/flow-run/0f1e2d3c-4b5a-4968-8776-655443322110|");
    });

    it("leaves the deployment line out for a run without one", () => {
        const text = renderSample(finalFailureMessage(true).body, "http://ui", {
            flow: { name: "f" },
            flow_run: { id: "1", name: "r", state: { name: "Crashed", message: "m", timestamp: "t" } },
        });
        expect(text).not.toContain("Deployment");
    });

    it("critical messages state the threshold and window", () => {
        expect(repeatedFailureMessage(3, 86400).subject).toBe("CRITICAL: {{ flow.name }} failed 3 times within 24 hours");
        expect(describeDuration(900)).toBe("15 minutes");
        expect(describeDuration(30)).toBe("30 seconds");
        expect(describeDuration(7 * 86400)).toBe("7 days");
    });

    it.each([
        [211, "3 min 31 s"],
        [210, "3.5 minutes"],
        [10900, "3 hours 1 min 40 s"],
        [12600, "3.5 hours"],
        [5400, "90 minutes"],
        [3601, "1 hour 1 s"],
        [12.5, "12.5 seconds"],
        [1, "1 second"],
    ])("describeDuration(%d) is %j: exact, never a rounded fraction", (seconds, words) => {
        expect(describeDuration(seconds)).toBe(words);
    });
});

describe("the plan per stack", () => {
    it("dev: one warning automation to the alerts block", () => {
        const plan = planAlerting(parseStackConfig(stackConfig("dev")));
        expect(plan.blocks).toEqual([
            {
                channel: "alerts",
                name: "dev-alerts",
                typeSlug: "custom-webhook",
                stack: "dev",
                spec: { type: "slack", slackChannel: "#data-alerts" },
                sources: { url: { configKey: "prefect-alerting:alertsWebhookUrl" } },
            },
        ]);
        expect(plan.automations.map((a) => [a.key, a.tier, a.channels])).toEqual([["warning-dlt", "warning", ["alerts"]]]);
    });

    it("prod: warning, critical and both P1 signals with resolves, late and stuck runs, stale data; PagerDuty blocks per service", () => {
        const plan = planAlerting(parseStackConfig(stackConfig("prod")));
        expect(plan.automations.map((a) => a.key)).toEqual([
            "warning-dlt",
            "critical-dlt",
            "critical-dlt-resolve",
            "p1-work-pool-not-ready",
            "p1-work-pool-not-ready-resolve",
            "p1-no-success-dlt",
            "p1-no-success-dlt-resolve",
            "late-runs-dlt",
            "stuck-running-dlt",
            "stuck-pending-dlt",
            "freshness-deployment-exchange-rates-daily-prod",
        ]);
        // Each resolve closes what its alert opened: the same dedup key, event_action resolve.
        for (const key of ["critical-dlt", "p1-work-pool-not-ready", "p1-no-success-dlt"]) {
            const alert = plan.automations.find((a) => a.key === key)!;
            const resolve = plan.automations.find((a) => a.key === `${key}-resolve`)!;
            expect(alert.incident?.action, key).toBe("trigger");
            expect(resolve.incident, key).toEqual({ ...alert.incident, action: "resolve" });
        }
        expect(plan.blocks.find((b) => b.channel === "pager")).toEqual({
            channel: "pager",
            name: "prod-pager",
            typeSlug: "custom-webhook",
            stack: "prod",
            spec: { type: "pagerduty", service: "critical" },
            sources: { integrationKey: { pagerDutyService: "critical" } },
        });
        expect(plan.blocks.find((b) => b.channel === "pagerP1")).toMatchObject({
            name: "prod-pager-p1",
            spec: { service: "p1" },
            sources: { integrationKey: { pagerDutyService: "p1" } },
        });
        expect(plan.automations.find((a) => a.key === "critical-dlt")!.channels).toEqual(["critical", "pager"]);
    });
});

describe("escalation ladders", () => {
    const pd = parseStackConfig(stackConfig("prod")).pagerDuty!;

    it("critical: on-call, then team lead after 15 min, manager 30 min later (the seed's 15/30/60 spacing)", () => {
        const ladder = criticalLadder(pd);
        expect(ladder.rules.map((r) => r.delayMinutes)).toEqual([15, 30, 30]);
        expect(ladder.rules.map((r) => r.targets)).toEqual([
            [{ kind: "schedule" }],
            [{ kind: "user", user: "team-lead@example.com", role: "team lead" }],
            [{ kind: "user", user: "data-manager@example.com", role: "manager" }],
        ]);
        expect(describeLadder(ladder)).toContain("0 min: on-call engineer; 15 min: team lead team-lead@example.com; 45 min: manager");
    });

    it("P1: on-call and team lead at once, manager after 5 min", () => {
        const ladder = p1Ladder(pd);
        expect(ladder.rules[0].targets.map((t) => t.kind)).toEqual(["schedule", "user"]);
        expect(ladder.rules.map((r) => r.delayMinutes)).toEqual([5, 5]);
    });
});
