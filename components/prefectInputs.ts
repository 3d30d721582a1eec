import type * as prefect from "@pulumi/prefect";
import type { EventTriggerSpec } from "../rules/triggers";

/**
 * Prefect's API shape -> the bridged provider's input shape: camelCase,
 * pluralised sets, and `match` / `match_related` as JSON strings.
 * Checked against the SDK's own input type, so a field the SDK names
 * differently fails to compile.
 */
export function eventTriggerInputs(t: EventTriggerSpec) {
    return {
        posture: t.posture,
        match: JSON.stringify(t.match),
        matchRelated: JSON.stringify(t.match_related),
        afters: t.after,
        expects: t.expect,
        forEaches: t.for_each,
        threshold: t.threshold,
        within: t.within,
    } satisfies prefect.types.input.AutomationTriggerEvent;
}
