import { ConfigError } from "../../config/errors";
import { isPrefectCloud } from "../../config/load";
import { ApiEndpoint, CLOUD_API_ORIGIN, basicAuth, cloudWorkspaceApi, trimSlashes } from "../prefectApi";

/**
 * Where the report reads from, and how it authenticates (pure). In order:
 *   1. PREFECT_API_URL (Prefect's own variable), e.g. Prefect Cloud's
 *      https://api.prefect.cloud/api/accounts/<account>/workspaces/<workspace>;
 *   2. the stack's `prefect:endpoint` (a self-hosted server's /api URL);
 *   3. a Prefect Cloud stack (no endpoint, or one on prefect.cloud): the URL
 *      built from its `prefect:accountId` and `prefect:workspaceId`.
 * Credentials: PREFECT_API_KEY (Bearer; required for Prefect Cloud), or
 * PREFECT_API_AUTH_STRING (`user:password`, Basic) for a self-hosted server
 * behind basic auth. PREFECT_UI_URL overrides the UI base used for run links.
 */

export const CLOUD_UI = "https://app.prefect.cloud";

export interface ApiTarget extends ApiEndpoint {
    /** The API base, without a trailing slash, e.g. http://127.0.0.1:4200/api. */
    url: string;
    /** Where the URL came from, for the report's header. */
    source: string;
    /** The UI base for run links (`<ui>/runs/flow-run/<id>`), when known. */
    uiUrl?: string;
}

export class ReportSetupError extends Error {}

/**
 * What a subcommand that reads the Prefect API says when it fails: the config's or the setup's own message, or
 * the API's; exit 1 either way (docs/operations.md's table).
 */
export function apiReadFailed(e: unknown): number {
    if (e instanceof ConfigError || e instanceof ReportSetupError) console.error(e.message);
    else console.error(`Reading the Prefect API failed: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
}

export function resolveApi(stack: string, values: Record<string, string | undefined>, env: Record<string, string | undefined>): ApiTarget {
    const endpoint = values["prefect:endpoint"];
    const account = values["prefect:accountId"];
    const workspace = values["prefect:workspaceId"];
    let url: string;
    let source: string;
    if (env.PREFECT_API_URL) {
        url = trimSlashes(env.PREFECT_API_URL);
        source = "PREFECT_API_URL";
    } else if (endpoint !== undefined && !isPrefectCloud(endpoint)) {
        url = trimSlashes(endpoint);
        source = `prefect:endpoint of stack ${stack}`;
    } else if (account && workspace) {
        url = cloudWorkspaceApi(account, workspace, endpoint ? new URL(endpoint).origin : CLOUD_API_ORIGIN);
        source = `Prefect Cloud ids of stack ${stack}`;
    } else
        throw new ReportSetupError(
            `Stack "${stack}" reads Prefect Cloud but its file sets no prefect:accountId / prefect:workspaceId: ` +
                "set PREFECT_API_URL=https://api.prefect.cloud/api/accounts/<account>/workspaces/<workspace> and PREFECT_API_KEY.",
        );
    if (!/^https?:\/\//.test(url)) throw new ReportSetupError(`The Prefect API URL must be http(s), got "${url}" (${source}).`);

    const headers: Record<string, string> = { accept: "application/json" };
    if (env.PREFECT_API_KEY) headers.authorization = `Bearer ${env.PREFECT_API_KEY}`;
    else if (env.PREFECT_API_AUTH_STRING) headers.authorization = basicAuth(env.PREFECT_API_AUTH_STRING);
    else if (isPrefectCloud(url)) throw new ReportSetupError(`Prefect Cloud needs an API key: set PREFECT_API_KEY (reading ${url}).`);
    return { url, headers, source, uiUrl: env.PREFECT_UI_URL ? trimSlashes(env.PREFECT_UI_URL) : uiUrlOf(url) };
}

/** The UI that goes with an API URL: Cloud's app for a workspace, a self-hosted server's root for its /api. */
export function uiUrlOf(api: string): string | undefined {
    const cloud = /^https:\/\/api\.prefect\.cloud\/api\/accounts\/([^/]+)\/workspaces\/([^/]+)$/.exec(api);
    if (cloud) return `${CLOUD_UI}/account/${cloud[1]}/workspace/${cloud[2]}`;
    return api.endsWith("/api") ? api.slice(0, -"/api".length) : undefined;
}

export const runUrl = (ui: string, runId: string): string => `${ui}/runs/flow-run/${runId}`;
