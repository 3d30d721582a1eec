import { COMPLETED_EVENT, EventTriggerSpec, labelLiteral } from "../prefect/vocabulary";

/**
 * Trigger building blocks several signals share (each signal writes its own triggers in its module): a Reactive
 * trigger's defaults, names from config as label values, the clearing trigger of an alert, and the silence after
 * the last completion.
 */

export type { EventTriggerSpec };

/** A Reactive trigger: Prefect's defaults, then `t`. */
export const reactive = (t: Partial<EventTriggerSpec>): EventTriggerSpec => ({
    posture: "Reactive",
    match: {},
    match_related: {},
    after: [],
    expect: [],
    for_each: [],
    threshold: 1,
    within: 0,
    ...t,
});

/** Names from config as exact label values (labelLiteral): one value, or a list that ORs them. */
export function oneOrMany(names: string[]): string | string[] {
    const literal = names.map(labelLiteral);
    return literal.length === 1 ? literal[0] : literal;
}

/**
 * "No Completed run within `seconds` of the last one", on time. Prefect's Proactive windows are tumbling
 * (prefect/server/events/triggers.py `evaluate`, `proactive_evaluation`): with `expect` alone a completion satisfies
 * the window it falls in, and the next window must then pass whole, so the alert came 2-3 windows after the last
 * completion. With the same event in `after` and `expect`, each completion closes the open window and opens a new
 * one starting at that completion (the "same event in after and expect" case of `evaluate`), so the alert comes one
 * window (plus Prefect's ~5 s evaluation tick) after the last completion. Without `for_each` the proactive loop
 * also opens a window by itself when none is open (`proactive_evaluation`), so a run that never completed alerts
 * about one window after the automation was created, and a silence that goes on is reported again every two
 * windows (a window that fired is removed; the loop opens the next one at its next pass). Measured on 3.9.1: first
 * alert at L + 62-65 s for a 60 s window (prefect.md, "Measured").
 */
export function silenceAfterLastCompletion(m: Pick<EventTriggerSpec, "match" | "match_related">, seconds: number): EventTriggerSpec {
    return { ...reactive({ ...m, after: [COMPLETED_EVENT], expect: [COMPLETED_EVENT] }), posture: "Proactive", within: seconds };
}

/** How long after its first failure a flow's completion still counts as its recovery (and resolves its incident). */
export const RECOVERY_WINDOW_SECONDS = 7 * 86400;

/**
 * The trigger that clears what `alert` reported, for the same resource: Reactive, opened by the alert's own events
 * (`after`), fired by the first clearing event of the same bucket (same `for_each`), then gone until the alert's
 * event comes again. A clearing event with no alert event before it sends nothing.
 */
export function clearedAfter(alert: EventTriggerSpec, clearing: string[]): EventTriggerSpec {
    return { ...alert, posture: "Reactive", after: alert.expect, expect: clearing, threshold: 1, within: RECOVERY_WINDOW_SECONDS };
}
