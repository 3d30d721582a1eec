import { journalCall } from "./automationJournal";

/** A few calls of Prefect's REST API, as plain fetch. `api` is the server's /api URL. */

/**
 * One API call. A 503 is the server's "retry me" (SQLite busy: the request was
 * rolled back), which Prefect's own client retries too; so do we, a few times.
 */
export async function prefectRequest<T = any>(api: string, method: string, path: string, body?: unknown): Promise<T> {
    for (let attempt = 1; ; attempt++) {
        const res = await fetch(`${api}${path}`, {
            method,
            headers: body === undefined ? {} : { "content-type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        if (res.status === 503 && attempt < 8) {
            await new Promise((r) => setTimeout(r, 250 * attempt));
            continue;
        }
        if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text.slice(0, 2000)}`);
        const parsed = (text ? JSON.parse(text) : undefined) as T;
        // Automations made, deleted or switched are journaled for the suite's history report (automationJournal.ts).
        journalCall(api, method, path, body, parsed);
        return parsed;
    }
}

export const get = <T = any>(api: string, path: string) => prefectRequest<T>(api, "GET", path);
export const post = <T = any>(api: string, path: string, body: unknown) => prefectRequest<T>(api, "POST", path, body);

export interface PrefectEvent {
    id: string;
    event: string;
    occurred: string;
    received?: string;
    resource: Record<string, string>;
    related: Record<string, string>[];
    payload: Record<string, any>;
}

/** Events whose name is one of `names`, oldest first, every page (the API serves 50 a page). */
export async function events(api: string, names: string[], since?: Date): Promise<PrefectEvent[]> {
    const filter: Record<string, unknown> = { event: { name: names }, order: "ASC" };
    if (since) filter.occurred = { since: since.toISOString() };
    return eventPages(api, filter);
}

/** Every event an /events/filter `filter` selects, following the server's next_page links to the end. */
export async function eventPages(api: string, filter: Record<string, unknown>): Promise<PrefectEvent[]> {
    type Page = { events: PrefectEvent[]; next_page: string | null };
    let page = await post<Page>(api, "/events/filter", { filter, limit: 50 });
    const all = [...page.events];
    while (page.next_page) {
        // next_page is an absolute URL under the same /api.
        page = await get<Page>(api, page.next_page.slice(page.next_page.indexOf("/api/") + 4));
        all.push(...page.events);
    }
    return all;
}

export interface FlowRunState {
    name: string;
    type: string;
    timestamp: string;
    message?: string;
}

export async function flowRun(api: string, id: string): Promise<{ id: string; name: string; state: FlowRunState; tags: string[] }> {
    return get(api, `/flow_runs/${id}`);
}

export async function createWorkPool(api: string, name: string): Promise<{ id: string; name: string; status: string }> {
    return post(api, "/work_pools/", { name, type: "process" });
}

/** What a worker does every heartbeat interval: the pool turns READY while heartbeats keep coming. */
export async function workerHeartbeat(api: string, pool: string, worker: string, intervalSeconds: number): Promise<void> {
    await post(api, `/work_pools/${encodeURIComponent(pool)}/workers/heartbeat`, {
        name: worker,
        heartbeat_interval_seconds: intervalSeconds,
    });
}
