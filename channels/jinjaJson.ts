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
