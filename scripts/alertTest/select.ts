import type { Route, StackConfig } from "../../config/model";
import type { AlertPlan, PlannedAutomation } from "../../rules/plan";
import { matchRelatedFor, routeFilters } from "../../alert/routes";
import type { EventTriggerSpec } from "../../prefect/vocabulary";
import { adHocFailureEvent, covers } from "./match";

/**
 * What an alert test does, decided from the stack's plan alone (pure): which
 * routes it tests, the flow runs it starts (flow name, tags, how many times),
 * and which automations must fire how often. A run selects automations the way
 * Prefect does (match.ts over each planned trigger), so "exactly the chosen
 * routes match" is checked against the program's own triggers, not a copy.
 */

export type Tier = "warning" | "critical" | "all";
export const TIERS: readonly Tier[] = ["warning", "critical", "all"];

/** A test that cannot be run as asked: the command exits 2 with this message. */
export class AlertTestError extends Error {}

export interface TestRun {
    route: string;
    /** Flow name: the route's own flow when it selects by flow name, else a fresh `alert-test-<route>-<stamp>`. */
    flow: string;
    /** Flow run name prefix: always says it is a test. */
    runName: string;
    tags: string[];
    /** Failing runs of this flow, one after another (the critical threshold for a critical test). */
    times: number;
}

export interface Expectation {
    automation: PlannedAutomation;
    /** How many times it fires for these runs. */
    firings: number;
    /** Whether the chosen tier(s) test it; otherwise it fires as a side effect (a warning per failure of a critical test). */
    tested: boolean;
}

export interface TestPlan {
    stack: string;
    tier: Tier;
    runs: TestRun[];
    expected: Expectation[];
    notes: string[];
}

export const TEST_MESSAGE = "ALERT TEST: deliberate failure, no action needed";
export const TEST_PREFIX = "alert-test";

const tiersOf = (tier: Tier): string[] => (tier === "all" ? ["warning", "critical"] : [tier]);

/** Only triggers that fire on a failure event can be tested with one (a Proactive one fires on silence). */
const reactsToFailures = (a: PlannedAutomation) => a.trigger.posture === "Reactive";

/** Whether a route's filters select a run of `flow` with `tags` (no deployment: an ad-hoc run has none). */
function routeSelects(route: Route, flow: string, tags: string[]): boolean {
    const probe: EventTriggerSpec = {
        posture: "Reactive",
        match: {},
        match_related: matchRelatedFor(routeFilters(route)),
        after: [],
        expect: [],
        for_each: [],
        threshold: 1,
        within: 0,
    };
    return covers(probe, adHocFailureEvent(flow, tags));
}

/**
 * @param routes routes named with --route (undefined: every route the chosen tier(s) watch)
 * @param stamp  makes the flow name unique per test, so the per-flow critical count starts at zero
 */
