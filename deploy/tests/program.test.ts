import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { DeployRun, ESC_SECRETS, SENTINEL, SLACK_URL, isSecretMarker, ofType, plain, runDeploy, stackValues } from "./helpers/run";

const T = {
    settings: "pulumiservice:index:DeploymentSettings",
    drift: "pulumiservice:index:DriftSchedule",
    webhook: "pulumiservice:index:Webhook",
    environment: "pulumiservice:index:Environment",
    group: "pulumiservice:index:PolicyGroup",
    component: "alerting-deploy:index:StackDeployment",
};

let run: DeployRun;
beforeAll(async () => {
    run = await runDeploy(stackValues());
});

describe("deploy program, org stack, under mocks", () => {
    it("one StackDeployment per alerting stack, each with one of every resource, and one policy group", () => {
        const count = (type: string) => ofType(run, type).length;
        expect(ofType(run, T.component).map((r) => r.name)).toEqual(["dev", "prod"]);
        for (const type of [T.settings, T.drift, T.webhook, T.environment]) {
            expect(count(type), type).toBe(2);
            for (const r of ofType(run, type)) expect(r.parent).toBe(ofType(run, T.component).find((c) => c.name === r.name)!.urn);
        }
        expect(count(T.group)).toBe(1);
        expect(run.resources).toHaveLength(2 * 5 + 1);
    });

    it("deployment settings: up on push, preview on PRs, limited to this project's paths", () => {
        const prod = plain(ofType(run, T.settings).find((r) => r.name === "prod")!.inputs);
        expect(prod).toMatchObject({ organization: "acme-data", project: "prefect-alerting", stack: "prod" });
        expect(prod.vcs).toMatchObject({
            provider: "github",
            repository: "acme-data/prefect-alerting",
            deployCommits: true,
            previewPullRequests: true,
        });
        expect(prod.vcs.paths).toContain("Pulumi.prod.yaml");
        expect(prod.vcs.paths).toContain("rules/**");
        expect(prod.vcs.paths).not.toContain("Pulumi.dev.yaml");
        expect(prod.sourceContext).toEqual({ git: { branch: "refs/heads/main", repoDir: "." } });
        expect(prod.operationContext.oidc.aws.roleARN).toMatch(/^arn:aws:iam::\d{12}:role\//);
    });

    it("the ESC environment's yaml reaches the engine secret, is declared a secret output, and holds the stack's secrets", () => {
        for (const env of ofType(run, T.environment)) {
            expect(isSecretMarker(env.inputs.yaml), env.name).toBe(true);
            expect(env.additionalSecretOutputs).toContain("yaml");
            const text = plain(env.inputs.yaml).text as string;
            const values = parse(text).values.pulumiConfig;
            const expected = ESC_SECRETS[env.name as keyof typeof ESC_SECRETS];
            expect(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, (v as Record<string, string>)["fn::secret"]]))).toEqual(
                expected,
            );
            expect(plain(env.inputs)).toMatchObject({ organization: "acme-data", project: "prefect-alerting", name: env.name });
        }
        // dev's environment never carries prod's secrets.
        const dev = plain(ofType(run, T.environment).find((r) => r.name === "dev")!.inputs.yaml).text as string;
        for (const v of [SENTINEL.prodSlack, SENTINEL.prodCritical, SENTINEL.pdToken]) expect(dev).not.toContain(v);
    });

    it("the webhook posts failures and drift to Slack, its URL secret on the wire and as an output", () => {
        for (const hook of ofType(run, T.webhook)) {
            expect(isSecretMarker(hook.inputs.payloadUrl)).toBe(true);
            expect(plain(hook.inputs.payloadUrl)).toBe(SLACK_URL);
            expect(hook.additionalSecretOutputs).toEqual(expect.arrayContaining(["payloadUrl", "secret"]));
            expect(plain(hook.inputs)).toMatchObject({
                format: "slack",
                active: true,
                stackName: hook.name,
                projectName: "prefect-alerting",
            });
            expect(plain(hook.inputs).filters).toEqual(expect.arrayContaining(["deployment_failed", "drift_detected"]));
        }
    });

    it("drift detection per stack; prod remediates, dev only reports", () => {
        const drift = Object.fromEntries(ofType(run, T.drift).map((r) => [r.name, plain(r.inputs)]));
        expect(drift.prod).toMatchObject({ stack: "prod", scheduleCron: "0 */2 * * *", autoRemediate: true });
        expect(drift.dev).toMatchObject({ stack: "dev", scheduleCron: "0 6 * * *", autoRemediate: false });
    });

    it("the policy group: preventative, both alerting stacks and this stack, the pack at policy/package.json's version", () => {
        const packVersion = JSON.parse(readFileSync(join(__dirname, "..", "..", "policy", "package.json"), "utf8")).version;
        const group = plain(ofType(run, T.group)[0].inputs);
        expect(group.mode).toBe("preventative");
        expect(group.stacks.map((s: { name: string }) => s.name)).toEqual(["dev", "prod", "org"]);
        expect(group.policyPacks[0]).toMatchObject({ name: "prefect-alerting", versionTag: packVersion });
    });

    it("no secret value appears anywhere unwrapped: not in another input, not in an output, not in the stack outputs", () => {
        const leaks = (v: unknown): boolean => {
            if (isSecretMarker(v)) return false;
            if (typeof v === "string") return Object.values(SENTINEL).some((s) => v.includes(s)) || v.includes(SLACK_URL);
            if (Array.isArray(v)) return v.some(leaks);
            if (typeof v === "object" && v !== null) return Object.values(v).some(leaks);
            return false;
        };
        for (const r of run.resources) expect(leaks(r.inputs), `${r.type} ${r.name}`).toBe(false);
        expect(leaks(run.outputs)).toBe(false);
        expect(run.outputs.environments).toEqual({
            dev: { ref: "prefect-alerting/dev", stackFile: "environment:\n  - prefect-alerting/dev\n" },
            prod: { ref: "prefect-alerting/prod", stackFile: "environment:\n  - prefect-alerting/prod\n" },
        });
    });
});
