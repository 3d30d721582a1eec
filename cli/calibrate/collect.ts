import type { Route } from "../../config/model";
import { ownerOfTag } from "../../config/owners";
import type { PrefectClient } from "../prefectApi";
import { routeRunFilter } from "../report/watched";
import type { DeploymentSample } from "./file";
import { CompletedRun, propose } from "./stats";

/**
 * Reads, for each deployment a route selects, its last `runs` completed runs (newest end first), through the tool's
 * one Prefect client. A route by tags is judged by its runs' tags (deployments are not filtered by tag), so a
 * deployment under it is listed only when some of its completed runs carry one of the tags.
 */
export async function collectSamples(client: PrefectClient, routes: Route[], runs: number): Promise<DeploymentSample[]> {
    const found = new Map<string, DeploymentSample>();
    for (const route of routes) {
        const filter = routeRunFilter(route, { state: { type: { any_: ["COMPLETED"] } } });
        const deployments = await client.allPages<{ id: string; name: string; flow_id: string; tags?: string[] }>(
            "/deployments/filter",
            {
                ...(route.flows.length ? { flows: filter.flows } : {}),
                ...(route.deployments.length ? { deployments: filter.deployments } : {}),
                sort: "NAME_ASC",
            },
            "deployments",
        );
        const flowIds = [...new Set(deployments.map((d) => d.flow_id))];
        // Names and tags: an owner:<team> tag on the flow owns its deployments too (as the alerts and the report see it).
        const flows = new Map(
            flowIds.length
                ? (
                      await client.allPages<{ id: string; name: string; tags?: string[] }>(
                          "/flows/filter",
                          { flows: { id: { any_: flowIds } } },
                          "flows",
                      )
                  ).map((f) => [f.id, f])
                : [],
        );
        for (const d of deployments) {
            const flow = flows.get(d.flow_id)?.name ?? d.flow_id;
            const key = `${flow}/${d.name}`;
            const known = found.get(key);
            if (known) {
                known.routes.push(route.name);
                continue;
            }
            const rows = await client.request<any[]>("POST", "/flow_runs/filter", {
                ...filter,
                deployments: { ...(filter.deployments as object), id: { any_: [d.id] } },
                sort: "END_TIME_DESC",
                limit: runs,
            });
            if (rows.length === 0 && route.tags.length) continue;
            const completed: CompletedRun[] = rows.map((r) => ({
                expectedStart: r.expected_start_time,
                start: r.start_time,
                end: r.end_time,
                runSeconds: r.total_run_time,
            }));
            const owner = ownerOfDeployment(d.tags ?? [], flows.get(d.flow_id)?.tags ?? []);
            found.set(key, {
                flow,
                deployment: d.name,
                deploymentId: d.id,
                routes: [route.name],
                ...(owner ? { owner } : {}),
                proposal: propose(completed),
            });
        }
    }
    return [...found.values()].sort((a, b) => `${a.flow}/${a.deployment}`.localeCompare(`${b.flow}/${b.deployment}`));
}

/** The team of a deployment's first `owner:<team>` tag, normalised as the stack writes it (config/owners.ts). */
export function ownerOf(tags: readonly string[]): string | undefined {
    for (const t of tags) {
        const team = ownerOfTag(t);
        if (team) return team;
    }
    return undefined;
}

/** A deployment's owner: its own owner tag, else its flow's (a run carries both; the deployment's is the nearer). */
export function ownerOfDeployment(deploymentTags: readonly string[], flowTags: readonly string[]): string | undefined {
    return ownerOf(deploymentTags) ?? ownerOf(flowTags);
}
