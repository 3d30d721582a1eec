import type { Message, RunbookLink } from "../alert/model";
import { capture, json, jsonLiteral, jsonText, optionalList, runbookItem, slackEscaped } from "./jinjaJson";

/**
 * A message as a Slack Block Kit payload (a Jinja template of JSON): a header,
 * the run's facts as fields, the error in a code block, what to do next, a
 * button to the run, and a context line with the stack and tier; `text` is the
 * plain fallback Slack shows in notifications. Slack's limits are kept: header
 * <= 150 characters, a section's text <= 3000, a field <= 2000, <= 10 fields,
 * <= 50 blocks; a long error is cut with a visible "… (truncated, see the run)".
 */
export const SLACK_LIMITS = { header: 150, sectionText: 3000, field: 2000, fields: 10, blocks: 50, fallback: 3000 } as const;
export const TRUNCATED = "… (truncated, see the run)";
/** Room for "*Error*\n```" and "```" around the error inside one section. */
const ERROR_MAX = SLACK_LIMITS.sectionText - 32;

export function blockKitBody(message: Message, context: string): string {
    const d = message.detail ?? { title: message.subject, fields: [], next: undefined };
    const blocks: string[] = [
        `{"type":"header","text":{"type":"plain_text","emoji":true,"text":${jsonText("title", SLACK_LIMITS.header)}}}`,
    ];
    const fields = d.fields.slice(0, SLACK_LIMITS.fields).map((f) => {
        const text = `"*${f.label}*\\n" ~ ${slackEscaped(f.value)}`;
        return `{"type":"mrkdwn","text":${jsonText(text, SLACK_LIMITS.field)}}`;
    });
    if (fields.length) blocks.push(`{"type":"section","fields":[${fields.join(",")}]}`);
    if (!message.detail) blocks.push(`{"type":"section","text":{"type":"mrkdwn","text":${jsonText("body", SLACK_LIMITS.sectionText)}}}`);
    // The error block only when there is an error (a trailing comma inside the condition keeps the JSON valid).
    const error = d.error
        ? `{% set err = ${slackEscaped(d.error)} %}{% if err %}{"type":"section","text":{"type":"mrkdwn","text":` +
          `${json(`"*Error*\\n\`\`\`" ~ (err | truncate(${ERROR_MAX}, true, ${JSON.stringify(TRUNCATED)}, 0)) ~ "\`\`\`"`)}}},{% endif %}`
        : "";
    const tail: string[] = [];
    if (d.next) tail.push(`{"type":"section","text":{"type":"mrkdwn","text":${jsonLiteral(`*Next*: ${d.next}`)}}}`);
    // A button only when the link renders as a URL (ui_url is "None" without PREFECT_UI_URL; Slack refuses such a button).
    const button = d.runbook
        ? withRunbookButton(d.link, d.runbook)
        : d.link
          ? `{% set url = (${d.link.url}) | string %}{% if "://" in url %},{"type":"actions","elements":[{"type":"button",` +
            `"text":{"type":"plain_text","text":${jsonLiteral(d.link.text)}},"url":${json("url")}}]}{% endif %}`
          : "";
    const contextBlock = `{"type":"context","elements":[{"type":"mrkdwn","text":${jsonLiteral(context)}}]}`;
    return [
        d.setup ?? "",
        capture("title", d.title),
        capture("subject", message.subject),
        ...(message.detail ? [] : [capture("body", message.body)]),
        `{"text":${jsonText("subject", SLACK_LIMITS.fallback)},"blocks":[`,
        blocks.join(","),
        ",",
        error,
        [...tail, contextBlock].join(","),
        button,
        "]}",
    ].join("");
}

/** The actions block with the runbook's button, after the run's button when that renders as a URL. */
function withRunbookButton(link: { url: string; text: string } | undefined, runbook: RunbookLink): string {
    const button = (text: string, url: string) => `{"type":"button","text":{"type":"plain_text","text":${jsonLiteral(text)}},"url":${url}}`;
    const runbookButton = runbookItem(runbook, (url) => button(runbook.text, url));
    const open = `,{"type":"actions","elements":[`;
    if (!link) return optionalList(open, [runbookButton], "]}");
    const runButton = { json: button(link.text, json("url")), when: `"://" in url` };
    return `{% set url = (${link.url}) | string %}${optionalList(open, [runButton, runbookButton], "]}")}`;
}
