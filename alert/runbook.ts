import type { EventTriggerSpec, Message, MessageDetail } from "./model";

/** The words of a runbook link, in every message kind. */
export const RUNBOOK_TEXT = "Open the runbook";

/** The Jinja variable that holds the run's runbook URL when it is chosen at render time ("" when the run has none). */
export const RUNBOOK_VAR = "runbook_url";

/**
 * The message with its runbook: a last line of the body (the text Teams, webhooks and e-mail show) and the detail's
 * `runbook`, which Slack shows as a button and PagerDuty as a link. The URL is config (config/owners.ts `runbookUrl`
 * refuses braces, quotes, | and >), so it goes into templates as written. No runbook: the message as it was.
 *
 * `deployments` (`runbooks.deployments`) are more specific than `url` (the owner's or the route's), but one automation
 * watches many deployments and Prefect renders its one message on the server, so the choice is a lookup table in the
 * template (deploymentRunbookSetup), read at render time, with `url` as its fallback.
 */
export function withRunbook(m: Message, url: string | undefined, deployments: Record<string, string> = {}): Message {
    if (Object.keys(deployments).length) return withDeploymentRunbook(m, url, deployments);
    if (!url) return m;
    return {
        ...m,
        body: `${m.body}\n*Runbook*: <${url}|${RUNBOOK_TEXT.toLowerCase()}>`,
        ...(m.detail ? { detail: { ...m.detail, runbook: { url, text: RUNBOOK_TEXT } } } : {}),
    };
}

function withDeploymentRunbook(m: Message, fallback: string | undefined, deployments: Record<string, string>): Message {
    const setup = deploymentRunbookSetup(deployments, fallback);
    const line = `{% if ${RUNBOOK_VAR} %}\n*Runbook*: <{{ ${RUNBOOK_VAR} }}|${RUNBOOK_TEXT.toLowerCase()}>{% endif %}`;
    const detail: MessageDetail | undefined = m.detail && {
        ...m.detail,
        setup: (m.detail.setup ?? "") + setup,
        runbook: { expr: RUNBOOK_VAR, text: RUNBOOK_TEXT },
    };
    return { ...m, body: `${setup}${m.body}${line}`, ...(detail ? { detail } : {}) };
}

/**
 * Jinja statements that set RUNBOOK_VAR for the triggering run: its deployment's runbook by "<flow>/<deployment>",
 * else by "<deployment>", else `fallback` (or ""). Names come from config: each is a JSON string literal inside the
 * statement, which Jinja (Prefect) and nunjucks (the preview) read alike and never parse as a tag, so a name with
 * `{{` or `%}` in it is only a key. `| string` makes a missing flow or deployment "" in both (Prefect's
 * ChainableUndefined; nunjucks would write "undefined"); Prefect loads `flow` and `deployment` for the message because
 * the template names them (prefect/server/utilities/user_templates.py `matching_types_in_templates`).
 */
export function deploymentRunbookSetup(deployments: Record<string, string>, fallback: string | undefined): string {
    const table = JSON.stringify(Object.fromEntries(Object.entries(deployments).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
    const name = "(deployment.name | string)";
    const choice = `runbooks[(flow.name | string) ~ "/" ~ ${name}] or runbooks[${name}] or ${JSON.stringify(fallback ?? "")}`;
    return `{% set runbooks = ${table} %}{% set ${RUNBOOK_VAR} = ${choice} %}`;
}

/**
 * Whether an automation fires on events of flow runs or deployments, whose messages can name the deployment: only
 * those carry the per-deployment table (a work pool's or a delivery's message would only ever take the fallback).
 */
export const aboutRuns = (trigger: EventTriggerSpec): boolean => /prefect\.(flow-run|deployment)\./.test(JSON.stringify(trigger.match));
