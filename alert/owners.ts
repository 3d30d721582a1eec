import type { AutomationDraft, Owner, Route } from "./model";

/**
 * Owner routing as plain data. A team's runs are those tagged `owner:<team>`: Prefect puts the deployment's, the
 * flow's and the run's own tags on every flow-run event as related `prefect.tag.<tag>` resources
 * (prefect/server/models/events.py `_resource_data_as_related_resources`), so one route per owner selects them.
 *
 * The stack's own routes keep their automations for what no owner claims (the default owner). Prefect cannot select
 * "runs WITHOUT an owner tag": each `match_related` object holds when SOME related resource matches
 * (prefect/server/events/schemas/events.py `ResourceSpecification.includes`), so `!prefect.tag.owner:*` is true of
 * any run with one other tag, and negation ("!x") only excludes for single-valued roles (deployment, flow), not
 * tags. A run both on a stack route and tagged owner:<team> therefore reaches the default owner and its team
 * (tests/e2e/owners.e2e.ts proves both on the server); `npm run report` lists such runs' deployments.
 */

/** The tag prefix that says who owns a deployment or flow. */
export const OWNER_TAG_PREFIX = "owner:";

/** The tag that gives a deployment or flow to `team`. */
export const ownerTag = (team: string): string => `${OWNER_TAG_PREFIX}${team}`;

/** The route of one team: its runs, by the owner tag. */
export function ownerRoute(owner: Owner): Route {
    return { name: `owner-${owner.name}`, tags: [ownerTag(owner.name)], flows: [], deployments: [] };
}

/**
 * Where an alert about an owner's runs goes: the team's chat channels instead of the section's, plus the section's
 * paging channels (PagerDuty), so a team's critical failures still page: the team's own PagerDuty service instead,
 * when it has one. `owner` undefined and no default owner: the section's channels as configured.
 */
export function ownerChannels(channels: string[], owner: Owner | undefined, pages: (channel: string) => boolean): string[] {
    if (!owner) return channels;
    const paging = channels.filter(pages);
    const pagesTo = owner.pagerDuty && paging.length ? [owner.pagerDuty.channel] : paging;
    return [...new Set([...owner.channels, ...pagesTo])];
}

/** The channel (block) that pages a team's own PagerDuty service: a hyphen keeps it apart from any configured name. */
export const ownerPagerChannel = (team: string): string => `pagerOwner-${team}`;

/** The PagerDuty service key (rules/pagerDuty.ts) of a team's own service. */
export const ownerService = (team: string): `owner:${string}` => `owner:${team}`;

/**
 * The runbook of an automation, the most specific first: its own (an owner's automation), the route it watches,
 * then the default owner's, which also covers what watches no route (a work pool, the stack's silence, deliveries).
 * Undefined: the message has none.
 */
export function runbookFor(a: Pick<AutomationDraft, "runbook" | "routes">, routes: Route[], defaultOwner?: Owner): string | undefined {
    if (a.runbook) return a.runbook;
    if (a.routes.length === 0) return defaultOwner?.runbook;
    const own = a.routes.map((name) => routes.find((r) => r.name === name)?.runbook);
    // One automation watching several routes (a union) links a runbook only when they agree.
    if (own.every((r) => r !== undefined && r === own[0])) return own[0];
    return defaultOwner?.runbook;
}

/**
 * The owned automations of a signal: each owner's, the owner and its runbook stamped on. They watch no route of the
 * stack (`routes` empty: a route's mute does not silence a team), only the team's tag.
 */
export function perOwner(owners: Owner[], each: (owner: Owner, route: Route) => AutomationDraft[]): AutomationDraft[] {
    return owners.flatMap((o) =>
        each(o, ownerRoute(o)).map((a) => ({ ...a, routes: [], owner: o.name, ...(o.runbook ? { runbook: o.runbook } : {}) })),
    );
}
