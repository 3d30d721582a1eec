import * as pulumi from "@pulumi/pulumi";
import type * as awsTypes from "@pulumi/aws";
import type { AlertPlan } from "../rules/plan";
import { SecretValues, resolveSource } from "./secretSources";

/**
 * Copies of the alerting secrets in AWS Secrets Manager, as the seed keeps
 * them, for other consumers (CI, flow-level hooks). Values stay Pulumi
 * secrets; the program itself reads them from stack config, not from here.
 */
export class SecretsMirror extends pulumi.ComponentResource {
    readonly arns: Record<string, pulumi.Output<string>> = {};
    readonly names: Record<string, string> = {};

    constructor(
        name: string,
        args: { plan: NonNullable<AlertPlan["mirror"]>; secrets: SecretValues },
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super("alerting:index:SecretsMirror", name, {}, opts);
        // Loaded only for stacks that mirror: @pulumi/aws takes a quarter of a second to load, a third of a small preview.
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose (above); a constructor cannot await import()
        const aws: typeof awsTypes = require("@pulumi/aws");
        for (const s of args.plan.secrets) {
            const fullName = `${args.plan.prefix}/${s.name}`;
            const secret = new aws.secretsmanager.Secret(
                s.name,
                { name: fullName, description: s.description, recoveryWindowInDays: args.plan.recoveryWindowInDays },
                { parent: this },
            );
            new aws.secretsmanager.SecretVersion(
                s.name,
                { secretId: secret.id, secretString: resolveSource(s.source, args.secrets) },
                { parent: this },
            );
            this.arns[s.name] = secret.arn;
            this.names[s.name] = fullName;
        }
        this.registerOutputs({ arns: this.arns });
    }
}
