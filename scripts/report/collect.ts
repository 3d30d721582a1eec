import type { Route } from "../../config/model";
import { AUTOMATION_EVENT_PREFIX } from "../../prefect/vocabulary";
import { PrefectEvent, alertNoise, firingOf, flowKey, flowStats } from "./aggregate";
import type { ApiTarget } from "./endpoint";
import type { LastSuccess, Period, Report, RunRecord } from "./model";
import { describeWatched, expectedRows, periodRunFilter, routeRunFilter } from "./watched";

/** Reads the report's data from a Prefect API (the only module that talks to Prefect); the figures are aggregate.ts's. */

export const AUTOMATION_TRIGGERED = `${AUTOMATION_EVENT_PREFIX}triggered`;
/** Prefect's page size for flow runs (PREFECT_SERVER_API_DEFAULT_LIMIT) and events (the interactive page size). */
const RUN_PAGE = 200;
const EVENT_PAGE = 50;
/** A bound on pages read, so a huge workspace cannot keep the report going forever. */
const MAX_PAGES = 500;
/** Events the self-hosted server keeps by default (PREFECT_SERVER_EVENTS_RETENTION_PERIOD). */
const DEFAULT_EVENT_RETENTION_DAYS = 7;

export class PrefectClient {
    constructor(private readonly target: ApiTarget) {}

