/**
 * Building blocks for JSON message bodies written as Jinja templates (Slack
 * Block Kit, PagerDuty Events API v2). The Prefect server renders them when an
 * automation fires; every value from a run goes through `| tojson`, so quotes,
 * backslashes, newlines, unicode and `{{ }}` in an error message still give
 * valid JSON. Jinja2 (Prefect) and nunjucks (the preview) read them alike.
 */

/** A Jinja expression as a JSON value. */
export const json = (expr: string) => `{{ (${expr}) | tojson }}`;

/** A Jinja expression as a JSON string of at most `max` characters, cut with a visible `end`. */
export const jsonText = (expr: string, max: number, end = "…") =>
    `{{ ((${expr}) | string | truncate(${max}, true, ${JSON.stringify(end)}, 0)) | tojson }}`;

/** Plain text (no template) as a JSON string. */
export const jsonLiteral = (text: string) => JSON.stringify(text);

/**
 * A message template (text with `{{ }}`, like a subject) captured into a
 * variable, so it can be used as an expression: `{% set name %}…{% endset %}`.
 */
export const capture = (name: string, template: string) => `{% set ${name} %}${template}{% endset %}`;

/** Slack mrkdwn: `&`, `<` and `>` escaped, so a run's text cannot ping `<!channel>` or forge a link. */
export const slackEscaped = (expr: string) => `((${expr}) | string | replace("&", "&amp;") | replace("<", "&lt;") | replace(">", "&gt;"))`;

/** One item of a JSON list that is there only when its Jinja condition holds (`when` unset: always). */
export interface OptionalItem {
    json: string;
    when?: string;
}

/**
 * A JSON list of at most two optional items between `open` and `close` (`,"links":[` and `]`), commas only between
 * items that are there, and nothing at all when neither is: a run's link that may render "None", a runbook that a
 * run may not have.
 */
export function optionalList(open: string, items: OptionalItem[], close: string): string {
    const [first, second] = items;
    if (!first) return "";
    const ifThen = (when: string | undefined, text: string) => (when ? `{% if ${when} %}${text}{% endif %}` : text);
    if (!second) return ifThen(first.when, `${open}${first.json}${close}`);
    const inner = ifThen(first.when, first.json + ifThen(second.when, ",")) + ifThen(second.when, second.json);
    const either = first.when && second.when ? `${first.when} or ${second.when}` : undefined;
    return ifThen(either, `${open}${inner}${close}`);
}

/** A runbook link's URL as a JSON value, and when it is there: always for a literal, when it renders non-empty for an expression. */
export function runbookItem(r: { url: string } | { expr: string }, item: (url: string) => string): OptionalItem {
    return "url" in r ? { json: item(jsonLiteral(r.url)) } : { json: item(json(r.expr)), when: r.expr };
}
