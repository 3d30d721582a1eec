import * as pulumi from "@pulumi/pulumi";
import * as prefect from "@pulumi/prefect";
import { AutomationSpec } from "../rules/plan";
import { eventTriggerInputs } from "./prefectInputs";

/** A Prefect automation for one planned rule, notifying each of its channels' blocks. */
export function createAutomation(
    parent: pulumi.Resource,
    spec: AutomationSpec,
    blockIds: Record<string, pulumi.Input<string>>,
): prefect.Automation {
    return new prefect.Automation(
        spec.key,
        {
            name: spec.name,
            description: spec.description,
            enabled: true,
            trigger: { event: eventTriggerInputs(spec.trigger) } satisfies prefect.types.input.AutomationTrigger,
            actions: spec.channels.map(
                (channel) =>
                    ({
                        type: "send-notification",
                        blockDocumentId: blockIds[channel],
                        subject: spec.message.subject,
                        body: spec.message.body,
                    }) satisfies prefect.types.input.AutomationAction,
            ),
        },
        { parent },
    );
}

/** Base of the tier components: each tier is a component owning its automations. */
export abstract class AlertTier extends pulumi.ComponentResource {
    readonly automationIds: Record<string, pulumi.Output<string>> = {};
    readonly automationNames: Record<string, string> = {};

    protected constructor(
        type: string,
        name: string,
        specs: AutomationSpec[],
        blockIds: Record<string, pulumi.Input<string>>,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super(type, name, {}, opts);
        for (const spec of specs) {
            this.automationIds[spec.key] = createAutomation(this, spec, blockIds).id;
            this.automationNames[spec.key] = spec.name;
        }
        this.registerOutputs({ automationIds: this.automationIds });
    }
}

export interface TierArgs {
    automations: AutomationSpec[];
    blockIds: Record<string, pulumi.Input<string>>;
}
