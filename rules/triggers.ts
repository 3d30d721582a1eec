import type { Route } from "../config/model";
import {
    ANY_FLOW_RUN,
    ANY_WORK_POOL,
    COMPLETED_EVENT,
    FINAL_FAILURE_EVENTS,
    PER_FLOW,
    WORK_POOL_NOT_READY_EVENTS,
    WORK_POOL_READY_EVENT,
    EventTriggerSpec,
    labelLiteral,
} from "../prefect/vocabulary";
import { matchRelatedFor, routeFilters } from "./routes";

export type { EventTriggerSpec };

const reactive = (t: Partial<EventTriggerSpec>): EventTriggerSpec => ({
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

/** Every final failure (Failed, Crashed, TimedOut) of a run on the route; retries in progress are AwaitingRetry and never match. */
export function finalFailureTrigger(route: Route): EventTriggerSpec {
    return reactive({ match: ANY_FLOW_RUN, match_related: matchRelatedFor(routeFilters(route)), expect: FINAL_FAILURE_EVENTS });
}

/**
 * At most one warning per flow per `seconds`: Reactive with a window fires on
 * the first failure of a flow, then ignores that flow's failures until the
 * window ends (a flapping flow posts once per window).
 */
export function throttledFailureTrigger(route: Route, seconds: number): EventTriggerSpec {
    return { ...finalFailureTrigger(route), for_each: [PER_FLOW], within: seconds };
}

/**
 * `threshold` final failures of the *same flow* within `windowSeconds`. Fires
 * on the failure that reaches the threshold, then stays quiet for that flow
 * until the window ends. Not "consecutive": successes in between do not reset it.
 */
export function repeatedFailureTrigger(route: Route, threshold: number, windowSeconds: number): EventTriggerSpec {
    return { ...finalFailureTrigger(route), for_each: [PER_FLOW], threshold, within: windowSeconds };
}

/** A named work pool lost its last healthy worker: nothing in it can start. */
export function workPoolNotReadyTrigger(workPools: string[]): EventTriggerSpec {
    return reactive({
        match: { "prefect.resource.id": ANY_WORK_POOL, "prefect.resource.name": oneOrMany(workPools) },
        expect: WORK_POOL_NOT_READY_EVENTS,
        for_each: ["prefect.resource.id"],
    });
}

/** No run on the route reached Completed for `seconds`: Proactive, so it fires on the absence of events. */
export function noSuccessTrigger(route: Route, seconds: number): EventTriggerSpec {
    return silenceAfterLastCompletion({ match: ANY_FLOW_RUN, match_related: matchRelatedFor(routeFilters(route)) }, seconds);
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
 * A flow of the route completed after a final failure: the clearing event of
 * its incident. Reactive with `after`: a failure opens a bucket per flow, the
 * flow's next Completed fires it, and the bucket is gone until the next failure
 * (prefect/server/events/triggers.py: a trigger with `after` removes its bucket
 * once it fired), so a healthy flow's completions send nothing.
 */
export function flowRecoveredTrigger(route: Route): EventTriggerSpec {
    return reactive({
        match: ANY_FLOW_RUN,
        match_related: matchRelatedFor(routeFilters(route)),
        after: FINAL_FAILURE_EVENTS,
        expect: [COMPLETED_EVENT],
        for_each: [PER_FLOW],
        within: RECOVERY_WINDOW_SECONDS,
    });
}

/**
 * A named work pool is ready again (a worker polls it) after it was not-ready: `after` the not-ready events, per
 * pool, so the first ready after creation, or a ready after a pause, sends nothing (a bucket exists only once a
 * not-ready was seen, and is removed when it fires: triggers.py `evaluate`).
 */
export function workPoolReadyTrigger(workPools: string[]): EventTriggerSpec {
    return clearedAfter(workPoolNotReadyTrigger(workPools), [WORK_POOL_READY_EVENT]);
}

/**
 * The trigger that clears what `alert` reported, for the same resource: Reactive, opened by the alert's own events
 * (`after`), fired by the first clearing event of the same bucket (same `for_each`), then gone until the alert's
 * event comes again. A clearing event with no alert event before it sends nothing.
 */
export function clearedAfter(alert: EventTriggerSpec, clearing: string[]): EventTriggerSpec {
    return { ...alert, posture: "Reactive", after: alert.expect, expect: clearing, threshold: 1, within: RECOVERY_WINDOW_SECONDS };
}

/**
 * A run of the route completed: the end of a silence. The automation is an armed resolve (rules/incidents.ts
 * armedResolve): on only after a silence alert; at most once a minute in the seconds before it turns itself off.
 */
export function silenceEndedTrigger(route: Route): EventTriggerSpec {
    return reactive({ match: ANY_FLOW_RUN, match_related: matchRelatedFor(routeFilters(route)), expect: [COMPLETED_EVENT], within: 60 });
}

/** A run of one of the named flows Completed (the seed's optional notify_on_completion). */
export function successTrigger(flows: string[]): EventTriggerSpec {
    return reactive({
        match: ANY_FLOW_RUN,
        match_related: { "prefect.resource.role": "flow", "prefect.resource.name": oneOrMany(flows) },
        expect: [COMPLETED_EVENT],
    });
}

/** One name, or a list of names, as a label value (a list ORs its items). */
/** Names from config as exact label values (labelLiteral): one value, or a list that ORs them. */
function oneOrMany(names: string[]): string | string[] {
    const literal = names.map(labelLiteral);
    return literal.length === 1 ? literal[0] : literal;
}

/**
 * Stale data: no Completed run of the deployment (or flow) `name` within `seconds`. Proactive and without
 * for_each, so Prefect keeps one window for the whole automation: it fires when a window passes without such a
 * run, a deployment that never completed since the automation was created included.
 */
export function freshnessTrigger(kind: "deployment" | "flow", name: string, seconds: number): EventTriggerSpec {
    return silenceAfterLastCompletion(
        { match: ANY_FLOW_RUN, match_related: { "prefect.resource.role": kind, "prefect.resource.name": labelLiteral(name) } },
        seconds,
    );
}

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

/** A status event (`prefect.deployment.not-ready`, `prefect.work-queue.paused`, ...) of a named deployment, queue or pool. */
export function statusTrigger(anyResource: string, names: string[], event: string): EventTriggerSpec {
    return reactive({
        match: { "prefect.resource.id": anyResource, "prefect.resource.name": oneOrMany(names) },
        expect: [event],
        for_each: ["prefect.resource.id"],
    });
}
