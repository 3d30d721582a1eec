import { isPrefectCloud } from "../../config/load";

/**
 * Where the test talks to Prefect, and how. A self-hosted stack: its own
 * `prefect:endpoint` (a server with basic auth: PREFECT_API_AUTH_STRING, as
 * Prefect's client reads it). Prefect Cloud: PREFECT_API_URL (the workspace's
 * `https://api.prefect.cloud/api/accounts/<account>/workspaces/<workspace>`; built
 * from the stack's prefect:accountId / prefect:workspaceId when unset) and
 * PREFECT_API_KEY, the same variables Prefect's own client reads.
 */
export interface Target {
    api: string;
    cloud: boolean;
    headers: Record<string, string>;
    /** What the Python flow process gets, on top of the caller's environment. */
    env: Record<string, string>;
}

export const CLOUD_API = "https://api.prefect.cloud/api";

export function resolveTarget(
    endpoint: string | undefined,
    ids: { accountId?: string; workspaceId?: string },
    env: NodeJS.ProcessEnv,
): Target {
    if (!isPrefectCloud(endpoint)) {
        const headers: Record<string, string> = {};
        if (env.PREFECT_API_AUTH_STRING) headers.authorization = `Basic ${Buffer.from(env.PREFECT_API_AUTH_STRING).toString("base64")}`;
        return { api: endpoint!.replace(/\/+$/, ""), cloud: false, headers, env: { PREFECT_API_URL: endpoint! } };
    }
    const key = env.PREFECT_API_KEY;
    if (!key) throw new Error("a Prefect Cloud stack: set PREFECT_API_KEY (an API key or service account key for the stack's workspace)");
    const fromIds = ids.accountId && ids.workspaceId ? `${CLOUD_API}/accounts/${ids.accountId}/workspaces/${ids.workspaceId}` : undefined;
    const api = (env.PREFECT_API_URL ?? fromIds)?.replace(/\/+$/, "");
    if (!api)
        throw new Error(
            "a Prefect Cloud stack without prefect:accountId / prefect:workspaceId: set PREFECT_API_URL to the workspace's " +
                `${CLOUD_API}/accounts/<account id>/workspaces/<workspace id>`,
        );
    // Never test another workspace than the stack's by accident (a profile's or a shell's leftover PREFECT_API_URL).
    if (fromIds && api !== fromIds)
        throw new Error(
            `PREFECT_API_URL is ${api}, but the stack's workspace is ${fromIds}: unset it or point it at the stack's workspace`,
        );
    return { api, cloud: true, headers: { authorization: `Bearer ${key}` }, env: { PREFECT_API_URL: api, PREFECT_API_KEY: key } };
}

export class PrefectClient {
    constructor(private readonly target: Target) {}

    /** One call; a 503 (a busy SQLite server) and 429 (Cloud's rate limit) are retried a few times, as Prefect's client does. */
    async request<T = any>(method: string, pathOrUrl: string, body?: unknown): Promise<T> {
        const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : `${this.target.api}${pathOrUrl}`;
        for (let attempt = 1; ; attempt++) {
            const res = await fetch(url, {
                method,
                headers: { ...this.target.headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
                body: body === undefined ? undefined : JSON.stringify(body),
                signal: AbortSignal.timeout(30_000),
            }).catch((e: Error) => {
                // fetch says only "fetch failed"; the cause says why (ECONNREFUSED, a DNS error, ...).
                const cause = (e.cause as Error | undefined)?.message ?? e.message;
                throw new Error(`cannot reach the Prefect API at ${this.target.api} (${cause}); is the server running?`, { cause: e });
            });
            const text = await res.text();
            if ((res.status === 503 || res.status === 429) && attempt < 6) {
                await new Promise((r) => setTimeout(r, 500 * attempt));
                continue;
            }
            if (!res.ok) throw new Error(`${method} ${url.replace(this.target.api, "")} -> HTTP ${res.status}: ${text.slice(0, 500)}`);
            return (text ? JSON.parse(text) : undefined) as T;
        }
    }

    /** Every automation whose name starts with `prefix` (names are not unique; the filter pages by offset). */
    async automations(prefix: string): Promise<any[]> {
        const all: any[] = [];
        for (let offset = 0; ; offset += 200) {
            const page = await this.request<any[]>("POST", "/automations/filter", { limit: 200, offset });
            all.push(...page);
            if (page.length < 200) break;
        }
        return all.filter((a) => typeof a.name === "string" && a.name.startsWith(prefix));
    }

    async blockName(id: string): Promise<string | undefined> {
        try {
            return (await this.request<{ name: string }>("GET", `/block_documents/${id}`)).name;
        } catch {
            return undefined;
        }
    }

    /** Events named `names` since `since`, oldest first, every page. */
    async events(names: string[], since: Date): Promise<any[]> {
        type Page = { events: any[]; next_page: string | null };
        let page = await this.request<Page>("POST", "/events/filter", {
            filter: { event: { name: names }, occurred: { since: since.toISOString() }, order: "ASC" },
            limit: 50,
        });
        const all = [...page.events];
        while (page.next_page) {
            page = await this.request<Page>("GET", page.next_page);
            all.push(...page.events);
        }
        return all;
    }
}
