import type {
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { UNKNOWN, isObject, known, strings } from "./resources";

/**
 * Policies on the deploy program (deploy/): the Pulumi Cloud resources of
 * @pulumi/pulumiservice that run the alerting stacks from git. Matched by type
 * token like the rest of the pack, so the pack needs no Pulumi Cloud SDK.
 */

export const SERVICE_TYPE = {
    deploymentSettings: "pulumiservice:index:DeploymentSettings",
    driftSchedule: "pulumiservice:index:DriftSchedule",
    webhook: "pulumiservice:index:Webhook",
    environment: "pulumiservice:index:Environment",
    policyGroup: "pulumiservice:index:PolicyGroup",
} as const;

const PRODUCTION_STACKS = ["prod", "production"];

/** Shared by the policies that ask whether a target stack is production: the deploy program names the stacks. */
const productionSchema = {
    properties: {
        productionStacks: {
            type: "array" as const,
            items: { type: "string" as const },
            default: PRODUCTION_STACKS,
            description: "Alerting stack names (the `stack` of DeploymentSettings) treated as production.",
        },
        pack: {
            type: "string" as const,
            default: "prefect-alerting",
            description: "The policy pack a production deployment must run.",
        },
    },
};

interface ProductionConfig {
    productionStacks?: string[];
    pack?: string;
}

const productionStacks = (c: ProductionConfig) => c.productionStacks ?? PRODUCTION_STACKS;
const targetOf = (props: Record<string, any>) => `${props.organization}/${props.project}/${props.stack}`;
/** The vcs block, or the deprecated github block that carries the same switches. */
const vcsOf = (props: Record<string, any>): Record<string, any> | undefined =>
    isObject(props.vcs) ? props.vcs : isObject(props.github) ? props.github : undefined;

export const deploymentPreviewsPullRequests: ResourceValidationPolicy = {
    name: "deployment-previews-pull-requests",
    description:
        "Deployment settings of a production alerting stack preview every pull request (vcs.previewPullRequests): " +
        "the pack's verdict and the planned changes are on the PR before the merge deploys them.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: productionSchema,
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (args.type !== SERVICE_TYPE.deploymentSettings) return;
        const stack = known(() => args.props.stack);
        if (stack === UNKNOWN || !productionStacks(args.getConfig<ProductionConfig>()).includes(stack)) return;
        const vcs = vcsOf(args.props);
        const previews = vcs ? known(() => vcs.previewPullRequests) : false;
        if (previews === UNKNOWN || previews === true) return;
        report(
            `Deployment settings for production stack ${targetOf(args.props)} do not preview pull requests ` +
                `(${vcs ? "previewPullRequests is not true" : "no vcs settings"}): a change would reach production unreviewed.`,
        );
    },
};

/** Does a preRunCommand run the pack itself (`pulumi preview ... --policy-pack <dir>`)? */
const runsPack = (commands: unknown) => strings(commands).some((c) => /\bpulumi\s+preview\b/.test(c) && /--policy-pack[\s=]\S/.test(c));

export const deploymentRunsPolicyPack: StackValidationPolicy = {
    name: "deployment-runs-policy-pack",
    description:
        "A production alerting stack deployed by Pulumi Deployments has the pack enforced: a preventative policy group of " +
        "this program lists the stack with the pack, or the deployment's preRunCommands run `pulumi preview --policy-pack`.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: productionSchema,
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        const config = args.getConfig<ProductionConfig>();
        const pack = config.pack ?? "prefect-alerting";
        const groups = args.resources.filter((r) => r.type === SERVICE_TYPE.policyGroup).map((r) => r.props);
        for (const settings of args.resources.filter((r) => r.type === SERVICE_TYPE.deploymentSettings)) {
            const p = settings.props;
            const stack = known(() => p.stack);
            if (stack === UNKNOWN || !productionStacks(config).includes(stack)) continue;
            if (runsPack(known(() => p.operationContext?.preRunCommands))) continue;
            const enforced = groups.some(
                (g) =>
                    g.mode === "preventative" &&
                    (g.entityType ?? "stacks") === "stacks" &&
                    (g.stacks ?? []).some((s: any) => s?.name === p.stack && s?.routingProject === p.project) &&
                    (g.policyPacks ?? []).some((pp: any) => pp?.name === pack),
            );
            if (!enforced)
                report(
                    `Production stack ${targetOf(p)} is deployed without the "${pack}" pack: add it to a preventative ` +
                        `policy group with the pack, or run "pulumi preview --policy-pack policy" in preRunCommands.`,
                    settings.urn,
                );
        }
    },
};

export const escEnvironmentSecret: ResourceValidationPolicy = {
    name: "esc-environment-yaml-secret",
    description:
        "An ESC environment declares yaml a secret output (additionalSecretOutputs): @pulumi/pulumiservice does not mark it, " +
        "and the definition holds the stack's webhook URLs and keys in clear before ESC encrypts them.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (args.type !== SERVICE_TYPE.environment) return;
        if (!(args.opts.additionalSecretOutputs ?? []).includes("yaml"))
            report(
                `ESC environment "${args.props.project ?? "default"}/${args.props.name ?? args.name}" does not list yaml in ` +
                    `additionalSecretOutputs: its secrets would be stored in the stack's state in plain text.`,
            );
    },
};

export const webhookUrlSecret: ResourceValidationPolicy = {
    name: "webhook-payload-url-secret",
    description:
        "A Pulumi Cloud webhook declares payloadUrl a secret output (additionalSecretOutputs): the SDK marks only the HMAC " +
        "secret, and a Slack incoming webhook URL lets anyone who reads it post to the channel.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (args.type !== SERVICE_TYPE.webhook) return;
        if (!(args.opts.additionalSecretOutputs ?? []).includes("payloadUrl"))
            report(
                `Webhook "${args.props.displayName ?? args.name}" does not list payloadUrl in additionalSecretOutputs: ` +
                    `the URL would be stored in plain text.`,
            );
    },
};

export const productionDriftDetection: StackValidationPolicy = {
    name: "production-drift-detection",
    description:
        "A production alerting stack deployed by Pulumi Deployments has a drift schedule: an automation disabled or a block " +
        "edited in the Prefect UI otherwise goes unnoticed until the alert it carries fails to arrive.",
    enforcementLevel: "advisory",
    severity: "medium",
    configSchema: productionSchema,
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        const config = args.getConfig<ProductionConfig>();
        const drift = args.resources.filter((r) => r.type === SERVICE_TYPE.driftSchedule).map((r) => targetOf(r.props));
        for (const settings of args.resources.filter((r) => r.type === SERVICE_TYPE.deploymentSettings)) {
            const stack = known(() => settings.props.stack);
            if (stack === UNKNOWN || !productionStacks(config).includes(stack)) continue;
            if (!drift.includes(targetOf(settings.props)))
                report(`Production stack ${targetOf(settings.props)} has no drift schedule: UI edits would go unnoticed.`, settings.urn);
        }
    },
};

export const deploymentPolicies = [
    deploymentPreviewsPullRequests,
    deploymentRunsPolicyPack,
    escEnvironmentSecret,
    webhookUrlSecret,
    productionDriftDetection,
];
