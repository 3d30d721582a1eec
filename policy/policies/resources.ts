/**
 * How the program's resources look to a policy: type tokens, and lenient
 * readers for the shapes the bridged Prefect provider takes. Policies match
 * by type string, never by importing an SDK, so the pack keeps working while
 * the SDK is regenerated. The Prefect facts (type tokens, event trigger
 * fields, block fields, ...) come from the program's vocabulary, vendored
 * into vendor/ by `npm run vendor` at the repository root.
 */

import { ACTION_LISTS, EVENT_TRIGGER_FIELDS, TRIGGER_KINDS, TYPE } from "../vendor/vocabulary";

export { ACTION_LISTS, EVENTS_V2, NOTIFICATION_BLOCK_FIELDS, TRIGGER_KINDS, TYPE } from "../vendor/vocabulary";

export type Labels = Record<string, unknown>;

/** One event trigger of an automation, wherever it sits (top level, or inside a compound / sequence). */
export interface EventTrigger {
    /** Where it sits, for messages: `trigger.event`, `trigger.compound.triggers[1].event`. */
    path: string;
    event: Record<string, any>;
}

/** An event trigger's fields in the provider's names: `matchRelated`, `afters`, `expects`, `forEaches`, ... */
export const EVENT_FIELDS: string[] = Object.values(EVENT_TRIGGER_FIELDS).map((f) => f.provider);

/**
 * Every event trigger of an automation. Reads the seed's flat shape
 * (`trigger = { type = "event", posture, expect, ... }`) as the event trigger
 * it meant to be, so the other policies still judge its contents while
 * `automation-trigger-shape` reports the shape.
 */
export function eventTriggers(trigger: unknown, path = "trigger"): EventTrigger[] {
    if (!isObject(trigger)) return [];
    const found: EventTrigger[] = [];
    if (isObject(trigger.event)) found.push({ path: `${path}.event`, event: trigger.event });
    for (const kind of ["compound", "sequence"] as const) {
        const group = trigger[kind];
        if (isObject(group) && Array.isArray(group.triggers))
            group.triggers.forEach((child: unknown, i: number) => found.push(...eventTriggers(child, `${path}.${kind}.triggers[${i}]`)));
    }
    if (!TRIGGER_KINDS.some((k) => k in trigger) && EVENT_FIELDS.some((k) => k in trigger || singular(k) in trigger))
        found.push({ path, event: withPluralNames(trigger) });
    return found;
}

/** The provider's field name -> Prefect's (`expects` -> `expect`, `forEaches` -> `for_each`, `matchRelated` -> `match_related`). */
export function singular(field: string): string {
    return Object.entries(EVENT_TRIGGER_FIELDS).find(([, f]) => f.provider === field)?.[0] ?? field;
}

function withPluralNames(flat: Record<string, any>): Record<string, any> {
    const event: Record<string, any> = {};
    for (const field of EVENT_FIELDS) {
        if (field in flat) event[field] = flat[field];
        else if (singular(field) in flat) event[field] = flat[singular(field)];
    }
    return event;
}

export const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** A label value as the list of alternatives it ORs. */
export const alternatives = (v: unknown): string[] => (typeof v === "string" ? [v] : strings(v));

/**
 * `match` / `matchRelated` as label objects. The provider takes JSON strings;
 * an object or list given directly (the seed's map) is read as is, and
 * `automation-labels-are-json` reports it.
 */
export function labelObjects(value: unknown): Labels[] {
    let parsed: unknown = value;
    if (typeof value === "string") {
        try {
            parsed = JSON.parse(value);
        } catch {
            return [];
        }
    }
    if (Array.isArray(parsed)) return parsed.filter(isObject);
    return isObject(parsed) ? [parsed] : [];
}

/**
 * Python's fnmatch.fnmatchcase, which Prefect uses for event names (`expect` / `after`,
 * server/events/triggers.py) and label values (server/events/schemas/events.py `matches`):
 * `*` any text, `?` one character, `[...]` a character class (`[!...]` negated), all else literal.
 */
export function fnmatchcase(value: string, pattern: string): boolean {
    let re = "";
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === "*") re += "[\\s\\S]*";
        else if (c === "?") re += "[\\s\\S]";
        else if (c === "[") {
            let j = i + 1;
            if (pattern[j] === "!") j++;
            if (pattern[j] === "]") j++;
            while (j < pattern.length && pattern[j] !== "]") j++;
            if (j >= pattern.length) re += "\\[";
            else {
                let body = pattern.slice(i + 1, j).replace(/\\/g, "\\\\");
                if (body.startsWith("!")) body = `^${body.slice(1)}`;
                else if (body.startsWith("^")) body = `\\${body}`;
                re += `[${body}]`;
                i = j;
            }
        } else re += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }
    return new RegExp(`^${re}$`).test(value);
}

