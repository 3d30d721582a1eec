import { describe, expect, it } from "vitest";
import { ConfigError, parseDeployConfig, PROJECT } from "../config";
import { ESC_SECRETS, SECRET_CONFIG, SENTINEL, stackValues } from "./helpers/run";

const k = (key: string) => `${PROJECT}:${key}`;
// null: no policy/package.json version to default to.
const parse = (values: Record<string, string>, secretKeys = SECRET_CONFIG, packVersion: string | null = "0.1.0") =>
    parseDeployConfig({ stack: "org", values, secretKeys: new Set(secretKeys), packVersion: packVersion ?? undefined });
const set = (key: string, value: unknown) => ({ ...stackValues(), [k(key)]: typeof value === "string" ? value : JSON.stringify(value) });
const without = (key: string) => Object.fromEntries(Object.entries(stackValues()).filter(([x]) => x !== k(key)));
const stacks = () => JSON.parse(stackValues()[k("stacks")]);

function errorOf(fn: () => unknown): ConfigError {
    try {
        fn();
    } catch (e) {
        if (e instanceof ConfigError) return e;
        throw e;
    }
    throw new Error("no ConfigError");
}

describe("parseDeployConfig", () => {
    it("reads the committed org stack with its defaults", () => {
        const cfg = parse(stackValues());
        expect(cfg).toMatchObject({
            organization: "acme-data",
            repository: "acme-data/prefect-alerting",
            branch: "main",
            alertingProject: "prefect-alerting",
            repoDir: ".",
            escProject: "prefect-alerting",
            stack: "org",
            policy: { enforcement: "policyGroup", pack: "prefect-alerting", versionTag: "0.1.0", groupName: "prefect-alerting" },
        });
        expect(cfg.stacks.dev).toEqual({
            environment: "development",
            deployOnPush: true,
            drift: { cron: "0 6 * * *", autoRemediate: false },
        });
        expect(cfg.stacks.prod.environment).toBe("production");
    });

    const bad: [string, () => Record<string, string>, string, RegExp][] = [
        ["no organization", () => without("organization"), "organization", /organization name|expected string/],
        ["repository not owner/repo", () => set("repository", "https://github.com/acme/x"), "repository", /owner\/repo/],
        ["a branch written as a ref", () => set("branch", "refs/heads/main"), "branch", /without refs\/heads/],
        ["a typo in a stack's keys", () => set("stacks", { ...stacks(), dev: { enviroment: "development" } }), "stacks.dev", /enviroment/],
        [
            "an unknown environment",
            () => set("stacks", { ...stacks(), dev: { environment: "prd" } }),
            "stacks.dev.environment",
            /production/,
        ],
        ["a four-field cron", () => set("stacks", { ...stacks(), dev: { drift: { cron: "0 6 * *" } } }), "stacks.dev.drift.cron", /cron/],
        [
            "a role that is not an IAM role ARN",
            () => set("stacks", { ...stacks(), prod: { awsRoleArn: "prefect" } }),
            "stacks.prod.awsRoleArn",
            /ARN/,
        ],
        ["no stacks", () => set("stacks", {}), "stacks", /at least one/],
        ["a Slack channel without #", () => set("slackChannel", "deploys"), "slackChannel", /#/],
        ["an unknown enforcement", () => set("policy", { enforcement: "crossguard" }), "policy.enforcement", /policyGroup/],
        ["no deploy webhook", () => without("deployWebhookUrl"), "deployWebhookUrl", /--secret/],
        [
            "a webhook that is not Slack's",
            () => set("deployWebhookUrl", "https://example.com/hook"),
            "deployWebhookUrl",
            /hooks\.slack\.com/,
        ],
        ["secrets for a stack not listed", () => set("escSecrets", { ...ESC_SECRETS, stage: { a: "b" } }), "escSecrets.stage", /no such/],
        ["a listed stack without secrets", () => set("escSecrets", { dev: ESC_SECRETS.dev }), "escSecrets.prod", /at least one/],
        [
            "a config key ESC cannot place",
            () => set("escSecrets", { ...ESC_SECRETS, dev: { "a b": "x" } }),
            "escSecrets.dev",
            /namespace:name/,
        ],
        [
            "an empty value",
            () => set("escSecrets", { ...ESC_SECRETS, dev: { alertsWebhookUrl: " " } }),
            "escSecrets.dev.alertsWebhookUrl",
            /non-empty/,
        ],
        [
            "a value ESC would interpolate",
            () => set("escSecrets", { ...ESC_SECRETS, dev: { "prefect:apiKey": "pnu_${x}" } }),
            "escSecrets.dev.prefect:apiKey",
            /interpolate/,
        ],
    ];

    it.each(bad)("%s: one ConfigError naming the key", (_, values, key, expected) => {
        const e = errorOf(() => parse(values()));
        expect(e.stack).toBe("org");
        expect(e.key).toBe(k(key));
        expect(e.message).toMatch(expected);
        expect(e.message).toMatch(/^Invalid configuration for stack "org": prefect-alerting-deploy:/);
    });

    it("a secret key set without --secret is refused, naming the command", () => {
        for (const key of ["deployWebhookUrl", "escSecrets"]) {
            const e = errorOf(() =>
                parse(
                    stackValues(),
                    SECRET_CONFIG.filter((s) => s !== k(key)),
                ),
            );
            expect(e.key).toBe(k(key));
            expect(e.message).toContain("pulumi config set --secret");
        }
    });

    it("a policy group needs the pack's version: from policy/package.json, or policy.versionTag", () => {
        expect(errorOf(() => parse(stackValues(), SECRET_CONFIG, null)).key).toBe(k("policy.versionTag"));
        expect(parse(set("policy", { versionTag: "1.2.0" }), SECRET_CONFIG, null).policy.versionTag).toBe("1.2.0");
        expect(parse(set("policy", { enforcement: "preRun" }), SECRET_CONFIG, null).policy.enforcement).toBe("preRun");
    });

    it("no error message carries a secret value", () => {
        const leaky = { ...ESC_SECRETS, dev: { ...ESC_SECRETS.dev, "bad key": SENTINEL.devSlack } };
        const e = errorOf(() => parse(set("escSecrets", leaky)));
        for (const v of Object.values(SENTINEL)) expect(e.message).not.toContain(v);
    });
});