export function planAlertTest(cfg: StackConfig, plan: AlertPlan, tier: Tier, routes: string[] | undefined, stamp: string): TestPlan {
    const tiers = tiersOf(tier);
    const testable = plan.automations.filter((a) => tiers.includes(a.tier) && reactsToFailures(a));
    const watched = [...new Set(testable.flatMap((a) => a.routes))];
    const known = cfg.routes.map((r) => r.name);
    const notes: string[] = [];

    let chosen: string[];
    if (routes?.length) {
        for (const r of routes) {
            if (!known.includes(r)) throw new AlertTestError(`stack "${cfg.stack}" has no route "${r}"; its routes: ${known.join(", ")}`);
            if (!watched.includes(r))
                throw new AlertTestError(
                    `route "${r}" is not watched by the ${tiers.join(" or ")} tier of stack "${cfg.stack}"` +
                        (watched.length ? ` (it watches ${watched.join(", ")})` : " (the tier is off or watches no route)"),
                );
        }
        chosen = [...new Set(routes)];
    } else {
        if (!watched.length)
            throw new AlertTestError(`the ${tiers.join(" and ")} tier of stack "${cfg.stack}" is off or watches no route: nothing to test`);
        chosen = watched;
    }

    const runs: TestRun[] = [];
    for (const name of chosen) {
        const route = cfg.routes.find((r) => r.name === name)!;
        if (route.deployments.length) {
            const why =
                `route "${name}" selects runs by deployment (${route.deployments.join(", ")}): ` +
                "a test run started here has no deployment, so it cannot match; trigger a failing run of that deployment instead";
            if (routes?.length) throw new AlertTestError(why);
            notes.push(`skipped: ${why}`);
            continue;
        }
        runs.push(runFor(cfg, route, chosen, stamp, testable));
    }
    if (!runs.length)
        throw new AlertTestError(`no route of stack "${cfg.stack}" can be tested with an ad-hoc run:\n  ${notes.join("\n  ")}`);

    // Every automation a test run reaches, the chosen tiers' and the others' (a critical test also fires warnings).
    const expected = new Map<string, Expectation>();
    for (const run of runs) {
        const event = adHocFailureEvent(run.flow, run.tags);
        for (const a of plan.automations.filter(reactsToFailures)) {
            // Threshold 1: every counted event fires. Threshold n: the n-th event of the flow fires, then quiet until the window ends.
            const n = a.trigger.threshold;
            const firings = !covers(a.trigger, event) ? 0 : n === 1 ? run.times : run.times >= n ? 1 : 0;
            if (firings === 0) continue;
            const e = expected.get(a.key) ?? { automation: a, firings: 0, tested: tiers.includes(a.tier) };
            e.firings += firings;
            expected.set(a.key, e);
        }
    }

    for (const run of runs) {
        const route = cfg.routes.find((r) => r.name === run.route)!;
        if (!route.flows.length) continue;
        const counting = plan.automations.filter(
            (a) => reactsToFailures(a) && a.trigger.threshold > 1 && covers(a.trigger, adHocFailureEvent(run.flow, run.tags)),
        );
        if (counting.length)
            notes.push(
                `route "${run.route}" selects by flow name, so the test runs as flow "${run.flow}": its failures add to that flow's ` +
                    `count for ${counting.map((a) => a.name).join(", ")} (as would real failures within the window)`,
            );
    }
    // In the plan's order (tiers, then routes), as the preview lists them.
    const order = (e: Expectation) => plan.automations.indexOf(e.automation);
    return { stack: cfg.stack, tier, runs, expected: [...expected.values()].sort((a, b) => order(a) - order(b)), notes };
}

function runFor(cfg: StackConfig, route: Route, chosen: string[], stamp: string, testable: PlannedAutomation[]): TestRun {
    const flows = route.flows.length ? route.flows : [`${TEST_PREFIX}-${route.name}-${stamp}`];
    const tagChoices = route.tags.length ? route.tags.map((t) => [t]) : [[]];
    let closest: { flow: string; tags: string[]; others: string[] } | undefined;
    for (const flow of flows)
        for (const tags of tagChoices) {
            const others = cfg.routes.filter((r) => r.name !== route.name && routeSelects(r, flow, tags)).map((r) => r.name);
            const stray = others.filter((o) => !chosen.includes(o));
            if (!stray.length) {
                const mine = testable.filter((a) => a.routes.includes(route.name));
                const times = Math.max(
                    1,
                    ...mine.filter((a) => covers(a.trigger, adHocFailureEvent(flow, tags))).map((a) => a.trigger.threshold),
                );
                return { route: route.name, flow, runName: `${TEST_PREFIX}-${route.name}`, tags, times };
            }
            if (!closest || stray.length < closest.others.length) closest = { flow, tags, others: stray };
        }
    throw new AlertTestError(
        `every run that matches route "${route.name}" also matches route(s) ${closest!.others.join(", ")} ` +
            `(e.g. flow "${closest!.flow}"${closest!.tags.length ? ` tagged ${closest!.tags.join(", ")}` : ""}); ` +
            `test them together: --route ${[route.name, ...closest!.others].join(",")}`,
    );
}
