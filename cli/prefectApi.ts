/**
 * The one Prefect REST client of the command-line tools (npm run alert-test, npm run report), and the pieces of
 * "which API, with which credentials" that both share. Each command keeps its own resolution rules (they differ on
 * purpose: the alert test never follows a PREFECT_API_URL that points elsewhere than the stack's workspace, the
 * report reads wherever PREFECT_API_URL points); see cli/alertTest/target.ts and cli/report/endpoint.ts.
 */

/** Prefect Cloud's API host. */
export const CLOUD_API_ORIGIN = "https://api.prefect.cloud";

/** A Prefect Cloud workspace's API base, as PREFECT_API_URL holds it. `origin` for a Cloud endpoint on another host. */
export const cloudWorkspaceApi = (accountId: string, workspaceId: string, origin: string = CLOUD_API_ORIGIN): string =>
    `${origin}/api/accounts/${accountId}/workspaces/${workspaceId}`;

export const trimSlashes = (url: string): string => url.replace(/\/+$/, "");

/** PREFECT_API_AUTH_STRING (`user:password`) as the Basic authorization header Prefect's own client sends. */
export const basicAuth = (authString: string): string => `Basic ${Buffer.from(authString).toString("base64")}`;

/** What the client needs: the API base (no trailing slash), the headers of every call, and where the URL came from. */
export interface ApiEndpoint {
    url: string;
    headers: Record<string, string>;
    /** For error messages, e.g. "prefect:endpoint of stack local". */
    source?: string;
}

/** Prefect's page size for offset-paged filters (PREFECT_SERVER_API_DEFAULT_LIMIT) and for events (the interactive page size). */
const PAGE = 200;
const EVENT_PAGE = 50;
/** A bound on pages read, so a huge workspace cannot keep a command going forever. */
const MAX_PAGES = 500;
const RETRIES = 5;

export class PrefectClient {
    constructor(private readonly endpoint: ApiEndpoint) {}

    /** One call; a 503 (a busy SQLite server) and 429 (Cloud's rate limit) are retried a few times, as Prefect's client does. */
    async request<T = any>(method: "GET" | "POST", pathOrUrl: string, body?: unknown): Promise<T> {
        const { url: base, headers, source } = this.endpoint;
        const url = /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${base}${pathOrUrl}`;
        for (let attempt = 1; ; attempt++) {
            const res = await fetch(url, {
                method,
                headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
                body: body === undefined ? undefined : JSON.stringify(body),
                signal: AbortSignal.timeout(30_000),
            }).catch((e: Error) => {
                // fetch says only "fetch failed"; the cause says why (ECONNREFUSED, a DNS error, TLS, ...).
                const cause = (e.cause as Error | undefined)?.message ?? e.message;
                throw new Error(
                    `cannot reach the Prefect API at ${base}${source ? ` (${source})` : ""}: ${cause}; is the server running?`,
                    {
                        cause: e,
                    },
                );
            });
            const text = await res.text();
            if ((res.status === 503 || res.status === 429) && attempt <= RETRIES) {
                await new Promise((r) => setTimeout(r, 500 * attempt));
                continue;
            }
            // The URL without its query: a next_page token says nothing useful.
            if (!res.ok) throw new Error(`${method} ${url.replace(/\?.*$/, "")} -> HTTP ${res.status}: ${text.slice(0, 500)}`);
            return (text ? JSON.parse(text) : undefined) as T;
        }
    }

    /** Every row an offset-paged filter (/flow_runs/filter, /automations/filter, ...) selects; `tooMany` ends the error past the bound. */
    async allPages<T = any>(path: string, body: Record<string, unknown>, tooMany: string): Promise<T[]> {
        const all: T[] = [];
        for (let page = 0; page < MAX_PAGES; page++) {
            const batch = await this.request<T[]>("POST", path, { ...body, limit: PAGE, offset: page * PAGE });
            all.push(...batch);
            if (batch.length < PAGE) return all;
        }
        throw new Error(`more than ${MAX_PAGES * PAGE} ${tooMany}`);
    }

    /** Every flow run a filter selects, oldest expected start first. */
    flowRuns(filter: Record<string, unknown>, tooMany = "flow runs"): Promise<any[]> {
        return this.allPages("/flow_runs/filter", { ...filter, sort: "EXPECTED_START_TIME_ASC" }, tooMany);
    }

    /** Every automation of the workspace (names are not unique). */
    automations(): Promise<any[]> {
        return this.allPages("/automations/filter", { sort: "NAME_ASC" }, "automations");
    }

    /** Every event a filter selects, following next_page. */
    async events<E = any>(filter: Record<string, unknown>, tooMany = "events"): Promise<E[]> {
        type Page = { events: E[]; next_page: string | null };
        let page = await this.request<Page>("POST", "/events/filter", { filter, limit: EVENT_PAGE });
        const all = [...page.events];
        for (let n = 1; page.next_page; n++) {
            if (n >= MAX_PAGES) throw new Error(`more than ${MAX_PAGES * EVENT_PAGE} ${tooMany}`);
            page = await this.request<Page>("GET", page.next_page);
            all.push(...page.events);
        }
        return all;
    }

    /** Names of flows or deployments by id. */
    async names(kind: "flows" | "deployments", ids: string[]): Promise<Map<string, string>> {
        if (ids.length === 0) return new Map();
        // Paged: a filter returns at most the server's page size (200 by default), and a week can touch more flows.
        const rows = await this.allPages<{ id: string; name: string }>(`/${kind}/filter`, { [kind]: { id: { any_: ids } } }, kind);
        return new Map(rows.map((r) => [r.id, r.name]));
    }

    /** A block document's name, or undefined when it is gone (or unreadable). */
    async blockName(id: string): Promise<string | undefined> {
        try {
            return (await this.request<{ name: string }>("GET", `/block_documents/${id}`)).name;
        } catch {
            return undefined;
        }
    }
}
