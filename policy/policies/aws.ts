import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { TYPE } from "./resources";

/** Policies on the AWS Secrets Manager mirror of the alerting secrets. */

export const secretVersionSecret: ResourceValidationPolicy = {
    name: "secrets-manager-value-secret",
    description:
        "A Secrets Manager secret version keeps secretString a Pulumi secret (additionalSecretOutputs), as @pulumi/aws declares it.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (args.type !== TYPE.awsSecretVersion || !("secretString" in args.props)) return;
        if (!(args.opts.additionalSecretOutputs ?? []).includes("secretString"))
            report(
                `Secret version "${args.name}" does not declare secretString as a secret output: ` +
                    `the mirrored webhook URL or key would be stored in plain text.`,
            );
    },
};

export const secretRecoveryWindow: ResourceValidationPolicy = {
    name: "secrets-manager-recovery-window",
    description:
        "A mirrored secret keeps a recovery window: with recoveryWindowInDays 0 a destroy or " +
        "replacement deletes it at once, and whatever reads it (CI, flow hooks) breaks with no way back.",
    enforcementLevel: "advisory",
    severity: "medium",
    configSchema: {
        properties: {
            minimumDays: {
                type: "integer",
                minimum: 7,
                maximum: 30,
                default: 7,
                description: "Shortest recovery window, in days (AWS allows 0 or 7-30).",
            },
        },
    },
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (args.type !== TYPE.awsSecret) return;
        const minimum = args.getConfig<{ minimumDays?: number }>().minimumDays ?? 7;
        const days = args.props.recoveryWindowInDays;
        // Unset means AWS's default of 30 days.
        if (typeof days === "number" && days < minimum)
            report(
                `Secret "${args.props.name ?? args.name}" has recoveryWindowInDays ${days}` +
                    `${days === 0 ? " (deleted immediately, no recovery)" : ""}; at least ${minimum} is expected.`,
            );
    },
};

export const awsPolicies = [secretVersionSecret, secretRecoveryWindow];
