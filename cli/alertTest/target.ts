import { isPrefectCloud } from "../../config/load";
import { basicAuth, cloudWorkspaceApi, trimSlashes } from "../prefectApi";

/**
 * Where the test talks to Prefect, and how. A self-hosted stack: its own
 * `prefect:endpoint` (a server with basic auth: PREFECT_API_AUTH_STRING, as
 * Prefect's client reads it). Prefect Cloud: PREFECT_API_URL (the workspace's
 * `https://api.prefect.cloud/api/accounts/<account>/workspaces/<workspace>`; built
 * from the stack's prefect:accountId / prefect:workspaceId when unset) and
 * PREFECT_API_KEY, the same variables Prefect's own client reads.
 * The client is the shared one (cli/prefectApi.ts): `new PrefectClient({ url: target.api, headers: target.headers })`.
 */
export interface Target {
    api: string;
    cloud: boolean;
    headers: Record<string, string>;
    /** What the Python flow process gets, on top of the caller's environment. */
    env: Record<string, string>;
}

export function resolveTarget(
    endpoint: string | undefined,
    ids: { accountId?: string; workspaceId?: string },
    env: NodeJS.ProcessEnv,
): Target {
    if (!isPrefectCloud(endpoint)) {
        const headers: Record<string, string> = {};
        if (env.PREFECT_API_AUTH_STRING) headers.authorization = basicAuth(env.PREFECT_API_AUTH_STRING);
        return { api: trimSlashes(endpoint!), cloud: false, headers, env: { PREFECT_API_URL: endpoint! } };
    }
    const key = env.PREFECT_API_KEY;
    if (!key) throw new Error("a Prefect Cloud stack: set PREFECT_API_KEY (an API key or service account key for the stack's workspace)");
    const fromIds = ids.accountId && ids.workspaceId ? cloudWorkspaceApi(ids.accountId, ids.workspaceId) : undefined;
    const api = env.PREFECT_API_URL ? trimSlashes(env.PREFECT_API_URL) : fromIds;
    if (!api)
        throw new Error(
            "a Prefect Cloud stack without prefect:accountId / prefect:workspaceId: set PREFECT_API_URL to the workspace's " +
                cloudWorkspaceApi("<account id>", "<workspace id>"),
        );
    // Never test another workspace than the stack's by accident (a profile's or a shell's leftover PREFECT_API_URL).
    if (fromIds && api !== fromIds)
        throw new Error(
            `PREFECT_API_URL is ${api}, but the stack's workspace is ${fromIds}: unset it or point it at the stack's workspace`,
        );
    return { api, cloud: true, headers: { authorization: `Bearer ${key}` }, env: { PREFECT_API_URL: api, PREFECT_API_KEY: key } };
}
