import * as pulumi from "@pulumi/pulumi";
import * as prefect from "@pulumi/prefect";
import type { Severity, SlaPlan } from "../alert/model";
import { TYPE } from "../prefect/vocabulary";
import type { PlannedAutomation } from "../rules/plan";
import { eventTriggerInputs } from "./prefectInputs";

/** The component type each severity's automations live under: what users see in `pulumi stack`. */
export const TIER_COMPONENTS: Record<Severity, string> = {
    warning: TYPE.warningTier,
    critical: TYPE.criticalTier,
    p1: TYPE.p1Tier,
    info: TYPE.infoNotices,
};
const SEVERITIES = Object.keys(TIER_COMPONENTS) as Severity[];

/** The automations of one severity, whatever signals they come from, and the Prefect Cloud SLAs whose violations it alerts on. */
export class AlertTier extends pulumi.ComponentResource {
    readonly automationIds: Record<string, pulumi.Output<string>> = {};

    constructor(
        severity: Severity,
        automations: PlannedAutomation[],
        blockIds: Record<string, pulumi.Input<string>>,
        opts?: pulumi.ComponentResourceOptions,
        slas: SlaPlan[] = [],
    ) {
        super(TIER_COMPONENTS[severity], severity, {}, opts);
        for (const sla of slas)
            new prefect.ResourceSla(
                sla.key,
                { resourceId: sla.resourceId, slas: sla.slas satisfies prefect.types.input.ResourceSlaSla[] },
                { parent: this },
            );
        // Armed resolves first: their alerts' resume-automation actions need their ids.
        const ordered = [...automations.filter((a) => a.armedBy !== undefined), ...automations.filter((a) => a.armedBy === undefined)];
        for (const spec of ordered) {
            const armed = spec.armedBy !== undefined;
            const automation = new prefect.Automation(
                spec.key,
                {
                    name: spec.name,
                    description: spec.description,
                    // False while its routes are muted (rules/quiet.ts; the description says until when and why), and for an
                    // armed resolve until its alert enables it.
                    enabled: spec.enabled,
                    trigger: { event: eventTriggerInputs(spec.trigger) } satisfies prefect.types.input.AutomationTrigger,
                    actions: [
                        ...spec.actions.map(
                            (a) =>
                                ({
                                    type: "send-notification",
                                    blockDocumentId: blockIds[a.channel],
                                    subject: a.subject,
                                    body: a.body,
                                }) satisfies prefect.types.input.AutomationAction,
                        ),
                        ...spec.arms.map(
                            (key) =>
                                ({
                                    type: "resume-automation",
                                    source: "selected",
                                    automationId: this.automationIds[key],
                                }) satisfies prefect.types.input.AutomationAction,
                        ),
                    ],
                    // An armed resolve disarms itself once it fired. Source "inferred" works only here, not in `actions`
                    // (measured on 3.9.1: "No event to infer the automation" there).
                    ...(armed
                        ? {
                              actionsOnTriggers: [
                                  { type: "pause-automation", source: "inferred" } satisfies prefect.types.input.AutomationActionsOnTrigger,
                              ],
                          }
                        : {}),
                },
                // Prefect itself turns an armed resolve on and off; `pulumi up` must not undo that.
                { parent: this, ...(armed ? { ignoreChanges: ["enabled"] } : {}) },
            );
            this.automationIds[spec.key] = automation.id;
        }
        this.registerOutputs({ automationIds: this.automationIds });
    }
}

/** One component per severity that has automations (none for a severity the stack does not use). */
export function alertTiers(
    automations: PlannedAutomation[],
    blockIds: Record<string, pulumi.Input<string>>,
    slas: SlaPlan[] = [],
): AlertTier[] {
    return SEVERITIES.map((s) => [s, automations.filter((a) => a.tier === s), slas.filter((x) => x.tier === s)] as const)
        .filter(([, list, own]) => list.length + own.length > 0)
        .map(([s, list, own]) => new AlertTier(s, list, blockIds, undefined, own));
}
