import { describe, expect, it } from "vitest";
import { RawConfig, Route, parseStackConfig } from "../config/load";
import { eventTriggerInputs } from "../components/prefectInputs";
import { planAlerting } from "../rules/plan";
import { EventTriggerSpec } from "../alert/triggers";
import { finalFailureTrigger } from "../signals/finalFailure";
import { flowRecoveredTrigger, repeatedFailureTrigger } from "../signals/repeatedFailure";
import { noSuccessTrigger, silenceEndedTrigger } from "../signals/allPipelinesDown";
import { successTrigger } from "../signals/successNotice";
import { workPoolNotReadyTrigger, workPoolReadyTrigger } from "../signals/workPoolNotReady";
import { lateRunTrigger } from "../signals/lateRuns";
import { stuckPendingTrigger, stuckRunningTrigger } from "../signals/stuckRuns";
import { editKey, stackConfig } from "./helpers/stacks";

/**
 * What the Prefect provider and server refuse, made impossible by the rules
 * (issue 8, item 5): the provider reports "inconsistent result after apply"
 * when `threshold` or `within` is left to the server's default, or a Proactive
 * trigger has `within = 0` (the server stores 10); the server answers 422 for
 * a Proactive `within` between 0 and 10 s. So every trigger any planner
 * produces sets both, with a whole threshold >= 1, and a Proactive window of
 * at least 10 s.
 */

const PROACTIVE_MINIMUM_SECONDS = 10;

function violations(t: EventTriggerSpec | Record<string, unknown>): string[] {
    const found: string[] = [];
    const { threshold, within, posture } = t as Record<string, unknown>;
    if (!Object.prototype.hasOwnProperty.call(t, "threshold") || threshold === undefined || threshold === null)
        found.push("threshold unset");
    else if (!(typeof threshold === "number" && Number.isInteger(threshold) && threshold >= 1))
        found.push(`threshold ${String(threshold)} is not a whole number >= 1`);
    if (!Object.prototype.hasOwnProperty.call(t, "within") || within === undefined || within === null) found.push("within unset");
    else if (!(typeof within === "number" && Number.isFinite(within) && within >= 0))
        found.push(`within ${String(within)} is not a number of seconds >= 0`);
    if (posture === "Proactive" && !(typeof within === "number" && within >= PROACTIVE_MINIMUM_SECONDS))
        found.push(`Proactive within ${String(within)} is under ${PROACTIVE_MINIMUM_SECONDS} s`);
    return found;
}

/** Every trigger of a stack's plan, as the rules build it and as the provider receives it. */
function triggersOf(raw: RawConfig): { where: string; trigger: Record<string, unknown> }[] {
    const plan = planAlerting(parseStackConfig(raw));
    return plan.automations.flatMap((a) => [
        { where: `${raw.stack}/${a.key} (rule)`, trigger: a.trigger as unknown as Record<string, unknown> },
        { where: `${raw.stack}/${a.key} (provider input)`, trigger: eventTriggerInputs(a.trigger) as Record<string, unknown> },
    ]);
}

const set = (key: string, value: unknown) => (raw: RawConfig) => editKey(raw, key, () => value);
const merge = (key: string, patch: Record<string, unknown>) => (raw: RawConfig) => editKey(raw, key, (v) => ({ ...(v ?? {}), ...patch }));
const apply = (raw: RawConfig, ...edits: ((r: RawConfig) => RawConfig)[]) => edits.reduce((r, e) => e(r), raw);

/** The committed stacks, and variants at the edges of what the config accepts (README's ranges). */
const VARIANTS: [string, () => RawConfig][] = [
    ["dev", () => stackConfig("dev")],
    ["prod", () => stackConfig("prod")],
    ["local", () => stackConfig("local")],
    [
        "local, shortest windows and smallest threshold",
        () => apply(stackConfig("local"), merge("critical", { threshold: 2, windowHours: 0.1 }), merge("p1", { noSuccessMinutes: 0.5 })),
    ],
    [
        "prod, longest windows and largest threshold",
        () => apply(stackConfig("prod"), merge("critical", { threshold: 100, windowHours: 720 }), merge("p1", { noSuccessMinutes: 10080 })),
    ],
    [
        "local, several routes (tags, flows, deployments), two work pools, several success flows",
        () =>
            apply(
                stackConfig("local"),
                set("routes", {
                    dlt: { tags: ["dlt", "finance"] },
                    daily: { flows: ["products-daily"], deployments: ["products-daily/prod"] },
                }),
                merge("p1", { workPools: ["pool-a", "pool-b"] }),
                merge("successNotice", { flows: ["products-daily", "orders-hourly"] }),
            ),
    ],
    [
        "local, P1 on work pools only (no silence signal)",
        () => apply(stackConfig("local"), set("p1", { enabled: true, channels: ["critical", "pager"], workPools: ["local-pool"] })),
    ],
    [
        "local, freshness at its shortest and longest windows, data quality on a route, health of every kind",
        () =>
            apply(
                stackConfig("local"),
                set("freshness", {
                    channels: ["alerts"],
                    flows: { "orders-hourly": { maxAgeHours: 0.003 } },
                    deployments: { "orders/prod": { maxAgeHours: 8760, severity: "p1", channels: ["pager"] } },
                }),
                set("dataQuality", { events: ["acme.table.empty"], routes: ["dlt"], channels: ["alerts"] }),
                set("health", { deployments: ["d"], workQueues: ["q"], workPools: ["local-pool"], channels: ["alerts"] }),
            ),
    ],
];