    /** One call; a 503 (SQLite busy, rate limited) is retried a few times, as Prefect's own client does. */
    async request<T = any>(method: "GET" | "POST", pathOrUrl: string, body?: unknown): Promise<T> {
        const url = /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${this.target.url}${pathOrUrl}`;
        for (let attempt = 1; ; attempt++) {
            const res = await fetch(url, {
                method,
                headers: { ...this.target.headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
                body: body === undefined ? undefined : JSON.stringify(body),
                signal: AbortSignal.timeout(30_000),
            }).catch((e: Error) => {
                // fetch says only "fetch failed"; the cause says why (refused, DNS, TLS).
                const cause = (e.cause as Error | undefined)?.message;
                throw new Error(`cannot reach ${this.target.url} (${this.target.source}): ${cause ?? e.message}`);
            });
            const text = await res.text();
            if ((res.status === 503 || res.status === 429) && attempt < 6) {
                await new Promise((r) => setTimeout(r, 300 * attempt));
                continue;
            }
            if (!res.ok) throw new Error(`${method} ${url.replace(/\?.*$/, "")} -> HTTP ${res.status}: ${text.slice(0, 500)}`);
            return (text ? JSON.parse(text) : undefined) as T;
        }
    }

    /** Every flow run a filter selects, page by page. */
    async flowRuns(filter: Record<string, unknown>): Promise<any[]> {
        const all: any[] = [];
        for (let page = 0; page < MAX_PAGES; page++) {
            const batch = await this.request<any[]>("POST", "/flow_runs/filter", {
                ...filter,
                sort: "EXPECTED_START_TIME_ASC",
                limit: RUN_PAGE,
                offset: page * RUN_PAGE,
            });
            all.push(...batch);
            if (batch.length < RUN_PAGE) return all;
        }
        throw new Error(`more than ${MAX_PAGES * RUN_PAGE} flow runs in the period: use fewer --days`);
    }

    /** Every event a filter selects, following next_page. */
    async events(filter: Record<string, unknown>): Promise<PrefectEvent[]> {
        type Page = { events: PrefectEvent[]; next_page: string | null };
        let page = await this.request<Page>("POST", "/events/filter", { filter, limit: EVENT_PAGE });
        const all = [...page.events];
        for (let n = 1; page.next_page; n++) {
            if (n >= MAX_PAGES) throw new Error(`more than ${MAX_PAGES * EVENT_PAGE} automation events in the period: use fewer --days`);
            page = await this.request<Page>("GET", page.next_page);
            all.push(...page.events);
        }
        return all;
    }

    /** Every automation of the workspace (names and ids), page by page. */
    async automations(): Promise<{ id: string; name: string; enabled: boolean }[]> {
        const all: { id: string; name: string; enabled: boolean }[] = [];
        for (let page = 0; page < MAX_PAGES; page++) {
            const batch = await this.request<any[]>("POST", "/automations/filter", {
                sort: "NAME_ASC",
                limit: RUN_PAGE,
                offset: page * RUN_PAGE,
            });
            all.push(...batch);
            if (batch.length < RUN_PAGE) return all;
        }
        throw new Error(`more than ${MAX_PAGES * RUN_PAGE} automations`);
    }

    async names(kind: "flows" | "deployments", ids: string[]): Promise<Map<string, string>> {
        if (ids.length === 0) return new Map();
        const rows = await this.request<{ id: string; name: string }[]>("POST", `/${kind}/filter`, { [kind]: { id: { any_: ids } } });
        return new Map(rows.map((r) => [r.id, r.name]));
    }
}

export interface CollectOptions {
    stack: string;
    routes: Route[];
    period: Period;
    target: ApiTarget;
}

/** The whole report: runs of the watched routes, their last successes, and the stack's automation firings. */
export async function collectReport(opts: CollectOptions): Promise<Report> {
    const { period, routes, stack, target } = opts;
    const client = new PrefectClient(target);

    // Runs of each route in the period, once each even when several routes select them.
    const raw = new Map<string, any>();
    const routesOfRun = new Map<string, Route[]>();
    for (const route of routes)
        for (const run of await client.flowRuns(periodRunFilter(route, period))) {
            raw.set(run.id, run);
            routesOfRun.set(run.id, [...(routesOfRun.get(run.id) ?? []), route]);
        }
    const flows = await client.names("flows", [...new Set([...raw.values()].map((r) => r.flow_id))]);
    const deployments = await client.names("deployments", [...new Set([...raw.values()].map((r) => r.deployment_id).filter(Boolean))]);
    const runs: RunRecord[] = [...raw.values()].map((r) => ({
        id: r.id,
        name: r.name,
        flow: flows.get(r.flow_id) ?? r.flow_id,
        deployment: r.deployment_id ? (deployments.get(r.deployment_id) ?? r.deployment_id) : undefined,
        state: r.state_name ?? r.state?.name ?? "Unknown",
        expectedStart: r.expected_start_time,
        start: r.start_time,
        end: r.end_time,
    }));

    // Freshness: each group's newest Completed run through the routes that watch it, however old.
    const lastSuccess = new Map<string, LastSuccess>();
    const keep = (key: string, run: any) => {
        if (!run?.end_time) return;
        const known = lastSuccess.get(key);
        if (!known || Date.parse(run.end_time) > Date.parse(known.end))
            lastSuccess.set(key, { id: run.id, name: run.name, end: run.end_time });
    };
    const completed = { state: { type: { any_: ["COMPLETED"] } } };
    const newest = async (filter: Record<string, unknown>) =>
        (await client.request<any[]>("POST", "/flow_runs/filter", { ...filter, sort: "END_TIME_DESC", limit: 1 }))[0];
    const groups = new Map<string, { flowId: string; deploymentId: string | null; routes: Set<Route> }>();
    for (const r of raw.values()) {
        const run = runs.find((x) => x.id === r.id)!;
        const key = flowKey(run.flow, run.deployment);
        if (!groups.has(key)) groups.set(key, { flowId: r.flow_id, deploymentId: r.deployment_id ?? null, routes: new Set() });
        for (const route of routesOfRun.get(r.id)!) groups.get(key)!.routes.add(route);
    }
    for (const [key, g] of groups)
        for (const route of g.routes) {
            const filter = routeRunFilter(route, {
                ...completed,
                deployment_id: g.deploymentId ? { any_: [g.deploymentId] } : { is_null_: true },
            });
            filter.flows = { ...((filter.flows as object) ?? {}), id: { any_: [g.flowId] } };
            keep(key, await newest(filter));
        }
    const expected = expectedRows(routes);
    for (const e of expected) {
        const key = flowKey(e.flow, e.deployment);
        if (groups.has(key)) continue;
        for (const route of routes.filter((r) => r.flows.includes(e.flow))) {
            const filter = routeRunFilter(route, completed);
            filter.flows = { name: { any_: [e.flow] } };
            if (e.deployment) filter.deployments = { name: { any_: [e.deployment] } };
            keep(key, await newest(filter));
        }
    }

    // Alert noise: the stack's automations, and every time one of them fired in the period.
    const automations = (await client.automations()).map((a) => ({ id: a.id, name: a.name, enabled: a.enabled }));
    const triggered = await client.events({
        occurred: { since: period.since.toISOString(), until: period.until.toISOString() },
        event: { name: [AUTOMATION_TRIGGERED] },
        // The automation is the event's resource: prefect.automation.<id>.
        resource: { id_prefix: [AUTOMATION_EVENT_PREFIX] },
        order: "ASC",
    });
    const noise = alertNoise(stack, automations, triggered.map(firingOf));

    const notes: string[] = [];
    if (period.days.length > DEFAULT_EVENT_RETENTION_DAYS)
        notes.push(
            `alert counts cover only the events the server still keeps: a self-hosted server keeps ${DEFAULT_EVENT_RETENTION_DAYS} days ` +
                "by default (PREFECT_SERVER_EVENTS_RETENTION_PERIOD); Prefect Cloud keeps what your plan allows.",
        );

    return {
        stack,
        api: target.url,
        uiUrl: target.uiUrl,
        period,
        watched: describeWatched(routes),
        flows: flowStats(runs, period, lastSuccess, expected),
        automations: noise.automations,
        noisiest: noise.noisiest,
        notes,
    };
}
