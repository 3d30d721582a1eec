import * as pulumi from "@pulumi/pulumi";
import * as prefect from "@pulumi/prefect";
import type { Severity } from "../config/model";
import { TYPE } from "../prefect/vocabulary";
import type { PlannedAutomation } from "../rules/plan";
import type { SlaPlan } from "../signals/sla";
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
        for (const spec of automations) {
            const automation = new prefect.Automation(
                spec.key,
                {
                    name: spec.name,
                    description: spec.description,
                    // False only while its routes are muted (rules/quiet.ts); the description then says until when and why.
                    enabled: spec.enabled,
                    trigger: { event: eventTriggerInputs(spec.trigger) } satisfies prefect.types.input.AutomationTrigger,
                    actions: spec.actions.map(
                        (a) =>
                            ({
                                type: "send-notification",
                                blockDocumentId: blockIds[a.channel],
                                subject: a.subject,
                                body: a.body,
                            }) satisfies prefect.types.input.AutomationAction,
                    ),
                },
                { parent: this },
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