/** Prefect's event-name patterns (fnmatch): `prefect.flow-run.*`, `prefect.automation.action.failed`. */
export function eventMatches(pattern: string, name: string): boolean {
    return fnmatchcase(name, pattern);
}

/** A label of a trigger's `match` against a resource's value, as Prefect judges it: fnmatch, `!` negates, no value never matches. */
export function labelMatches(expected: string, value: string | undefined): boolean {
    if (value === undefined) return false;
    const negated = expected.startsWith("!");
    const matched = fnmatchcase(value, negated ? expected.slice(1) : expected);
    return negated ? !matched : matched;
}

export interface ActionRef {
    /** `actions[0]`, `actionsOnTriggers[1]`, ... */
    path: string;
    action: Record<string, any>;
}

export function automationActions(props: Record<string, any>): ActionRef[] {
    const refs: ActionRef[] = [];
    for (const list of ACTION_LISTS) {
        const actions = props[list];
        if (Array.isArray(actions))
            actions.forEach((action, i) => refs.push({ path: `${list}[${i}]`, action: isObject(action) ? action : {} }));
    }
    return refs;
}

/**
 * An armed resolve (the program's alert/incidents.ts armedResolve): created disabled on purpose, its alert enables it
 * when it fires, and it turns itself off (`pause-automation` with source "inferred" on trigger) once it resolved.
 * Disabled in code, but not forgotten: not an alert that is off.
 */
export function isArmedResolve(props: Record<string, any>): boolean {
    const description = known(() => props.description);
    const onTrigger = known(() => props.actionsOnTriggers);
    return (
        typeof description === "string" &&
        description.startsWith("Armed by ") &&
        Array.isArray(onTrigger) &&
        onTrigger.some((a) => isObject(a) && a.type === "pause-automation" && a.source === "inferred")
    );
}

/** The stack a URN belongs to: `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function stackOfUrn(urn: string): string {
    return urn.startsWith("urn:pulumi:") ? urn.slice("urn:pulumi:".length).split("::")[0] : "";
}

/** The type chain a URN encodes: parent types, then the resource's own (`a$b$c`). */
export function typeChain(urn: string): string[] {
    const qualified = urn.split("::")[2] ?? "";
    return qualified ? qualified.split("$") : [];
}

export function isObject(v: unknown): v is Record<string, any> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

export const UNKNOWN = Symbol("unknown during preview");

/**
 * Reads a value that may be unknown during preview. CrossGuard's props throw
 * an UnknownValueError on access to such a value; a stack policy must not
 * give up on the whole stack for one of them.
 */
export function known<V>(read: () => V): V | typeof UNKNOWN {
    try {
        return read();
    } catch (e) {
        if ((e as { constructor?: { name?: string } })?.constructor?.name === "UnknownValueError") return UNKNOWN;
        throw e;
    }
}

/** JSON text as an object, or undefined when it is not JSON of an object. */
export function jsonObject(text: unknown): Record<string, any> | undefined {
    if (isObject(text)) return text;
    if (typeof text !== "string") return undefined;
    try {
        const parsed = JSON.parse(text);
        return isObject(parsed) ? parsed : undefined;
    } catch {
        return undefined;
    }
}

/**
 * A block that pages through PagerDuty: Prefect's pager-duty-webhook (Apprise),
 * or a custom-webhook that posts Events API v2 with a routing key among its
 * secrets (the program's pagerduty channels). During preview its data may be
 * unknown: a data that depends on a PagerDuty integration of the stack tells.
 */
export function isPagerDutyBlock(block: {
    props: Record<string, any>;
    propertyDependencies?: Record<string, { type: string }[]>;
}): boolean {
    const slug = known(() => block.props.typeSlug);
    if (slug === "pager-duty-webhook") return true;
    if (slug !== "custom-webhook") return false;
    if ((block.propertyDependencies?.data ?? []).some((d) => d.type === TYPE.pdIntegration)) return true;
    const data = known(() => block.props.data);
    const parsed = data === UNKNOWN ? undefined : jsonObject(data);
    return typeof jsonObject(parsed?.secrets)?.[EVENTS_ROUTING_KEY] === "string";
}

/** The block secret the program's pagerduty channels hold the Events API v2 routing key in. */
export const EVENTS_ROUTING_KEY = "routing_key";

/** A notification action whose body renders an Events API v2 resolve: it closes an incident, it announces nothing. */
export function isResolveAction(action: Record<string, any>): boolean {
    const body = known(() => action.body);
    return typeof body === "string" && /"event_action"\s*:\s*"resolve"/.test(body);
}
