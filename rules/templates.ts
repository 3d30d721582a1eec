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
    flow: { name: "exchange-rates-daily" },
    deployment: { name: "exchange-rates-daily-prod" },
    flow_run: {
        id: "0f1e2d3c-4b5a-4968-8776-655443322110",
        name: "crimson-okapi",
        // When it was scheduled to start, and when it did (late and stuck run messages show them).
        expected_start_time: "2026-11-30 06:00:00+00:00",
        start_time: "2026-11-30 06:00:04.118530+00:00",
        state: {
            name: "Failed",
            message: "Flow run encountered an exception: HTTPError: 503 Service Unavailable from api.exchangerate.host",
            timestamp: "2026-11-30 06:02:11.482913+00:00",
        },
    },
    work_pool: { id: "5a6b7c8d-0000-4000-8000-000000000001", name: "default-work-pool" },
};

/** Renders a template close to how Prefect does, for the preview; `ui_url` points at `uiUrl`. */
export function renderSample(template: string, uiUrl: string, context: Record<string, unknown> = SAMPLE_CONTEXT): string {
    const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });
    env.addFilter("ui_url", (obj: { id?: string; state?: unknown; name?: string } | undefined) => {
        if (!obj) return "None";
        if (obj.state) return `${uiUrl}/runs/flow-run/${obj.id}`;
        if (obj === SAMPLE_CONTEXT.work_pool) return `${uiUrl}/work-pools/work-pool/${obj.name}`;
        return "None";
    });
    return env.renderString(template, context);
}
