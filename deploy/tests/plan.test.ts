import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDeployConfig, PROJECT } from "../config";
import { FAILURE_FILTERS, packConfig, planDeployments, planStack, watchedPaths } from "../plan";
import { SECRET_CONFIG, stackValues } from "./helpers/run";

const REPO = resolve(__dirname, "..", "..");
const cfgOf = (values = stackValues()) =>
    parseDeployConfig({ stack: "org", values, secretKeys: new Set(SECRET_CONFIG), packVersion: "0.1.0" });
const withKey = (key: string, value: unknown) => ({ ...stackValues(), [`${PROJECT}:${key}`]: JSON.stringify(value) });

describe("planStack (the committed org stack)", () => {
    const cfg = cfgOf();

    it("prod: up on push to main, preview on pull requests, this project's paths and its own stack file only", () => {
        const prod = planStack(cfg, "prod");
        expect(prod.production).toBe(true);
        expect(prod.settings).toMatchObject({
            organization: "acme-data",
            project: "prefect-alerting",
            stack: "prod",
            sourceContext: { git: { branch: "refs/heads/main", repoDir: "." } },
            vcs: { provider: "github", repository: "acme-data/prefect-alerting", deployCommits: true, previewPullRequests: true },
        });
        expect(prod.settings.vcs.paths).toContain("Pulumi.prod.yaml");
        expect(prod.settings.vcs.paths).not.toContain("Pulumi.dev.yaml");
        expect(prod.settings.vcs.paths.some((p) => /^(tests|deploy|scripts|examples)\//.test(p) || p.endsWith(".md"))).toBe(false);
        expect(prod.settings.operationContext.oidc).toEqual({
            aws: { roleARN: "arn:aws:iam::123456789012:role/prefect-alerting-deployments", sessionName: "prefect-alerting-prod" },
        });
        // With a policy group the deployment runs no gate of its own.
        expect(prod.settings.operationContext.preRunCommands).toBeUndefined();
    });

    it("drift schedule and webhook per stack, from the stack's config", () => {
        expect(planStack(cfg, "prod").drift).toEqual({
            organization: "acme-data",
            project: "prefect-alerting",
            stack: "prod",
            scheduleCron: "0 */2 * * *",
            autoRemediate: true,
        });
        expect(planStack(cfg, "dev").drift).toMatchObject({ scheduleCron: "0 6 * * *", autoRemediate: false });
        expect(planStack(cfg, "dev").webhook).toEqual({
            organizationName: "acme-data",
            projectName: "prefect-alerting",
            stackName: "dev",
            displayName: "prefect-alerting/dev: failed deployments and drift -> #data-platform-deploys",
            active: true,
            format: "slack",
            filters: ["deployment_failed", "update_failed", "drift_detected", "drift_detection_failed", "drift_remediation_failed"],
        });
        expect(planStack(cfg, "dev").environment).toEqual({
            organization: "acme-data",
            project: "prefect-alerting",
            name: "dev",
            ref: "prefect-alerting/dev",
        });
    });

    it("failure filters never include success or queue events (the channel hears only what needs a person)", () => {
        for (const f of FAILURE_FILTERS) expect(f).toMatch(/(failed|drift_detected)$/);
    });

    it("one policy group, preventative, holding every alerting stack and this program's own stack, with the production stacks", () => {
        const plan = planDeployments(cfg);
        expect(plan.stacks.map((s) => s.stack)).toEqual(["dev", "prod"]);
        expect(plan.policyGroup).toEqual({
            organizationName: "acme-data",
            name: "prefect-alerting",
            entityType: "stacks",
            mode: "preventative",
            stacks: [
                { name: "dev", routingProject: "prefect-alerting" },
                { name: "prod", routingProject: "prefect-alerting" },
                { name: "org", routingProject: "prefect-alerting-deploy" },
            ],
            policyPacks: [{ name: "prefect-alerting", versionTag: "0.1.0", config: packConfig(cfg) }],
        });
        expect(packConfig(cfg)["production-pages-on-call"]).toEqual({ productionStacks: ["prod"] });
    });

    it("preRun enforcement: no group, and each deployment previews with the pack before it runs", () => {
        const plan = planDeployments(cfgOf(withKey("policy", { enforcement: "preRun" })));
        expect(plan.policyGroup).toBeUndefined();
        for (const s of plan.stacks)
            expect(s.settings.operationContext.preRunCommands).toEqual([
                `pulumi preview --stack acme-data/prefect-alerting/${s.stack} --policy-pack policy --non-interactive`,
            ]);
    });

    it("deployOnPush false keeps previews and drift but deploys nothing on push", () => {
        const stacks = { ...JSON.parse(stackValues()[`${PROJECT}:stacks`]), dev: { deployOnPush: false } };
        const dev = planStack(cfgOf(withKey("stacks", stacks)), "dev");
        expect(dev.settings.vcs).toMatchObject({ deployCommits: false, previewPullRequests: true });
        expect(dev.production).toBe(false);
    });
});

describe("watchedPaths", () => {
    it("prefixes a repoDir", () => {
        expect(watchedPaths("dev", "infra/alerting/")).toContain("infra/alerting/Pulumi.dev.yaml");
        expect(watchedPaths("dev", "./")).toContain("index.ts");
    });

    it("covers every file the alerting program loads (the import closure of index.ts) and its stack files", () => {
        const matches = (file: string, stack: string) =>
            watchedPaths(stack, ".").some((p) => (p.endsWith("/**") ? file.startsWith(p.slice(0, -2)) : file === p));
        const seen = new Set<string>();
        const visit = (file: string) => {
            if (seen.has(file)) return;
            seen.add(file);
            const text = readFileSync(file, "utf8");
            for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)["'](\.{1,2}\/[^"']+)["']/g)) {
                const base = resolve(dirname(file), m[1]);
                const target = [`${base}.ts`, join(base, "index.ts"), base].find((f) => existsSync(f) && f.endsWith(".ts"));
                if (target) visit(target);
            }
        };
        visit(join(REPO, "index.ts"));
        expect(seen.size).toBeGreaterThan(10);
        const missed = [...seen].map((f) => relative(REPO, f)).filter((f) => !matches(f, "prod"));
        expect(missed).toEqual([]);
        for (const f of ["Pulumi.yaml", "package.json", "package-lock.json", "Pulumi.prod.yaml"]) expect(matches(f, "prod"), f).toBe(true);
    });
});
