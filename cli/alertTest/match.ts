import type { EventTriggerSpec, Labels } from "../../prefect/vocabulary";
import { flowRunEvent, tagResourceId } from "../../prefect/vocabulary";

/**
 * Which planned triggers a test run's failure event would reach, decided the
 * way Prefect's server decides it (prefect/server/events/schemas/automations.py
 * `covers`, prefect/events/schemas/events.py `matches`): the event name is one
 * of `expect`, `match` holds for the event's resource, and every `match_related`
 * object holds for at least one related resource. A label value may be a list
 * (ORed), end in `*` (prefix) or start with `!` (negation).
 */

export type Resource = Record<string, string>;

export interface SampleEvent {
    event: string;
    resource: Resource;
    related: Resource[];
}

/** What an ad-hoc run (no deployment) reports when it ends in `state`: the flow and one related resource per tag. */
export function adHocFailureEvent(flow: string, tags: string[], state = "Failed"): SampleEvent {
    return {
        event: flowRunEvent(state),
        resource: { "prefect.resource.id": "prefect.flow-run.00000000-0000-4000-8000-000000000000" },
        related: [
            {
                "prefect.resource.id": "prefect.flow.00000000-0000-4000-8000-000000000001",
                "prefect.resource.role": "flow",
                "prefect.resource.name": flow,
            },
            ...tags.map((t) => ({ "prefect.resource.id": tagResourceId(t), "prefect.resource.role": "tag" })),
        ],
    };
}

function labelMatches(expected: string, value: string | undefined): boolean {
    if (value === undefined) return false;
    const negated = expected.startsWith("!");
    const pattern = negated ? expected.slice(1) : expected;
    const hit = pattern.endsWith("*") ? value.startsWith(pattern.slice(0, -1)) : value === pattern;
    return negated ? !hit : hit;
}

function resourceMatches(spec: Labels, resource: Resource): boolean {
    return Object.entries(spec).every(([label, expected]) =>
        (Array.isArray(expected) ? expected : [expected]).some((e) => labelMatches(e, resource[label])),
    );
}

/** `includes`: an empty specification matches anything; otherwise some candidate must match it. */
function includes(spec: Labels, candidates: Resource[]): boolean {
    return Object.keys(spec).length === 0 || candidates.some((c) => resourceMatches(spec, c));
}

/** Whether Prefect would count `e` for this trigger (a Reactive trigger fires on what it counts). */
export function covers(trigger: EventTriggerSpec, e: SampleEvent): boolean {
    const expectOk = trigger.expect.length === 0 || trigger.expect.some((x) => labelMatches(x, e.event));
    if (!expectOk || !includes(trigger.match, [e.resource])) return false;
    const related = Array.isArray(trigger.match_related) ? trigger.match_related : [trigger.match_related];
    return related.every((spec) => includes(spec, e.related));
}
