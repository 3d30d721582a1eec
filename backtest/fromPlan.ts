import type { AlertPlan } from "../rules/plan";
import type { ReplayAutomation } from "./engine";

/**
 * The automations a plan creates, as the replay sees them: the same triggers the preview shows; a muted one
 * enabled when its mute ends (its mute timer resumes it then); an armed resolve off until its alert fires, and
 * pausing itself once it has fired. Cloud SLAs are not here: Prefect Cloud evaluates them, not the trigger engine.
 */
export function replayAutomations(plan: AlertPlan): ReplayAutomation[] {
    return plan.automations.map((a) => ({
        key: a.key,
        name: a.name,
        enabled: a.enabled,
        trigger: a.trigger,
        arms: a.arms,
        pausesItself: a.armedBy !== undefined,
        ...(a.mute ? { enabledAt: Date.parse(a.mute.until) } : {}),
    }));
}
