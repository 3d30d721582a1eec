import type { StackConfig } from "../../config/model";
import type { AlertPlan } from "../../rules/plan";
import { SIGNALS } from "../../signals/table";

/** The sections with a `resolveWhenEnded` switch: their resolves go to PagerDuty channels only, never chat. */
const WITH_RESOLVE_SWITCH = ["stuckRuns", "slowRuns"];

/**
 * A section whose `resolveWhenEnded` is on but that planned no resolve, because none of its alerts goes to a
 * PagerDuty channel (the section's or an owner's): nothing opens an incident, so there is nothing to resolve. Said
 * in the preview so the switch is not read as working. Pure.
 */
export function idleResolveLines(cfg: Pick<StackConfig, "signals">, plan: Pick<AlertPlan, "automations">): string[] {
    return SIGNALS.filter((s) => WITH_RESOLVE_SWITCH.includes(s.configKey)).flatMap((s) => {
        const section = cfg.signals[s.configKey] as { enabled?: boolean; resolveWhenEnded?: boolean } | undefined;
        const mine = plan.automations.filter((a) => a.signal === s.id);
        if (!section?.enabled || !section.resolveWhenEnded || !mine.length) return [];
        if (mine.some((a) => a.incident?.action === "resolve")) return [];
        return [
            `${s.configKey}.resolveWhenEnded is on, but none of its alerts goes to a PagerDuty channel: no incident ` +
                "is opened, so no resolve automation is planned",
        ];
    });
}
