import { describeRoute } from "../../alert/routes";
import { Route, StackConfig, sectionOf } from "../../config/model";
import { warningSettings } from "../../signals/finalFailure";
import { p1Settings } from "../../signals/p1";
import { criticalSettings } from "../../signals/repeatedFailure";
import type { Period } from "./model";

/** Which flow runs the report covers: the routes the stack's enabled tiers watch, as Prefect API filters (pure). */

type Watching = Pick<StackConfig, "routes" | "signals">;

/** The routes some enabled tier watches, in the stack's order; every route when no tier is enabled. */
export function watchedRoutes(cfg: Watching): Route[] {
    const used = new Set(
        [sectionOf(cfg, warningSettings), sectionOf(cfg, criticalSettings), sectionOf(cfg, p1Settings)].flatMap((s) => s.routes),
    );
    return used.size === 0 ? cfg.routes : cfg.routes.filter((r) => used.has(r.name));
}

export const describeWatched = (routes: Route[]): string[] => routes.map((r) => `${r.name}: ${describeRoute(r)}`);

/**
 * The body of POST /flow_runs/filter selecting a route's runs, the way its
 * automations select their events: criteria ANDed, values within one ORed
 * (a tag is any of the route's tags). `extra` adds flow run conditions.
 */
export function routeRunFilter(route: Route, flowRuns: Record<string, unknown> = {}): Record<string, unknown> {
    const body: Record<string, unknown> = { flow_runs: { ...(route.tags.length ? { tags: { any_: route.tags } } : {}), ...flowRuns } };
    if (route.flows.length) body.flows = { name: { any_: route.flows } };
    if (route.deployments.length) body.deployments = { name: { any_: route.deployments } };
    return body;
}

/** A route's runs expected to start within the period (scheduled, started or not). */
export const periodRunFilter = (route: Route, period: Period) =>
    routeRunFilter(route, { expected_start_time: { after_: period.since.toISOString(), before_: period.until.toISOString() } });

/** Rows the report shows even without runs: flows a route names (a deployment too, when it names exactly one). */
export function expectedRows(routes: Route[]): { flow: string; deployment?: string }[] {
    const rows = new Map<string, { flow: string; deployment?: string }>();
    for (const r of routes)
        for (const flow of r.flows) {
            const deployment = r.deployments.length === 1 ? r.deployments[0] : undefined;
            rows.set(JSON.stringify([flow, deployment ?? null]), { flow, deployment });
        }
    return [...rows.values()];
}
