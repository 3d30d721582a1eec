import type { Reply } from "./receiver";

/**
 * What the stand-in services accept, as pure checks (no I/O): PagerDuty's
 * Events API v2 (PagerDuty/api-schema reference/events-v2/openapiv3.json:
 * routing_key and event_action required, event_action trigger | acknowledge |
 * resolve, dedup_key required unless trigger, a trigger's payload with summary,
 * severity and source; PagerDuty's documented limits: summary <= 1024 and
 * dedup_key <= 255 characters, an event <= 512 KB) and Slack's Block Kit
 * (a `text` fallback, <= 50 blocks, header plain_text <= 150, section text <=
 * 3000, <= 10 fields of <= 2000, button text <= 75 and url <= 3000). Each check
 * returns the problems found, empty when the request is valid.
 */

export const PAGERDUTY = { summary: 1024, dedupKey: 255, eventBytes: 512 * 1024 } as const;
export const SLACK = {
    blocks: 50,
    header: 150,
    sectionText: 3000,
    fields: 10,
    field: 2000,
    buttonText: 75,
    url: 3000,
    text: 40_000,
} as const;

const SEVERITIES = ["critical", "error", "warning", "info"];
const ACTIONS = ["trigger", "acknowledge", "resolve"];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === "string" && v.length > 0;

/** Parses a request body; a problem when it is not a JSON object. */
export function parseBody(raw: string): { json?: Json; problems: string[] } {
    try {
        const json = JSON.parse(raw);
        return isObject(json) ? { json, problems: [] } : { problems: ["the body is JSON but not an object"] };
    } catch (e) {
        return { problems: [`the body is not valid JSON: ${(e as Error).message}`] };
    }
}

