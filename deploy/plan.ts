import { PROJECT, type DeployConfig, type StackSettings } from "./config";

/**
 * What to declare, as plain data: one entry per alerting stack (its deployment
 * settings, drift schedule, failure webhook and ESC environment) and the
 * policy group. index.ts only turns this into resources.
 */

/**
 * The alerting program's own files, relative to its Pulumi.yaml. A push that touches none of them (tests, docs,
 * benchmarks, this deploy program) deploys nothing; each stack also watches its own stack file only.
 */
export const PROGRAM_PATHS = [
    "index.ts",
    "Pulumi.yaml",
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    "alert/**",
    "channels/**",
    "components/**",
    "config/**",
    "prefect/**",
    "rules/**",
    "signals/**",
    "sdks/prefect/**",
    // A pack run by the deployment (preRun) changes what passes; with a policy group it is harmless (a no-op update).
    "policy/**",
] as const;

/** Pulumi Cloud events that post to Slack: a failed deployment or update, and every drift outcome that needs a person. */
export const FAILURE_FILTERS = [
    "deployment_failed",
    "update_failed",
    "drift_detected",
    "drift_detection_failed",
    "drift_remediation_failed",
] as const;

export interface SettingsPlan {
    organization: string;
    project: string;
    stack: string;
    sourceContext: { git: { branch: string; repoDir: string } };
    vcs: {
        provider: "github";
        repository: string;
        deployCommits: boolean;
        previewPullRequests: true;
        pullRequestTemplate: false;
        paths: string[];
    };
    operationContext: {
        preRunCommands?: string[];
        options: { skipIntermediateDeployments: true };
        oidc?: { aws: { roleARN: string; sessionName: string } };
    };
    cacheOptions: { enable: true };
}

export interface StackPlan {
    stack: string;
    production: boolean;
    settings: SettingsPlan;
    drift: { organization: string; project: string; stack: string; scheduleCron: string; autoRemediate: boolean };
    webhook: {
        organizationName: string;
        projectName: string;
        stackName: string;
        displayName: string;
        active: true;
        format: "slack";
        /** Typed by the constant: the SDK's WebhookFilters enum checks each name at compile time. */
        filters: (typeof FAILURE_FILTERS)[number][];
    };
    environment: { organization: string; project: string; name: string; ref: string };
}

export interface PolicyGroupPlan {
    organizationName: string;
    name: string;
    entityType: "stacks";
    mode: "preventative";
    stacks: { name: string; routingProject: string }[];
    policyPacks: { name: string; versionTag: string; config: Record<string, Record<string, unknown>> }[];
}

export interface DeployPlan {
    stacks: StackPlan[];
    policyGroup?: PolicyGroupPlan;
}

/** The paths whose change deploys `stack`: the program's files and its own stack file, under repoDir. */
export function watchedPaths(stack: string, repoDir: string): string[] {
    const base = repoDir.replace(/^\.\/?/, "").replace(/\/+$/, "");
    return [...PROGRAM_PATHS, `Pulumi.${stack}.yaml`].map((p) => (base ? `${base}/${p}` : p));
}

/** The gate a deployment runs before `pulumi up` / `pulumi preview` when no policy group enforces the pack. */
export function policyPreRun(cfg: DeployConfig, stack: string): string {
    return `pulumi preview --stack ${cfg.organization}/${cfg.alertingProject}/${stack} --policy-pack policy --non-interactive`;
}

export const isProduction = (s: StackSettings) => s.environment === "production";

export function planStack(cfg: DeployConfig, stack: string): StackPlan {
    const s = cfg.stacks[stack];
    const target = { organization: cfg.organization, project: cfg.alertingProject, stack };
    return {
        stack,
        production: isProduction(s),
        settings: {
            ...target,
            sourceContext: { git: { branch: `refs/heads/${cfg.branch}`, repoDir: cfg.repoDir } },
            vcs: {
                provider: "github",
                repository: cfg.repository,
                deployCommits: s.deployOnPush,
                previewPullRequests: true,
                // A PR previews the real stack; no review stack is created per PR (it would create real automations).
                pullRequestTemplate: false,
                paths: watchedPaths(stack, cfg.repoDir),
            },
            operationContext: {
                ...(cfg.policy.enforcement === "preRun" ? { preRunCommands: [policyPreRun(cfg, stack)] } : {}),
                // Ten quick pushes deploy the last commit once.
                options: { skipIntermediateDeployments: true },
                ...(s.awsRoleArn ? { oidc: { aws: { roleARN: s.awsRoleArn, sessionName: `${cfg.alertingProject}-${stack}` } } } : {}),
            },
            cacheOptions: { enable: true },
        },
        drift: { ...target, scheduleCron: s.drift.cron, autoRemediate: s.drift.autoRemediate },
        webhook: {
            organizationName: cfg.organization,
            projectName: cfg.alertingProject,
            stackName: stack,
            displayName: `${cfg.alertingProject}/${stack}: failed deployments and drift -> ${cfg.slackChannel}`,
            active: true,
            format: "slack",
            filters: [...FAILURE_FILTERS],
        },
        environment: {
            organization: cfg.organization,
            project: cfg.escProject,
            name: stack,
            ref: `${cfg.escProject}/${stack}`,
        },
    };
}

/** The pack's config for the group: the policies that ask "is this production?" get the production stacks by name. */
export function packConfig(cfg: DeployConfig): Record<string, Record<string, unknown>> {
    const production = Object.keys(cfg.stacks).filter((s) => isProduction(cfg.stacks[s]));
    if (production.length === 0) return {};
    const productionStacks = { productionStacks: production };
    return {
        "production-pages-on-call": productionStacks,
        "deployment-previews-pull-requests": productionStacks,
        "deployment-runs-policy-pack": productionStacks,
        "production-drift-detection": productionStacks,
    };
}

export function planDeployments(cfg: DeployConfig): DeployPlan {
    const stacks = Object.keys(cfg.stacks)
        .sort()
        .map((s) => planStack(cfg, s));
    if (cfg.policy.enforcement !== "policyGroup") return { stacks };
    return {
        stacks,
        policyGroup: {
            organizationName: cfg.organization,
            name: cfg.policy.groupName,
            entityType: "stacks",
            // Preventative: a mandatory violation stops the preview or update (audit would only report it).
            mode: "preventative",
            stacks: [
                ...stacks.map((s) => ({ name: s.stack, routingProject: cfg.alertingProject })),
                // This program's own stack: the pack's deployment policies judge these very resources.
                { name: cfg.stack, routingProject: PROJECT },
            ],
            policyPacks: [{ name: cfg.policy.pack, versionTag: cfg.policy.versionTag, config: packConfig(cfg) }],
        },
    };
}
