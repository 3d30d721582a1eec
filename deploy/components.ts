import * as pulumi from "@pulumi/pulumi";
import * as service from "@pulumi/pulumiservice";
import { escEnvironmentYaml } from "./esc";
import type { PolicyGroupPlan, StackPlan } from "./plan";

export interface StackDeploymentArgs {
    plan: StackPlan;
    /** The Slack incoming webhook for failure notices (a Pulumi secret). */
    webhookUrl: pulumi.Output<string>;
    /** This stack's ESC values, config key -> value (a Pulumi secret). */
    secrets: pulumi.Output<Record<string, string>>;
}

/** Everything Pulumi Cloud needs to run one alerting stack from git: built from plan data only. */
export class StackDeployment extends pulumi.ComponentResource {
    readonly settings: service.DeploymentSettings;
    readonly drift: service.DriftSchedule;
    readonly webhook: service.Webhook;
    readonly environment: service.Environment;

    constructor(name: string, args: StackDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("alerting-deploy:index:StackDeployment", name, {}, opts);
        const { plan } = args;
        const parent = { parent: this };
        this.environment = new service.Environment(
            name,
            {
                organization: plan.environment.organization,
                project: plan.environment.project,
                name: plan.environment.name,
                yaml: pulumi.secret(args.secrets.apply((s) => new pulumi.asset.StringAsset(escEnvironmentYaml(plan.stack, s)))),
            },
            // The SDK does not mark yaml secret: without this the definition (values in clear) would sit in the state.
            { ...parent, additionalSecretOutputs: ["yaml"] },
        );
        this.settings = new service.DeploymentSettings(name, plan.settings, { ...parent, dependsOn: [this.environment] });
        this.drift = new service.DriftSchedule(name, plan.drift, { ...parent, dependsOn: [this.settings] });
        this.webhook = new service.Webhook(
            name,
            { ...plan.webhook, payloadUrl: pulumi.secret(args.webhookUrl) },
            // Only the HMAC `secret` is marked by the SDK; the Slack URL lets anyone post to the channel.
            { ...parent, additionalSecretOutputs: ["payloadUrl"] },
        );
        this.registerOutputs({});
    }
}

export function policyGroup(plan: PolicyGroupPlan): service.PolicyGroup {
    return new service.PolicyGroup(plan.name, plan);
}
