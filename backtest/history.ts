import type { ReplayEvent } from "./engine";

/**
 * What happened on a Prefect server in a period, as the events its trigger engine saw. Prefect keeps events 7 days by
 * default but runs and their state history much longer, so the `prefect.flow-run.<State>` events are REBUILT from
 * each run's state history exactly as the server emits them (server/models/events.py `flow_run_state_change_event`,
 * called by orchestration/instrumentation_policies.py on every accepted state): the event's id is the state's id, it
 * occurred at the state's timestamp, and its related resources are the run's flow, deployment, work queue, work pool
 * and parent task run (with role and name), one `prefect.tag.<tag>` per tag of the run, the flow, the deployment and
 * the task run (sorted), and the run's creator. Where the server still has the real event, the real one is used;
 * other kinds of events (work pool / queue / deployment readiness, custom events) only exist as real events.
 */

/** The calls it needs of cli/prefectApi.ts's PrefectClient (structural, so this folder does not import cli/). */
export interface HistoryClient {
    request<T = any>(method: "GET" | "POST", path: string, body?: unknown): Promise<T>;
    allPages<T = any>(path: string, body: Record<string, unknown>, tooMany: string): Promise<T[]>;
    events<E = any>(filter: Record<string, unknown>, tooMany?: string): Promise<E[]>;
}

export interface HistoryOptions {
    /** Read real events from /events/filter (default true); false predicts from the rebuilt state history alone. */
    events?: boolean;
    /** Only runs with one of these tags (a run's own tags), e.g. to read one scenario of a shared server. */
    tags?: string[];
    /** Concurrent state-history reads (default 8). */
    concurrency?: number;
}

/** The server's `TRUNCATE_STATE_MESSAGES_AT` (models/events.py). */
const TRUNCATE_AT = 100_000;
/** Events the trigger engine never evaluates usefully here and that are numerous. */
const SKIPPED_PREFIXES = ["prefect.log.", "prefect.task-run."];

type Related = Record<string, string>;
interface Named {
    id: string;
    name: string;
    tags?: string[];
}

export async function readHistory(
    client: HistoryClient,
    since: number,
    until: number,
    options: HistoryOptions = {},
): Promise<ReplayEvent[]> {
    const runs = await runsIn(client, since, until, options.tags);
    const rebuilt = await rebuildStateEvents(client, runs, options.concurrency ?? 8);
    const inWindow = (e: ReplayEvent) => e.occurred >= since && e.occurred <= until;
    const byId = new Map(rebuilt.filter(inWindow).map((e) => [e.id, e]));
    if (options.events !== false) {
        const runIds = new Set(runs.map((r) => `prefect.flow-run.${r.id}`));
        for (const e of await realEvents(client, since, until)) {
            // A real flow-run event replaces its rebuilt twin; one of a run outside the selection stays out.
            if (e.event.startsWith("prefect.flow-run.") && !runIds.has(e.resource["prefect.resource.id"])) continue;
            if (options.tags && e.event.startsWith("prefect.flow-run.") === false && !relatedTag(e, options.tags)) continue;
            byId.set(e.id, e);
        }
    }
    return [...byId.values()].sort((a, b) => a.occurred - b.occurred);
}

const relatedTag = (e: ReplayEvent, tags: string[]) =>
    e.related.some((r) => tags.some((t) => r["prefect.resource.id"] === `prefect.tag.${t}`));

/** Runs that may have changed state in the period: ended after its start, or not ended, and expected to start before its end. */
async function runsIn(client: HistoryClient, since: number, until: number, tags?: string[]): Promise<any[]> {
    const base = {
        expected_start_time: { before_: new Date(until).toISOString() },
        ...(tags ? { tags: { any_: tags } } : {}),
    };
    const ended = await client.allPages(
        "/flow_runs/filter",
        { flow_runs: { ...base, end_time: { after_: new Date(since).toISOString() } } },
        "runs",
    );
    const open = await client.allPages("/flow_runs/filter", { flow_runs: { ...base, end_time: { is_null_: true } } }, "runs");
    return [...new Map([...ended, ...open].map((r) => [r.id, r])).values()];
}

async function realEvents(client: HistoryClient, since: number, until: number): Promise<ReplayEvent[]> {
    const raw = await client.events(
        {
            occurred: { since: new Date(since).toISOString(), until: new Date(until).toISOString() },
            event: { exclude_prefix: SKIPPED_PREFIXES },
            order: "ASC",
        },
        "events",
    );
    return raw.map((e) => ({ id: e.id, occurred: Date.parse(e.occurred), event: e.event, resource: e.resource, related: e.related ?? [] }));
}

/** Each run's states as the events the server emitted for them. */
async function rebuildStateEvents(client: HistoryClient, runs: any[], concurrency: number): Promise<ReplayEvent[]> {
    const related = await relatedOf(client, runs);
    const out: ReplayEvent[] = [];
    let next = 0;
    const worker = async () => {
        while (next < runs.length) {
            const run = runs[next++];
            const states = await client.request<any[]>("GET", `/flow_run_states/?flow_run_id=${run.id}`);
            out.push(...stateEvents(run, states, related.get(run.id) ?? []));
        }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, runs.length) }, worker));
    return out;
}

