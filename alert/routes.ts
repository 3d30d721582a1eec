import type { Route } from "./model";
import { Labels, labelLiteral, tagResourceId } from "../prefect/vocabulary";

/** One `match_related` object: labels ANDed, a list value ORs its items. */
export type RelatedMatch = Labels;

const oneOrMany = (xs: string[]): string | string[] => (xs.length === 1 ? xs[0] : xs);

/**
 * The related-resource filters that select a route's flow runs. Tags are
 * related resources `prefect.tag.<tag>` with role `tag`; flows and
 * deployments are matched by their name label. All filters must hold (a
 * list of match_related objects is ANDed by Prefect).
 */
export function routeFilters(route: Route): RelatedMatch[] {
    const filters: RelatedMatch[] = [];
    if (route.tags.length)
        filters.push({ "prefect.resource.role": "tag", "prefect.resource.id": oneOrMany(route.tags.map(tagResourceId)) });
    if (route.flows.length)
        filters.push({ "prefect.resource.role": "flow", "prefect.resource.name": oneOrMany(route.flows.map(labelLiteral)) });
    if (route.deployments.length)
        filters.push({ "prefect.resource.role": "deployment", "prefect.resource.name": oneOrMany(route.deployments.map(labelLiteral)) });
    return filters;
}

/** A single object when there is one filter, as Prefect's own UI writes it. */
export function matchRelatedFor(filters: RelatedMatch[]): RelatedMatch | RelatedMatch[] {
    return filters.length === 1 ? filters[0] : filters;
}

/** The route in words, for names, descriptions and the preview. */
export function describeRoute(route: Route): string {
    const parts: string[] = [];
    if (route.tags.length) parts.push(`tagged ${route.tags.join(" or ")}`);
    if (route.flows.length) parts.push(`of flow ${route.flows.join(" or ")}`);
    if (route.deployments.length) parts.push(`of deployment ${route.deployments.join(" or ")}`);
    return `flow runs ${parts.join(" and ")}`;
}

type Criterion = "tags" | "flows" | "deployments";
const CRITERIA: Criterion[] = ["tags", "flows", "deployments"];

/**
 * Several routes as one, when Prefect can say "any of them" in one
 * `match_related`: every route selects runs by one criterion, the same one
 * (all by tags, say), so the union of their values ORs them. Otherwise
 * undefined: routes that combine criteria (tag AND flow), or mix them, need one
 * trigger each, since a list of match_related objects is ANDed.
 */
export function unionOfRoutes(routes: Route[], name: string): Route | undefined {
    if (routes.length === 0) return undefined;
    const used = (r: Route) => CRITERIA.filter((c) => r[c].length > 0);
    const criterion = used(routes[0])[0];
    if (!routes.every((r) => used(r).length === 1 && used(r)[0] === criterion)) return undefined;
    const union: Route = { name, tags: [], flows: [], deployments: [] };
    union[criterion] = [...new Set(routes.flatMap((r) => r[criterion]))];
    return union;
}
