import * as pulumi from "@pulumi/pulumi";
import * as prefect from "@pulumi/prefect";
import type { Severity } from "../config/model";
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

/** The automations of one severity, whatever signals they come from. */
export class AlertTier extends pulumi.ComponentResource {
    readonly automationIds: Record<string, pulumi.Output<string>> = {};

    constructor(
        severity: Severity,
        automations: PlannedAutomation[],
        blockIds: Record<string, pulumi.Input<string>>,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super(TIER_COMPONENTS[severity], severity, {}, opts);
        for (const spec of automations) {
            const automation = new prefect.Automation(
                spec.key,
                {
                    name: spec.name,
                    description: spec.description,
                    enabled: true,
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
export function alertTiers(automations: PlannedAutomation[], blockIds: Record<string, pulumi.Input<string>>): AlertTier[] {
    return SEVERITIES.map((s) => [s, automations.filter((a) => a.tier === s)] as const)
        .filter(([, list]) => list.length > 0)
        .map(([s, list]) => new AlertTier(s, list, blockIds));
}
