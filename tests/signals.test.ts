import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../config/load";
import type { Route } from "../config/model";
import { automationsPerRoute, planAlerting } from "../rules/plan";
import { unionOfRoutes } from "../alert/routes";
import { SECTIONS, SIGNALS } from "../signals/table";
import { projectKeys } from "../config/schema";
import { describeRouteCosts } from "../cli/preview/verbose";
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
    it("lists each signal once, with a config section of the schema that turns it on, a severity and a summary", () => {
        // Derived from the table itself: a new signal joins this check without anyone listing it here. The planning
        // order the table gives is pinned by the committed plans (tests/pins.test.ts).
        const ids = SIGNALS.map((s) => s.id);
        expect(new Set(ids).size).toBe(ids.length);
        const schemaKeys = Object.keys(projectKeys);
        for (const s of SIGNALS) {
            expect(s.id, s.id).toMatch(/^[a-z][A-Za-z0-9]+$/);
            expect(schemaKeys, s.id).toContain(s.configKey);
            expect(
                SECTIONS.map((x) => x.key),
                s.id,
            ).toContain(s.configKey);
            expect(["warning", "critical", "p1", "info"], s.id).toContain(s.severity);
            expect(s.summary.length, s.id).toBeGreaterThan(20);
        }
        // Two signals share a section only on purpose (the P1 tier's two signals).
        const shared = SECTIONS.filter((x) => SIGNALS.filter((s) => s.configKey === x.key).length > 1).map((x) => x.key);
        expect(shared).toEqual(["p1"]);
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
        // The alert, and the automation that resolves its PagerDuty incident (prod's P1 tier pages pagerP1).
        expect(silence.map((a) => a.key)).toEqual(["p1-no-success", "p1-no-success-resolve"]);
        const [alert, resolve] = silence;
        const anyTag = {
            "prefect.resource.role": "tag",
            "prefect.resource.id": Array.from({ length: 300 }, (_, i) => `prefect.tag.t${i}`),
        };
        expect(alert.name).toBe("[prod] P1 no successful run (300 routes)");
        expect(alert.trigger.match_related).toEqual(anyTag);
        expect(alert.routes).toHaveLength(300);
        expect(alert.incident).toEqual({ dedupKey: "prefect/prod/silence/p1-no-success", action: "trigger", severity: "critical" });
        // Resolved by a completed run of any of the 300 routes, sent only to the incident-tracking channel, same dedup key.
        expect(resolve.name).toBe("[prod] P1 no successful run (300 routes) (resolve)");
        expect(resolve.trigger).toMatchObject({ posture: "Reactive", expect: ["prefect.flow-run.Completed"], match_related: anyTag });
        expect(resolve.channels).toEqual(["pagerP1"]);
        expect(resolve.routes).toHaveLength(300);
        expect(resolve.incident).toEqual({ ...alert.incident, action: "resolve" });
        // The per-route signals stay per route.
        expect(plan.automations.filter((a) => a.signal === "finalFailure")).toHaveLength(300);
    });

    it("one route keeps the automation it always had (same key, name and trigger)", () => {
        const silences = planAlerting(parseStackConfig(stackConfig("prod"))).automations.filter((a) => a.signal === "allPipelinesDown");
        expect(silences.map((a) => a.key)).toEqual(["p1-no-success-dlt", "p1-no-success-dlt-resolve"]);
        const [silence, resolve] = silences;
        expect(silence.name).toBe("[prod] P1 no successful run (dlt)");
        expect(silence.trigger.match_related).toEqual({ "prefect.resource.role": "tag", "prefect.resource.id": "prefect.tag.dlt" });
        expect(resolve.name).toBe("[prod] P1 no successful run (dlt) (resolve)");
        expect(resolve.trigger.match_related).toEqual(silence.trigger.match_related);
        expect(resolve.incident).toEqual({ dedupKey: "prefect/prod/silence/p1-no-success-dlt", action: "resolve", severity: "critical" });
    });

    it("routes Prefect cannot OR in one filter (a tag AND a flow) keep one automation each", () => {
        const plan = planAlerting(prodWithRoutes(3, (i) => ({ tags: [`t${i}`], flows: [`f${i}`] })));
        const silences = plan.automations.filter((a) => a.signal === "allPipelinesDown");
        // Each route's alert, followed by the automation that resolves its own incident.
        expect(silences.map((a) => a.key)).toEqual([
            "p1-no-success-r0",
            "p1-no-success-r0-resolve",
            "p1-no-success-r1",
            "p1-no-success-r1-resolve",
            "p1-no-success-r2",
            "p1-no-success-r2-resolve",
        ]);
        expect(silences.map((a) => [a.incident?.action, a.incident?.dedupKey])).toEqual(
            [0, 1, 2].flatMap((i) => [
                ["trigger", `prefect/prod/silence/p1-no-success-r${i}`],
                ["resolve", `prefect/prod/silence/p1-no-success-r${i}`],
            ]),
        );
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
        const silenceShared = ["p1-no-success", "p1-no-success-resolve"];
        expect(costs).toEqual([
            // prod also watches every route for late and stuck runs (one automation per route each); the critical tier's
            // and the shared P1 silence's PagerDuty incidents each have a resolve automation.
            { route: "r0", own: ["warning-r0", "critical-r0", "critical-r0-resolve", ...lateStuck("r0")], shared: silenceShared },
            { route: "r1", own: ["warning-r1", "critical-r1", "critical-r1-resolve", ...lateStuck("r1")], shared: silenceShared },
        ]);
        expect(describeRouteCosts(costs)).toEqual([
            "Automations per route (each route adds its own; shared ones are counted once for the stack)",
            `  r0: 6 of its own (warning-r0, critical-r0, critical-r0-resolve, ${lateStuck("r0").join(", ")}); ` +
                "shares p1-no-success, p1-no-success-resolve",
            `  r1: 6 of its own (warning-r1, critical-r1, critical-r1-resolve, ${lateStuck("r1").join(", ")}); ` +
                "shares p1-no-success, p1-no-success-resolve",
        ]);
    });
});
