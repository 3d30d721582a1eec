import { z } from "zod";
import { alertSeverity, channelRefs, routeRefs, uniqueList } from "../config/fields";
import { RESERVED_EVENT_NAMESPACES } from "../prefect/vocabulary";
import { dataQualityMessage } from "../rules/messages";
import { describeRoute } from "../rules/routes";
import { customEventTrigger } from "../rules/triggers";
import type { AutomationSpec, Signal } from "./signal";

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
        events: uniqueList(eventName, "event names").default([]),
        resourcePrefix: resourcePrefix.optional(),
        severity: alertSeverity(),
        routes: routeRefs.optional(),
        channels: channelRefs.optional(),
        fields: uniqueList(fieldName, "payload field names").default([]),
    })
    .prefault({});
type Settings = z.output<typeof schema>;

const TIER_WORD = { warning: "Warning", critical: "Critical", p1: "P1" } as const;

/**
 * Data-quality events the pipelines emit themselves (`prefect.events.emit_event`, e.g. `acme.table.empty` when a
 * load wrote zero rows). One automation, or one per route when `routes` are named (the events a flow run emits carry
 * its tags, flow and deployment as related resources, so a route selects them as it selects the runs).
 */
export const dataQuality: Signal = {
    id: "dataQuality",
    configKey: "dataQuality",
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
    automations: (cfg, ctx) => {
        const s = cfg.signals.dataQuality as Settings;
        if (s.events.length === 0) return [];
        const of = s.resourcePrefix === undefined ? "" : ` of a resource ${s.resourcePrefix}*`;
        const spec = (key: string, title: string, routeName?: string): AutomationSpec => {
            const route = routeName === undefined ? undefined : ctx.route(routeName);
            return {
                key,
                tier: s.severity,
                signal: "dataQuality",
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
