import type { Owner, Route } from "../../config/model";
import { DeploymentTags, ownerCoverage } from "../../rules/coverage";
import { AUTOMATION_EVENT_PREFIX } from "../../prefect/vocabulary";
import { PrefectEvent, alertNoise, firingOf, flowKey, flowStats } from "./aggregate";
import { PrefectClient } from "../prefectApi";
import type { ApiTarget } from "./endpoint";
import type { LastSuccess, Period, Report, RunRecord } from "./model";
import { describeWatched, expectedRows, periodRunFilter, routeRunFilter } from "./watched";

/** Reads the report's data from a Prefect API (the only module that talks to Prefect); the figures are aggregate.ts's. */

export const AUTOMATION_TRIGGERED = `${AUTOMATION_EVENT_PREFIX}triggered`;
/** Events the self-hosted server keeps by default (PREFECT_SERVER_EVENTS_RETENTION_PERIOD). */
const DEFAULT_EVENT_RETENTION_DAYS = 7;

export interface CollectOptions {
    stack: string;
    routes: Route[];
    /** The stack's owners: with any, the report says which deployments have none or one the stack does not know. */
    owners?: Owner[];
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
        for (const run of await client.flowRuns(periodRunFilter(route, period), "flow runs in the period: use fewer --days")) {
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
    const triggered = await client.events<PrefectEvent>(
        {
            occurred: { since: period.since.toISOString(), until: period.until.toISOString() },
            event: { name: [AUTOMATION_TRIGGERED] },
            // The automation is the event's resource: prefect.automation.<id>.
            resource: { id_prefix: [AUTOMATION_EVENT_PREFIX] },
            order: "ASC",
        },
        "automation events in the period: use fewer --days",
    );
    const noise = alertNoise(stack, automations, triggered.map(firingOf));

    const ownership = opts.owners?.length ? ownerCoverage(await deploymentTags(client), opts.owners) : undefined;

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
        ...(ownership ? { ownership } : {}),
        notes,
    };
}

/** Every deployment of the workspace with its own tags and its flow's (an owner tag on either gives it an owner). */
async function deploymentTags(client: PrefectClient): Promise<DeploymentTags[]> {
    const deployments = await client.allPages<any>("/deployments/filter", {}, "deployments");
    const flowIds = [...new Set(deployments.map((d) => d.flow_id))];
    const flows = flowIds.length ? await client.allPages<any>("/flows/filter", { flows: { id: { any_: flowIds } } }, "flows") : [];
    const flowOf = new Map(flows.map((f) => [f.id, f]));
    return deployments.map((d) => {
        const flow = flowOf.get(d.flow_id);
        return { deployment: d.name, flow: flow?.name ?? d.flow_id, tags: [...new Set([...(d.tags ?? []), ...(flow?.tags ?? [])])] };
    });
}