/** Problems of one Events API v2 request body (`raw`, as sent). */
export function pagerDutyProblems(raw: string): string[] {
    const { json, problems } = parseBody(raw);
    if (!json) return problems;
    if (Buffer.byteLength(raw) > PAGERDUTY.eventBytes) problems.push(`the event is ${Buffer.byteLength(raw)} bytes (> 512 KB)`);
    if (!isText(json.routing_key)) problems.push("routing_key: required, a string");
    if (!ACTIONS.includes(json.event_action as string))
        problems.push(`event_action: one of ${ACTIONS.join(", ")}, got ${JSON.stringify(json.event_action)}`);
    if (json.dedup_key !== undefined && typeof json.dedup_key !== "string") problems.push("dedup_key: a string");
    if (typeof json.dedup_key === "string" && json.dedup_key.length > PAGERDUTY.dedupKey)
        problems.push(`dedup_key: at most ${PAGERDUTY.dedupKey} characters, got ${json.dedup_key.length}`);
    if (json.event_action !== "trigger" && !isText(json.dedup_key)) problems.push("dedup_key: required unless event_action is trigger");
    if (json.event_action === "trigger") {
        const p = json.payload;
        if (!isObject(p)) problems.push("payload: required for a trigger, an object");
        else {
            if (!isText(p.summary)) problems.push("payload.summary: required, a string");
            else if (p.summary.length > PAGERDUTY.summary)
                problems.push(`payload.summary: at most ${PAGERDUTY.summary} characters, got ${p.summary.length}`);
            if (!isText(p.source)) problems.push("payload.source: required, a string");
            if (!SEVERITIES.includes(p.severity as string))
                problems.push(`payload.severity: one of ${SEVERITIES.join(", ")}, got ${JSON.stringify(p.severity)}`);
            for (const f of ["component", "group", "class", "timestamp"])
                if (p[f] !== undefined && typeof p[f] !== "string") problems.push(`payload.${f}: a string`);
            if (p.custom_details !== undefined && !isObject(p.custom_details)) problems.push("payload.custom_details: an object");
        }
    }
    if (json.links !== undefined) {
        if (!Array.isArray(json.links)) problems.push("links: an array");
        else
            json.links.forEach((l, i) => {
                if (!isObject(l) || !isText(l.href)) problems.push(`links[${i}].href: required, a string`);
                else if (!/^https?:\/\//.test(l.href)) problems.push(`links[${i}].href: a URL, got ${JSON.stringify(l.href)}`);
                if (isObject(l) && l.text !== undefined && typeof l.text !== "string") problems.push(`links[${i}].text: a string`);
            });
    }
    return problems;
}

/** A text object of Block Kit: its type and text, with the length limit `max`. */
function textObject(t: unknown, where: string, max: number, types: string[], problems: string[]): void {
    if (!isObject(t)) return void problems.push(`${where}: a text object`);
    if (!types.includes(t.type as string)) problems.push(`${where}.type: one of ${types.join(", ")}, got ${JSON.stringify(t.type)}`);
    if (!isText(t.text)) problems.push(`${where}.text: required, a non-empty string`);
    else if (t.text.length > max) problems.push(`${where}.text: at most ${max} characters, got ${t.text.length}`);
}

/** Problems of one Slack incoming-webhook body (`raw`, as sent) with Block Kit blocks. */
export function slackProblems(raw: string): string[] {
    const { json, problems } = parseBody(raw);
    if (!json) return problems;
    if (!isText(json.text)) problems.push("text: the plain-text fallback is required (notifications show it)");
    else if (json.text.length > SLACK.text) problems.push(`text: at most ${SLACK.text} characters, got ${json.text.length}`);
    if (!Array.isArray(json.blocks)) return [...problems, "blocks: an array"];
    if (json.blocks.length === 0) problems.push("blocks: at least one");
    if (json.blocks.length > SLACK.blocks) problems.push(`blocks: at most ${SLACK.blocks}, got ${json.blocks.length}`);
    json.blocks.forEach((b, i) => {
        const at = `blocks[${i}]`;
        if (!isObject(b)) return void problems.push(`${at}: an object`);
        switch (b.type) {
            case "header":
                textObject(b.text, `${at}.text`, SLACK.header, ["plain_text"], problems);
                break;
            case "section":
                if (b.text === undefined && b.fields === undefined) problems.push(`${at}: text or fields`);
                if (b.text !== undefined) textObject(b.text, `${at}.text`, SLACK.sectionText, ["mrkdwn", "plain_text"], problems);
                if (b.fields !== undefined) {
                    if (!Array.isArray(b.fields)) problems.push(`${at}.fields: an array`);
                    else {
                        if (b.fields.length > SLACK.fields) problems.push(`${at}.fields: at most ${SLACK.fields}, got ${b.fields.length}`);
                        b.fields.forEach((f, j) => textObject(f, `${at}.fields[${j}]`, SLACK.field, ["mrkdwn", "plain_text"], problems));
                    }
                }
                break;
            case "context":
                if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 10)
                    problems.push(`${at}.elements: 1 to 10 elements`);
                else
                    b.elements.forEach((e, j) =>
                        textObject(e, `${at}.elements[${j}]`, SLACK.sectionText, ["mrkdwn", "plain_text"], problems),
                    );
                break;
            case "actions":
                if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 25)
                    problems.push(`${at}.elements: 1 to 25 elements`);
                else
                    b.elements.forEach((e, j) => {
                        const el = `${at}.elements[${j}]`;
                        if (!isObject(e) || e.type !== "button") return void problems.push(`${el}: a button`);
                        textObject(e.text, `${el}.text`, SLACK.buttonText, ["plain_text"], problems);
                        if (e.url !== undefined && (!isText(e.url) || e.url.length > SLACK.url || !/^https?:\/\//.test(e.url)))
                            problems.push(`${el}.url: a URL of at most ${SLACK.url} characters`);
                    });
                break;
            case "divider":
                break;
            default:
                problems.push(
                    `${at}.type: a block type this check knows (header, section, context, actions, divider), got ${JSON.stringify(b.type)}`,
                );
        }
    });
    return problems;
}

export type IncidentStatus = "triggered" | "acknowledged" | "resolved";

export interface PagerDutyEvent {
    json: Json;
    at: number;
}

/** One incident as PagerDuty would hold it: opened by a trigger, its further triggers are alerts on it. */
export interface Incident {
    routingKey: string;
    dedupKey: string;
    status: IncidentStatus;
    /** Triggers that opened it or were added to it. */
    alerts: PagerDutyEvent[];
    resolvedBy?: PagerDutyEvent;
}

/**
 * Incident state by dedup key (per routing key, as PagerDuty keeps it per
 * integration): a trigger opens an incident unless one with its key is open,
 * then it adds an alert; acknowledge and resolve act on the open one; a resolve
 * with no open incident is ignored (and kept in `ignored`). A resolved key that
 * triggers again opens a new incident.
 */
export class IncidentBook {
    readonly incidents: Incident[] = [];
    readonly ignored: PagerDutyEvent[] = [];
    /** Invalid requests, with their problems (answered 400). */
    readonly rejected: { raw: string; problems: string[] }[] = [];
    private generated = 0;

    /** Applies one request body and returns PagerDuty's answer: 202 with the dedup key, or 400 with the problems. */
    accept(raw: string, at = Date.now()): Reply {
        const problems = pagerDutyProblems(raw);
        if (problems.length) {
            this.rejected.push({ raw, problems });
            return { status: 400, body: JSON.stringify({ status: "invalid event", message: "Event object is invalid", errors: problems }) };
        }
        const json = JSON.parse(raw) as Json;
        const routingKey = json.routing_key as string;
        const dedupKey = (json.dedup_key as string | undefined) ?? `generated-${++this.generated}`;
        const event = { json, at };
        const open = this.open(dedupKey, routingKey);
        if (json.event_action === "trigger") {
            if (open) open.alerts.push(event);
            else this.incidents.push({ routingKey, dedupKey, status: "triggered", alerts: [event] });
        } else if (!open) this.ignored.push(event);
        else if (json.event_action === "acknowledge") open.status = "acknowledged";
        else {
            open.status = "resolved";
            open.resolvedBy = event;
        }
        return { status: 202, body: JSON.stringify({ status: "success", message: "Event processed", dedup_key: dedupKey }) };
    }

    /** The open (not resolved) incident with this key, if any. */
    open(dedupKey: string, routingKey?: string): Incident | undefined {
        return this.incidents.find(
            (i) => i.dedupKey === dedupKey && (routingKey === undefined || i.routingKey === routingKey) && i.status !== "resolved",
        );
    }

    /** Every incident (open or resolved) with this key, oldest first. */
    withKey(dedupKey: string): Incident[] {
        return this.incidents.filter((i) => i.dedupKey === dedupKey);
    }
}
