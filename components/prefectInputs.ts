import type * as prefect from "@pulumi/prefect";
import { EventTriggerSpec, toProviderTrigger } from "../prefect/vocabulary";

/**
 * Prefect's API shape -> the bridged provider's input shape, by the one field
 * mapping (prefect/vocabulary.ts), checked against the SDK's own input type so
 * a field the SDK names differently fails to compile.
 */
export function eventTriggerInputs(t: EventTriggerSpec) {
    const p = toProviderTrigger(t);
    return {
        posture: p.posture,
        match: p.match,
        matchRelated: p.matchRelated,
        afters: p.afters,
        expects: p.expects,
        forEaches: p.forEaches,
        threshold: p.threshold,
        within: p.within,
    } satisfies prefect.types.input.AutomationTriggerEvent;
}
