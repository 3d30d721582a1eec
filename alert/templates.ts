import nunjucks from "nunjucks";

const STRING_ESCAPES: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * Text from config (route tags, flow, deployment and work pool names), made
 * safe to paste into a Jinja message template: it renders exactly as written.
 * Such names are legal in Prefect, and `{{ flow_run.name }}` in a tag must not
 * render the run's name, nor `a{{b` break the template. Every Jinja delimiter
 * (`{{ }}`, `{% %}`, `{# #}`) contains a brace, so text without one is returned
 * unchanged (ordinary names keep today's templates byte for byte); anything
 * else becomes one string-literal expression, `{{ "..." }}`, with `\`, `"` and
 * line breaks escaped. Jinja (Prefect) and nunjucks (the preview) read
 * those escapes alike, and a literal's content is never parsed as a tag.
 */
export function templateLiteral(text: string): string {
    if (!/[{}]/.test(text)) return text;
    return `{{ "${text.replace(/[\\"\n\r\t]/g, (c) => STRING_ESCAPES[c])}" }}`;
}

/** A made-up failed run, to show in the preview what a message will look like. */
export const SAMPLE_CONTEXT = {
    flow: { id: "3b2a1c0d-0000-4000-8000-000000000004", name: "exchange-rates-daily" },
    deployment: { id: "7c1d2e3f-0000-4000-8000-000000000002", name: "exchange-rates-daily-prod" },
    flow_run: {
        id: "0f1e2d3c-4b5a-4968-8776-655443322110",
        name: "crimson-okapi",
        // When it was scheduled to start, and when it did (late and stuck run messages show them).
        expected_start_time: "2026-11-30 06:00:00+00:00",
        start_time: "2026-11-30 06:00:04.118530+00:00",
        end_time: "2026-11-30 06:03:12.021877+00:00",
        run_count: 3,
        tags: ["dlt", "finance"],
        state: {
            name: "Failed",
            message: "Flow run encountered an exception: HTTPError: 503 Service Unavailable from api.exchangerate.host",
            timestamp: "2026-11-30 06:02:11.482913+00:00",
        },
    },
    work_pool: { id: "5a6b7c8d-0000-4000-8000-000000000001", name: "default-work-pool" },
    work_queue: { id: "9e8d7c6b-0000-4000-8000-000000000003", name: "default" },
    /** The triggering event, as a data-quality message reads it (a pipeline's own event; `resource.id` is its id label). */
    event: {
        event: "acme.table.empty",
        occurred: "2026-11-30 06:02:09.731204+00:00",
        resource: { id: "acme.table.orders", name: "orders" },
        payload: { rows_loaded: 0, table: "orders", load_id: "1732946529.731204" },
    },
};

/** Renders a template close to how Prefect does, for the preview; `ui_url` points at `uiUrl`. */
export function renderSample(template: string, uiUrl: string, context: Record<string, unknown> = SAMPLE_CONTEXT): string {
    const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });
    env.addFilter("ui_url", (obj: { id?: string; state?: unknown; name?: string } | undefined) => {
        if (!obj) return "None";
        if (obj.state) return `${uiUrl}/runs/flow-run/${obj.id}`;
        // By id: the preview renames the sample pool, queue or deployment to the one an automation watches.
        if (obj.id === SAMPLE_CONTEXT.work_pool.id) return `${uiUrl}/work-pools/work-pool/${obj.name}`;
        if (obj.id === SAMPLE_CONTEXT.work_queue.id) return `${uiUrl}/work-queues/work-queue/${obj.id}`;
        if (obj.id === SAMPLE_CONTEXT.deployment.id) return `${uiUrl}/deployments/deployment/${obj.id}`;
        return "None";
    });
    // Jinja's string and truncate, not nunjucks': an undefined value is "" (Prefect's ChainableUndefined), and a
    // truncated text is `length` characters long, the end included (leeway 0 as the templates pass it).
    env.addFilter("string", (value: unknown) => (value === undefined || value === null ? "" : String(value)));
    env.addFilter("join", (value: unknown, sep = "") =>
        Array.isArray(value) ? value.join(sep) : value === undefined || value === null ? "" : String(value),
    );
    env.addFilter("truncate", (value: unknown, length = 255, killwords = false, end = "...", leeway = 5) => {
        const text = value === undefined || value === null ? "" : String(value);
        if (text.length <= length + leeway) return text;
        if (killwords) return text.slice(0, length - end.length) + end;
        const cut = text.slice(0, length - end.length);
        return (cut.lastIndexOf(" ") > 0 ? cut.slice(0, cut.lastIndexOf(" ")) : cut) + end;
    });
    // Prefect's tojson (htmlsafe_json_dumps): JSON with <, >, & and ' as \u escapes.
    env.addFilter("tojson", (value: unknown) =>
        JSON.stringify(value ?? null).replace(/[<>&']/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
    );
    return env.renderString(template, context);
}
