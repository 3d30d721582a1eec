import type { Message } from "./model";

/** The words of a runbook link, in every message kind. */
export const RUNBOOK_TEXT = "Open the runbook";

/**
 * The message with its runbook: a last line of the body (the text Teams, webhooks and e-mail show) and the detail's
 * `runbook`, which Slack shows as a button and PagerDuty as a link. The URL is config (config/owners.ts `runbookUrl`
 * refuses braces, quotes, | and >), so it goes into templates as written. No runbook: the message as it was.
 */
export function withRunbook(m: Message, url: string | undefined): Message {
    if (!url) return m;
    return {
        ...m,
        body: `${m.body}\n*Runbook*: <${url}|${RUNBOOK_TEXT.toLowerCase()}>`,
        ...(m.detail ? { detail: { ...m.detail, runbook: { url, text: RUNBOOK_TEXT } } } : {}),
    };
}
