import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../config/load";
import type { Route } from "../config/model";
import { automationsPerRoute, planAlerting } from "../rules/plan";
import { unionOfRoutes } from "../rules/routes";
import { SIGNALS } from "../signals/table";
import { describeRouteCosts } from "../scripts/preview";
import { editKey, stackConfig } from "./helpers/stacks";

const route = (name: string, r: Partial<Route>): Route => ({ name, tags: [], flows: [], deployments: [], ...r });
/** prod's late and stuck run automations of one route (lateRuns, stuckRuns with pendingAfterMinutes). */
const lateStuck = (r: string) => [`late-runs-${r}`, `stuck-running-${r}`, `stuck-pending-${r}`];

/** The prod stack with `n` tag routes r0..r(n-1), every tier on every route. */
function prodWithRoutes(n: number, routes = (i: number) => ({ tags: [`t${i}`] })) {
    const raw = editKey(stackConfig("prod"), "routes", () => Object.fromEntries(Array.from({ length: n }, (_, i) => [`r${i}`, routes(i)])));
    return parseStackConfig(raw);
}

describe("the signals table", () => {
    it("lists each signal once, with the config section that turns it on and a severity", () => {
        expect(SIGNALS.map((s) => s.id)).toEqual([
            "finalFailure",
            "successNotice",
            "repeatedFailure",
            "workPoolNotReady",
            "allPipelinesDown",
            "lateRuns",
            "stuckRuns",
            "freshness",
            "dataQuality",
            "health",
        ]);
        expect(SIGNALS.map((s) => [s.id, s.configKey, s.severity])).toEqual([
            ["finalFailure", "warning", "warning"],
            ["successNotice", "successNotice", "info"],
            ["repeatedFailure", "critical", "critical"],
            ["workPoolNotReady", "p1", "p1"],
            ["allPipelinesDown", "p1", "p1"],
            ["lateRuns", "lateRuns", "warning"],
            ["stuckRuns", "stuckRuns", "warning"],
            // Their entries choose a severity (freshness, dataQuality) or plan two (health: P1 not-ready, warning paused).
            ["freshness", "freshness", "warning"],
            ["dataQuality", "dataQuality", "warning"],
            ["health", "health", "p1"],
        ]);
    });

    it("tags every planned automation with its signal and the severity of that signal", () => {
        const plan = planAlerting(parseStackConfig(stackConfig("local")));
        for (const a of plan.automations) expect(a.tier, a.key).toBe(SIGNALS.find((s) => s.id === a.signal)!.severity);
        expect(plan.automations.map((a) => a.signal)).toEqual([
            "finalFailure",
            "successNotice",
            "repeatedFailure",
            "workPoolNotReady",
            "allPipelinesDown",
        ]);
    });
});

describe("all pipelines down is one signal for the stack where Prefect can express it", () => {
    it("300 tag routes: one P1 silence automation, not 300, matching any of the tags", () => {
        const plan = planAlerting(prodWithRoutes(300));
        const silence = plan.automations.filter((a) => a.signal === "allPipelinesDown");
        expect(silence).toHaveLength(1);
        expect(silence[0].key).toBe("p1-no-success");
        expect(silence[0].name).toBe("[prod] P1 no successful run (300 routes)");
        expect(silence[0].trigger.match_related).toEqual({
            "prefect.resource.role": "tag",
            "prefect.resource.id": Array.from({ length: 300 }, (_, i) => `prefect.tag.t${i}`),
        });
        expect(silence[0].routes).toHaveLength(300);
        // The per-route signals stay per route.
        expect(plan.automations.filter((a) => a.signal === "finalFailure")).toHaveLength(300);
    });

    it("one route keeps the automation it always had (same key, name and trigger)", () => {
        const [silence] = planAlerting(parseStackConfig(stackConfig("prod"))).automations.filter((a) => a.signal === "allPipelinesDown");
        expect(silence.key).toBe("p1-no-success-dlt");
        expect(silence.name).toBe("[prod] P1 no successful run (dlt)");
        expect(silence.trigger.match_related).toEqual({ "prefect.resource.role": "tag", "prefect.resource.id": "prefect.tag.dlt" });
    });

    it("routes Prefect cannot OR in one filter (a tag AND a flow) keep one automation each", () => {
        const plan = planAlerting(prodWithRoutes(3, (i) => ({ tags: [`t${i}`], flows: [`f${i}`] })));
        expect(plan.automations.filter((a) => a.signal === "allPipelinesDown").map((a) => a.key)).toEqual([
            "p1-no-success-r0",
            "p1-no-success-r1",
            "p1-no-success-r2",
        ]);
    });

    it("unionOfRoutes: one criterion shared by all routes is unioned; mixed or combined criteria are not", () => {
        expect(unionOfRoutes([route("a", { tags: ["x", "y"] }), route("b", { tags: ["y", "z"] })], "all")).toEqual(
            route("all", { tags: ["x", "y", "z"] }),
        );
        expect(unionOfRoutes([route("a", { flows: ["f"] }), route("b", { flows: ["g"] })], "all")).toEqual(
            route("all", { flows: ["f", "g"] }),
        );
        expect(unionOfRoutes([route("a", { tags: ["x"] }), route("b", { flows: ["f"] })], "all")).toBeUndefined();
        expect(unionOfRoutes([route("a", { tags: ["x"], deployments: ["d"] })], "all")).toBeUndefined();
        expect(unionOfRoutes([], "all")).toBeUndefined();
    });

    it("the preview says what each route adds, and what it shares", () => {
        const plan = planAlerting(prodWithRoutes(2));
        const costs = automationsPerRoute(plan, ["r0", "r1"]);
        expect(costs).toEqual([
            // prod also watches every route for late and stuck runs (one automation per route each).
            { route: "r0", own: ["warning-r0", "critical-r0", ...lateStuck("r0")], shared: ["p1-no-success"] },
            { route: "r1", own: ["warning-r1", "critical-r1", ...lateStuck("r1")], shared: ["p1-no-success"] },
        ]);
        expect(describeRouteCosts(costs)).toEqual([
            "Automations per route (each route adds its own; shared ones are counted once for the stack)",
            `  r0: 5 of its own (warning-r0, critical-r0, ${lateStuck("r0").join(", ")}); shares p1-no-success`,
            `  r1: 5 of its own (warning-r1, critical-r1, ${lateStuck("r1").join(", ")}); shares p1-no-success`,
        ]);
    });
});
