import { describe, expect, it } from "vitest";
import { policies } from "../policies";
import { policyNames, runPolicies, UNKNOWN_STRING } from "./helpers/crossguard";
import { deploymentCases, deploymentSettings, deployStack, driftSchedule, policyGroup } from "./helpers/deployFixtures";
import { baseline } from "./helpers/fixtures";

/** The deploy program's policies (policies/deployments.ts) on hand-built pulumiservice resources. */
describe("deploy stack policies", () => {
    it("a sound deploy stack (dev and prod) passes every policy of the pack", async () => {
        expect((await runPolicies(policies, deployStack())).violations).toEqual([]);
    });

    it.each(deploymentCases.map((c) => [c.name, c] as const))("%s", async (_, c) => {
        const result = await runPolicies(policies, c.build(baseline()));
        expect(policyNames(result.violations)).toEqual(c.reports);
        expect(result.violations.every((v) => !JSON.stringify(v).includes("hooks.slack.com"))).toBe(true);
    });

    it("a development stack may skip PR previews, the policy group and drift detection", async () => {
        const dev = deploymentSettings("dev", (p) => (p.vcs.previewPullRequests = false));
        const group = policyGroup((p) => (p.stacks = p.stacks.filter((s: { name: string }) => s.name !== "dev")));
        const result = await runPolicies(policies, deployStack([dev, group], [driftSchedule("dev").urn]));
        expect(result.violations).toEqual([]);
    });

    it("the deprecated github block counts like vcs", async () => {
        const prod = deploymentSettings("prod", (p) => {
            p.github = { ...p.vcs, previewPullRequests: false };
            delete p.vcs;
        });
        expect(policyNames((await runPolicies(policies, deployStack([prod]))).violations)).toEqual(["deployment-previews-pull-requests"]);
    });

    it("a preRunCommand that runs the pack enforces it without a policy group; one that does not, does not", async () => {
        const preRun = (cmd: string) => deploymentSettings("prod", (p) => (p.operationContext.preRunCommands = ["npm ci", cmd]));
        const noGroup = [policyGroup().urn];
        const gated = deployStack([preRun("pulumi preview --stack acme-data/prefect-alerting/prod --policy-pack policy")], noGroup);
        expect((await runPolicies(policies, gated)).violations).toEqual([]);
        const notGated = deployStack([preRun("pulumi preview --stack acme-data/prefect-alerting/prod")], noGroup);
        expect(policyNames((await runPolicies(policies, notGated)).violations)).toEqual(["deployment-runs-policy-pack"]);
    });

    it("an audit-mode group, or one without the pack, does not enforce it", async () => {
        for (const edit of [(p: any) => (p.mode = "audit"), (p: any) => (p.policyPacks = [{ name: "other-pack" }])]) {
            const result = await runPolicies(policies, deployStack([policyGroup(edit)]));
            expect(policyNames(result.violations)).toEqual(["deployment-runs-policy-pack"]);
        }
    });

    it("productionStacks config decides which stacks are production", async () => {
        const stack = deployStack([deploymentSettings("dev", (p) => (p.vcs.previewPullRequests = false))], [driftSchedule("dev").urn]);
        expect((await runPolicies(policies, stack)).violations).toEqual([]);
        const config = Object.fromEntries(
            ["deployment-previews-pull-requests", "production-drift-detection"].map((n) => [n, { productionStacks: ["dev", "prod"] }]),
        );
        const result = await runPolicies(policies, stack, { config });
        expect(policyNames(result.violations)).toEqual(["deployment-previews-pull-requests", "production-drift-detection"]);
    });

    it("a target stack unknown during preview is not judged", async () => {
        const unknown = deploymentSettings("prod", (p) => {
            p.stack = UNKNOWN_STRING;
            p.vcs.previewPullRequests = false;
        });
        const result = await runPolicies(policies, deployStack([unknown], [driftSchedule("prod").urn]));
        expect(result.violations).toEqual([]);
    });
});
