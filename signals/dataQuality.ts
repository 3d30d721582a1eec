import { z } from "zod";
import { alertSeverity, channelRefs, routeRefs, uniqueList } from "../alert/fields";
import { OPENING } from "../alert/messages";
import type { AutomationDraft, Message, Route } from "../alert/model";
import { describeRoute, matchRelatedFor, routeFilters } from "../alert/routes";
import { templateLiteral } from "../alert/templates";
import { EventTriggerSpec, reactive } from "../alert/triggers";
import { RESERVED_EVENT_NAMESPACES, labelLiteral } from "../prefect/vocabulary";
import type { SignalModule } from "./signal";

const SEGMENT = "[A-Za-z0-9_-]+";
/** `acme.table.empty`, or a prefix `acme.table.*` / `acme.table.empty*`: a namespace of its own first, then at least one more part. */
const EVENT_NAME = new RegExp(`^${SEGMENT}(\\.${SEGMENT})+$|^${SEGMENT}(\\.${SEGMENT})*\\.([A-Za-z0-9_-]*)\\*$`);
const reserved = (name: string) => RESERVED_EVENT_NAMESPACES.some((ns) => name.toLowerCase().startsWith(ns));
const RESERVED_WORDS = RESERVED_EVENT_NAMESPACES.map((ns) => `${ns}*`).join(" and ");

const eventName = z
    .string({ error: "an event name as text" })
    .regex(EVENT_NAME, {
        error:
            'an event name such as "acme.table.empty", or a prefix ending in "*" such as "acme.table.*" (dot-separated ' +
            "letters, digits, _ and -, your own namespace first)",
    })
    .refine((name) => !reserved(name), {
        error: `an event name outside Prefect's reserved namespaces ${RESERVED_WORDS} (your own, such as "acme.table.empty")`,
    });

const resourcePrefix = z.string({ error: 'a resource id prefix such as "acme.table."' }).regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*)*$/, {
    error: 'a resource id prefix such as "acme.table." (dot-separated letters, digits, _ and -; no "*": it is added)',
});

/** Payload fields are shown as `event.payload["<field>"]`: an identifier can never leave the string literal. */
const fieldName = z
    .string({ error: "a payload field name as text" })
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'a payload field name such as "rows_loaded" (letters, digits and _)' });

const schema = z
    .strictObject({
        events: uniqueList(eventName, "event names")
            .default([])
            .describe(
                "Your pipelines' own events or prefixes ending in * (e.g. acme.table.empty); prefect.* and prefect-cloud.* are refused " +
                    "(Prefect reserves them). Empty: off.",
            ),
        resourcePrefix: resourcePrefix.optional().describe("Only events whose resource id starts with this prefix (e.g. acme.table.)."),
        severity: alertSeverity().describe("Which tier owns the alert."),
        routes: routeRefs.optional().describe("With routes: one automation per route, for the runs that emitted the event."),
        channels: channelRefs.optional().describe("Where the alerts go; required when events are set."),
        fields: uniqueList(fieldName, "payload field names").default([]).describe("Payload fields shown in the message."),
    })
    .prefault({});
type Settings = z.output<typeof schema>;

const TIER_WORD = { warning: "Warning", critical: "Critical", p1: "P1" } as const;

/**
 * A pipeline's own event (zero rows loaded, say): every event named in `events` (exact names, or prefixes ending
 * in `*`), of a resource whose id starts with `resourcePrefix` when given, related to the route's runs when given.
 */
export function customEventTrigger(events: string[], resourcePrefix: string | undefined, route: Route | undefined): EventTriggerSpec {
    return reactive({
        match: resourcePrefix === undefined ? {} : { "prefect.resource.id": `${labelLiteral(resourcePrefix)}*` },
        // Inside a flow, emit_event relates the run, its flow, deployment, work queue, work pool and tags (events/related.py).
        match_related: route ? matchRelatedFor(routeFilters(route)) : {},
        expect: events,
    });
}

/**
 * A pipeline's own data-quality event: its name and resource, the payload fields the config names (each by
 * subscript, so a field named like a dict method, `items`, still reads the payload; `fields` are identifiers,
 * checked by the config), and the flow run that emitted it when there is one.
 */
export function dataQualityMessage(severity: "warning" | "critical" | "p1", fields: string[]): Message {
    const { emoji, prefix } = OPENING[severity];
    return {
        subject: `${prefix}Data quality: {{ event.event }} ({{ event.resource.id }})`,
        body: [
            `${emoji} *${prefix}Data quality: {{ event.event }}*`,
            "",
            "*Resource*: {{ event.resource.id }}",
            ...fields.map((f) => `*${templateLiteral(f)}*: {{ event.payload["${f}"] | default("(not in the event)") }}`),
            "*Occurred*: {{ event.occurred }}",
            "{% if flow_run %}*Emitted by*: {{ flow.name }}, run {{ flow_run.name }}: <{{ flow_run|ui_url }}|open the flow run in " +
                "Prefect>\n{% endif %}",
            "*Next*: check the source system and the load's logs before the data is used downstream.",
        ].join("\n"),
    };
}

/**
 * Data-quality events the pipelines emit themselves (`prefect.events.emit_event`, e.g. `acme.table.empty` when a
 * load wrote zero rows). One automation, or one per route when `routes` are named (the events a flow run emits carry
 * its tags, flow and deployment as related resources, so a route selects them as it selects the runs).
 */
export const dataQuality: SignalModule<Settings> = {
    severity: "warning",
    summary: "a pipeline emitted one of the data-quality events in `dataQuality.events` (e.g. zero rows loaded)",
    settings: {
        key: "dataQuality",
        schema,
        refs: (s: Settings) => ({
            enabled: s.events.length > 0,
            channels: s.events.length > 0 ? s.channels : [],
            routes: s.events.length > 0 ? (s.routes ?? []) : [],
        }),
        problem: (s: Settings) =>
            s.events.length === 0 && (s.channels || s.routes || s.resourcePrefix !== undefined || s.fields.length > 0)
                ? { path: ["events"], expected: 'at least one event name (such as "acme.table.empty") when dataQuality is set' }
                : undefined,
    },
    automations: (s, ctx) => {
        if (s.events.length === 0) return [];
        const of = s.resourcePrefix === undefined ? "" : ` of a resource ${s.resourcePrefix}*`;
        const spec = (key: string, title: string, routeName?: string): AutomationDraft => {
            const route = routeName === undefined ? undefined : ctx.route(routeName);
            return {
                key,
                tier: s.severity,
                name: ctx.label(`Data quality (${title})`),
                description:
                    `${TIER_WORD[s.severity]}: every event ${s.events.join(", ")}${of}` +
                    `${route ? ` emitted by ${describeRoute(route)}` : ""}; the message shows ` +
                    `${s.fields.length ? `its resource and payload ${s.fields.join(", ")}` : "its resource"}.`,
                trigger: customEventTrigger(s.events, s.resourcePrefix, route),
                channels: s.channels ?? [],
                message: dataQualityMessage(s.severity, s.fields),
                routes: routeName === undefined ? [] : [routeName],
            };
        };
        return s.routes ? s.routes.map((r) => spec(`data-quality-${r}`, r, r)) : [spec("data-quality", "any source")];
    },
};
