import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export interface MirroredSecret {
    /** Name after the prefix, e.g. `slack-webhook-url`. */
    name: string;
    description: string;
    value: pulumi.Output<string>;
}

export interface SecretsMirrorArgs {
    prefix: string;
    recoveryWindowInDays: number;
    secrets: MirroredSecret[];
}

/**
 * Copies of the alerting secrets in AWS Secrets Manager, as the seed keeps
 * them, for other consumers (CI, flow-level hooks). Values stay Pulumi
 * secrets; the program itself reads them from stack config, not from here.
 */
export class SecretsMirror extends pulumi.ComponentResource {
    readonly arns: Record<string, pulumi.Output<string>> = {};
    readonly names: Record<string, string> = {};

    constructor(name: string, args: SecretsMirrorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("alerting:index:SecretsMirror", name, {}, opts);
        for (const s of args.secrets) {
            const fullName = `${args.prefix}/${s.name}`;
            const secret = new aws.secretsmanager.Secret(
                s.name,
                { name: fullName, description: s.description, recoveryWindowInDays: args.recoveryWindowInDays },
                { parent: this },
            );
            new aws.secretsmanager.SecretVersion(s.name, { secretId: secret.id, secretString: pulumi.secret(s.value) }, { parent: this });
            this.arns[s.name] = secret.arn;
            this.names[s.name] = fullName;
        }
        this.registerOutputs({ arns: this.arns });
    }
}
