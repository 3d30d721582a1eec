import type { Incident, Message } from "../alert/model";
import { capture, json, jsonLiteral, jsonText, optionalList, runbookItem } from "./jinjaJson";

/**
 * A message as a PagerDuty Events API v2 event, written as a Jinja template of
 * the event's fields *after* `routing_key`: the block holds the routing key as
 * a secret and wraps this text, `{"routing_key":"{{routing_key}}",<this>}`
 * (channels/pagerduty.ts). A trigger carries the payload PagerDuty requires
 * (summary <= 1024 characters, source, severity) plus component, group, class,
 * custom_details and a link to the run; a resolve carries only its dedup key.
 */
export const PAGERDUTY_LIMITS = { summary: 1024, detail: 4000, dedupKey: 255 } as const;

/** The custom_details key of a message field: its label in snake case ("Run count" -> "run_count"). */
export const detailKey = (label: string) => label.toLowerCase().replace(/ /g, "_");

export interface EventContext {
    stack: string;
    /** The signal, as PagerDuty's `class`. */
    signal: string;
    /** The tier, as PagerDuty's `group`. */
    tier: string;
    incident?: Incident;
}

export function pagerDutyEventBody(message: Message, ctx: EventContext): string {
    const dedup = ctx.incident
        ? [capture("dedup", ctx.incident.dedupKey), `"dedup_key":${jsonText("dedup", PAGERDUTY_LIMITS.dedupKey, "")},`]
        : ["", ""];
    if (ctx.incident?.action === "resolve") return `${dedup[0]}"event_action":"resolve",${dedup[1].replace(/,$/, "")}`;
    const d = message.detail ?? { title: message.subject, fields: [] };
    const details = [
        ...d.fields.map((f) => `${jsonLiteral(detailKey(f.label))}:${jsonText(f.value, PAGERDUTY_LIMITS.detail)}`),
        ...(d.error ? [`"error":${jsonText(d.error, PAGERDUTY_LIMITS.detail, "… (truncated, see the run)")}`] : []),
        `"stack":${jsonLiteral(ctx.stack)}`,
    ];
    const component = d.fields[0] ? jsonText(d.fields[0].value, 255) : jsonLiteral(ctx.stack);
    const runbook = d.runbook && runbookItem(d.runbook, (url) => `{"href":${url},"text":${jsonLiteral(d.runbook!.text)}}`);
    const runLink = d.link && { json: `{"href":${json("url")},"text":${jsonLiteral(d.link.text)}}`, when: `"://" in url` };
    const items = [runLink, runbook].filter((i) => i !== undefined);
    const links = (d.link ? `{% set url = (${d.link.url}) | string %}` : "") + optionalList(`,"links":[`, items, "]");
    return [
        d.setup ?? "",
        dedup[0],
        capture("summary", message.subject),
        `"event_action":"trigger",`,
        dedup[1],
        `"client":"Prefect (prefect-alerting)",`,
        `"payload":{"summary":${jsonText("summary", PAGERDUTY_LIMITS.summary)},"source":${jsonLiteral(`prefect/${ctx.stack}`)},`,
        `"severity":${jsonLiteral(ctx.incident?.severity ?? "critical")},"component":${component},"group":${jsonLiteral(ctx.tier)},`,
        `"class":${jsonLiteral(ctx.signal)},"custom_details":{${details.join(",")}}}`,
        links,
    ].join("");
}
