import type { Route } from "../config/model";
import {
    ANY_FLOW_RUN,
    ANY_WORK_POOL,
    COMPLETED_EVENT,
    FINAL_FAILURE_EVENTS,
    PER_FLOW,
    WORK_POOL_NOT_READY_EVENTS,
    EventTriggerSpec,
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
        match: { "prefect.resource.id": ANY_WORK_POOL, "prefect.resource.name": workPools.length === 1 ? workPools[0] : workPools },
        expect: WORK_POOL_NOT_READY_EVENTS,
        for_each: ["prefect.resource.id"],
    });
}

/** No run on the route reached Completed for `seconds`: Proactive, so it fires on the absence of events. */
export function noSuccessTrigger(route: Route, seconds: number): EventTriggerSpec {
    return {
        ...reactive({ match: ANY_FLOW_RUN, match_related: matchRelatedFor(routeFilters(route)), expect: [COMPLETED_EVENT] }),
        posture: "Proactive",
        within: seconds,
    };
}

/** A run of one of the named flows Completed (the seed's optional notify_on_completion). */
export function successTrigger(flows: string[]): EventTriggerSpec {
    return reactive({
        match: ANY_FLOW_RUN,
        match_related: { "prefect.resource.role": "flow", "prefect.resource.name": flows.length === 1 ? flows[0] : flows },
        expect: [COMPLETED_EVENT],
    });
}
