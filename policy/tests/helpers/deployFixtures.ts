import { SERVICE_TYPE } from "../../policies/deployments";
import type { EngineResource } from "./crossguard";
import { Baseline, SLACK_URL, secret } from "./fixtures";

/**
 * The deploy program's resources (deploy/, @pulumi/pulumiservice), written by
 * hand in the shapes it registers: a sound dev + prod set that passes every
 * policy, and corpus cases that each break one thing.
 */

const ORG = "acme-data";
const PROJECT = "prefect-alerting";
const urn = (type: string, name: string) =>
    `urn:pulumi:org::prefect-alerting-deploy::alerting-deploy:index:StackDeployment$${type}::${name}`;

function res(type: string, name: string, inputs: Record<string, unknown>, secretOutputs: string[] = []): EngineResource {
    return {
        type,
        name,
        urn: urn(type, name),
        inputs,
        outputs: { ...inputs, id: `${name}-id` },
        opts: { additionalSecretOutputs: secretOutputs },
        dependencies: [],
        propertyDependencies: {},
    };
}

export function deploymentSettings(stack: string, edit: (p: Record<string, any>) => void = () => {}): EngineResource {
    const props: Record<string, any> = {
        organization: ORG,
        project: PROJECT,
        stack,
        sourceContext: { git: { branch: "refs/heads/main", repoDir: "." } },
        vcs: {
            provider: "github",
            repository: "acme-data/prefect-alerting",
            deployCommits: true,
            previewPullRequests: true,
            pullRequestTemplate: false,
            paths: ["index.ts", `Pulumi.${stack}.yaml`],
        },
        operationContext: { options: { skipIntermediateDeployments: true } },
        cacheOptions: { enable: true },
    };
    edit(props);
    return res(SERVICE_TYPE.deploymentSettings, stack, props);
}

export const driftSchedule = (stack: string) =>
    res(SERVICE_TYPE.driftSchedule, stack, {
        organization: ORG,
        project: PROJECT,
        stack,
        scheduleCron: "0 */2 * * *",
        autoRemediate: false,
    });

export const webhook = (stack: string, secretOutputs = ["secret", "payloadUrl"]) =>
    res(
        SERVICE_TYPE.webhook,
        stack,
        {
            organizationName: ORG,
            projectName: PROJECT,
            stackName: stack,
            displayName: `${PROJECT}/${stack}: failed deployments and drift`,
            active: true,
            format: "slack",
            filters: ["deployment_failed", "update_failed", "drift_detected"],
            payloadUrl: secret(SLACK_URL),
        },
        secretOutputs,
    );

export const environment = (stack: string, secretOutputs = ["yaml"]) =>
    res(
        SERVICE_TYPE.environment,
        stack,
        {
            organization: ORG,
            project: PROJECT,
            name: stack,
            yaml: secret({ text: `values:\n  pulumiConfig:\n    alertsWebhookUrl:\n      fn::secret: ${SLACK_URL}\n` }),
        },
        secretOutputs,
    );

export function policyGroup(edit: (p: Record<string, any>) => void = () => {}): EngineResource {
    const props: Record<string, any> = {
        organizationName: ORG,
        name: "prefect-alerting",
        entityType: "stacks",
        mode: "preventative",
        stacks: [
            { name: "dev", routingProject: PROJECT },
            { name: "prod", routingProject: PROJECT },
            { name: "org", routingProject: "prefect-alerting-deploy" },
        ],
        policyPacks: [{ name: "prefect-alerting", versionTag: "0.1.0", config: {} }],
    };
    edit(props);
    return {
        ...res(SERVICE_TYPE.policyGroup, "prefect-alerting", props),
        urn: `urn:pulumi:org::prefect-alerting-deploy::${SERVICE_TYPE.policyGroup}::group`,
    };
}

/** A sound deploy stack for dev and prod, minus the resources `without` names, with `replace` swapped in. */
export function deployStack(replace: EngineResource[] = [], without: string[] = []): EngineResource[] {
    const all = [policyGroup(), ...["dev", "prod"].flatMap((s) => [environment(s), deploymentSettings(s), driftSchedule(s), webhook(s)])];
    const swapped = all.map((r) => replace.find((x) => x.urn === r.urn) ?? r);
    return swapped.filter((r) => !without.includes(r.urn));
}

/** Cases for the pack's corpus: the alerting baseline plus the deploy stack with one thing broken. */
export const deploymentCases: { name: string; build: (b: Baseline) => EngineResource[]; reports: string[] }[] = [
    {
        name: "deploy: production deployment settings without pull request previews",
        build: (b) => [...b.resources, ...deployStack([deploymentSettings("prod", (p) => (p.vcs.previewPullRequests = false))])],
        reports: ["deployment-previews-pull-requests"],
    },
    {
        name: "deploy: production stack in no policy group and no preRun pack",
        build: (b) => [...b.resources, ...deployStack([policyGroup((p) => (p.stacks = [{ name: "dev", routingProject: PROJECT }]))])],
        reports: ["deployment-runs-policy-pack"],
    },
    {
        name: "deploy: ESC environment yaml not a secret output",
        build: (b) => [...b.resources, ...deployStack([environment("prod", [])])],
        reports: ["esc-environment-yaml-secret"],
    },
    {
        name: "deploy: failure webhook with payloadUrl not a secret output",
        build: (b) => [...b.resources, ...deployStack([webhook("dev", ["secret"])])],
        reports: ["webhook-payload-url-secret"],
    },
    {
        name: "deploy: production stack without a drift schedule",
        build: (b) => [...b.resources, ...deployStack([], [driftSchedule("prod").urn])],
        reports: ["production-drift-detection"],
    },
];
