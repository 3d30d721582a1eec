/**
 * Links to Prefect's UI in messages, built from the stack's UI base and the object's id. Prefect's own `ui_url`
 * filter is not enough: it renders `None` for a deployment on 3.9.1 (the template gets a response model whose name
 * `url_for` does not know: prefect/utilities/urls.py `UI_URL_FORMATS`, server/events/jinja_filters.py), and for every
 * object when the server has no PREFECT_UI_URL. Messages keep writing `{{ flow_run|ui_url }}`, readable and the same
 * for every kind; `withUiLinks` turns each `<object>|ui_url` into an expression on the stack's own base when the
 * actions are planned. Pure.
 */

/** The page of each object the templates link to (Prefect's UI routes, urls.py UI_URL_FORMATS). */
const PAGES: Record<string, { path: string; key: "id" | "name" }> = {
    flow_run: { path: "runs/flow-run/", key: "id" },
    flow: { path: "flows/flow/", key: "id" },
    deployment: { path: "deployments/deployment/", key: "id" },
    work_queue: { path: "work-queues/work-queue/", key: "id" },
    // The work pool's page is addressed by its name.
    work_pool: { path: "work-pools/work-pool/", key: "name" },
};

const UI_URL = new RegExp(String.raw`\b(${Object.keys(PAGES).join("|")})\s*\|\s*ui_url\b`, "g");

/** `flow_run|ui_url` -> `("<base>/runs/flow-run/" ~ (flow_run.id | string))`, in any Jinja expression of `template`. */
export function withUiLinks(template: string, uiBase: string): string {
    const base = uiBase.replace(/\/+$/, "");
    return template.replace(UI_URL, (_, obj: string) => {
        const page = PAGES[obj];
        const value = page.key === "id" ? `(${obj}.id | string)` : `(${obj}.name | urlencode)`;
        return `(${JSON.stringify(`${base}/${page.path}`)} ~ ${value})`;
    });
}

/**
 * The UI base of a stack: Prefect Cloud's workspace pages when the endpoint is Cloud (or unset), else the
 * self-hosted server's address without its `/api` path (the UI is served by the same server).
 */
export function prefectUiUrl(endpoint: string | undefined, accountId: string | undefined, workspaceId: string | undefined): string {
    if (endpoint === undefined || /(^|\.)prefect\.cloud$/.test(safeHost(endpoint))) {
        return `https://app.prefect.cloud/account/${accountId ?? "<accountId>"}/workspace/${workspaceId ?? "<workspaceId>"}`;
    }
    return endpoint.replace(/\/+$/, "").replace(/\/api$/, "");
}

function safeHost(url: string): string {
    try {
        return new URL(url).hostname;
    } catch {
        return "";
    }
}