/**
 * The events of one run's states (pure). `prefect.run-count` is the run's count when the state was accepted: the
 * server counts a run each time it enters a RUNNING-type state (orchestration/global_policy.py `IncrementFlowRunCount`).
 */
export function stateEvents(run: { id: string; name: string }, states: any[], related: Related[]): ReplayEvent[] {
    const ordered = [...states].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
    let runCount = 0;
    return ordered.map((s) => {
        if (s.type === "RUNNING") runCount++;
        const resource: Record<string, string> = {
            "prefect.resource.id": `prefect.flow-run.${run.id}`,
            "prefect.resource.name": run.name,
            "prefect.run-count": String(runCount),
            "prefect.state-message": (s.message ?? "").slice(0, TRUNCATE_AT),
            "prefect.state-name": s.name ?? "",
            "prefect.state-timestamp": pythonIso(s.timestamp),
            "prefect.state-type": s.type,
        };
        return { id: s.id, occurred: Date.parse(s.timestamp), event: `prefect.flow-run.${s.name}`, resource, related };
    });
}

/** Python's `datetime.isoformat()` of an API timestamp: `+00:00`, microseconds only when not zero. */
function pythonIso(ts: string): string {
    const m = /^(.*?T\d\d:\d\d:\d\d)(?:\.(\d+))?(?:Z|\+00:00)$/.exec(ts);
    if (!m) return ts;
    const micros = (m[2] ?? "").padEnd(6, "0").slice(0, 6);
    return `${m[1]}${/^0+$/.test(micros) ? "" : `.${micros}`}+00:00`;
}

/** Each run's related resources, in the server's order (models/events.py `_as_resource_data`, `_resource_data_as_related_resources`). */
async function relatedOf(client: HistoryClient, runs: any[]): Promise<Map<string, Related[]>> {
    const ids = (f: (r: any) => string | null | undefined) => [...new Set(runs.map(f).filter((x): x is string => !!x))];
    const byId = async (path: string, key: string, list: string[]): Promise<Map<string, any>> =>
        list.length === 0
            ? new Map()
            : new Map((await client.allPages(path, { [key]: { id: { any_: list } } }, key)).map((x: any) => [x.id, x]));
    const flows = await byId(
        "/flows/filter",
        "flows",
        ids((r) => r.flow_id),
    );
    const deployments = await byId(
        "/deployments/filter",
        "deployments",
        ids((r) => r.deployment_id),
    );
    const queues = await byId(
        "/work_queues/filter",
        "work_queues",
        ids((r) => r.work_queue_id),
    );
    const pools = await byId("/work_pools/filter", "work_pools", [
        ...new Set([...queues.values()].map((q) => q.work_pool_id).filter(Boolean)),
    ]);
    const taskRuns = new Map<string, any>();
    for (const id of ids((r) => r.parent_task_run_id))
        taskRuns.set(id, await client.request("GET", `/task_runs/${id}`).catch(() => undefined));
    const out = new Map<string, Related[]>();
    for (const run of runs) {
        const queue = run.work_queue_id ? queues.get(run.work_queue_id) : undefined;
        out.set(
            run.id,
            relatedResources({
                flow: flows.get(run.flow_id),
                deployment: run.deployment_id ? deployments.get(run.deployment_id) : undefined,
                workQueue: queue,
                workPool: queue?.work_pool_id ? pools.get(queue.work_pool_id) : undefined,
                taskRun: run.parent_task_run_id ? taskRuns.get(run.parent_task_run_id) : undefined,
                runTags: run.tags ?? [],
                createdBy: run.created_by ?? undefined,
            }),
        );
    }
    return out;
}

/** The related resources of a run's state events (pure). */
export function relatedResources(r: {
    flow?: Named;
    deployment?: Named;
    workQueue?: Named;
    workPool?: Named & { type: string };
    taskRun?: Named;
    runTags: string[];
    createdBy?: { id?: string | null; type?: string | null; display_value?: string | null };
}): Related[] {
    const out: Related[] = [];
    const add = (kind: string, x: Named | undefined, extra: Related = {}) => {
        if (x)
            out.push({
                "prefect.resource.id": `prefect.${kind}.${x.id}`,
                "prefect.resource.role": kind,
                "prefect.resource.name": x.name,
                ...extra,
            });
    };
    add("flow", r.flow);
    add("deployment", r.deployment);
    add("work-queue", r.workQueue);
    add("work-pool", r.workPool, r.workPool ? { "prefect.work-pool.type": r.workPool.type } : {});
    add("task-run", r.taskRun);
    // Work queues and pools lend no tags (their resource data has none).
    const tags = new Set([...r.runTags, ...(r.flow?.tags ?? []), ...(r.deployment?.tags ?? []), ...(r.taskRun?.tags ?? [])]);
    for (const tag of [...tags].sort()) out.push({ "prefect.resource.id": `prefect.tag.${tag}`, "prefect.resource.role": "tag" });
    const c = r.createdBy;
    const creator = c?.type === "DEPLOYMENT" ? "deployment" : c?.type === "AUTOMATION" ? "automation" : undefined;
    if (c?.id && creator)
        out.push({
            "prefect.resource.id": `prefect.${creator}.${c.id}`,
            "prefect.resource.role": "creator",
            ...(c.display_value ? { "prefect.resource.name": c.display_value } : {}),
        });
    return out;
}