describe("every trigger the planner produces", () => {
    it.each(VARIANTS)("%s: sets a whole threshold >= 1 and within, Proactive at least 10 s", (_, build) => {
        const triggers = triggersOf(build());
        expect(triggers.length).toBeGreaterThan(0);
        const bad = triggers.flatMap(({ where, trigger }) => violations(trigger).map((v) => `${where}: ${v}`));
        expect(bad).toEqual([]);
    });

    it("the variants exercise every trigger rule, both postures and threshold > 1", () => {
        const all = VARIANTS.flatMap(([, build]) => planAlerting(parseStackConfig(build())).automations);
        // The route's name dropped, before a resolve's "-resolve" too.
        expect(new Set(all.map((a) => a.key.replace(/-(dlt|daily)(?=$|-resolve$)/, "")))).toEqual(
            new Set([
                "warning",
                "success-notice",
                "critical",
                "p1-work-pool-not-ready",
                "p1-no-success",
                // prod pages PagerDuty: its critical and P1 incidents resolve themselves.
                "critical-resolve",
                "p1-work-pool-not-ready-resolve",
                "p1-no-success-resolve",
                "late-runs",
                "stuck-running",
                "stuck-pending",
                "freshness-deployment-exchange-rates-daily-prod",
                "freshness-flow-orders-hourly",
                "freshness-deployment-orders-prod-484d988b",
                "data-quality",
                "health-deployment-not-ready",
                "health-work-queue-not-ready",
                "health-work-queue-paused",
                "health-work-pool-paused",
            ]),
        );
        expect(new Set(all.map((a) => a.trigger.posture))).toEqual(new Set(["Reactive", "Proactive"]));
        expect(all.some((a) => a.trigger.threshold > 1)).toBe(true);
        // The shortest silence window the config accepts still clears the Proactive floor: freshness at 0.003 h is 11 s
        // (p1.noSuccessMinutes' shortest is 30 s).
        expect(Math.min(...all.filter((a) => a.trigger.posture === "Proactive").map((a) => a.trigger.within))).toBe(11);
    });
});

describe("each trigger rule on its own", () => {
    const route: Route = { name: "r", tags: ["dlt"], flows: ["products-daily"], deployments: [] };
    const RULES: [string, EventTriggerSpec][] = [
        ["finalFailureTrigger", finalFailureTrigger(route)],
        ["repeatedFailureTrigger", repeatedFailureTrigger(route, 3, 86400)],
        ["workPoolNotReadyTrigger", workPoolNotReadyTrigger(["a", "b"])],
        ["noSuccessTrigger", noSuccessTrigger(route, 600)],
        ["successTrigger", successTrigger(["products-daily"])],
        ["flowRecoveredTrigger", flowRecoveredTrigger(route)],
        ["workPoolReadyTrigger", workPoolReadyTrigger(["a", "b"])],
        ["silenceEndedTrigger", silenceEndedTrigger(route)],
        ["lateRunTrigger", lateRunTrigger(route, 3600)],
        ["stuckRunningTrigger", stuckRunningTrigger(route, 15)],
        ["stuckPendingTrigger", stuckPendingTrigger(route, 15)],
    ];

    it.each(RULES)("%s sets every field explicitly, threshold and within included", (_, t) => {
        expect(Object.keys(t).sort()).toEqual(["after", "expect", "for_each", "match", "match_related", "posture", "threshold", "within"]);
        expect(violations(t)).toEqual([]);
        expect(violations(eventTriggerInputs(t))).toEqual([]);
    });

    it("a Reactive trigger counts single events with an explicit within of 0, never unset", () => {
        expect(
            [finalFailureTrigger(route), workPoolNotReadyTrigger(["a"]), successTrigger(["f"])].map((t) => [t.threshold, t.within]),
        ).toEqual([
            [1, 0],
            [1, 0],
            [1, 0],
        ]);
    });
});
