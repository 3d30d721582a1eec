import { z } from "zod";

/** The deploy program's config namespace (its Pulumi project name). */
export const PROJECT = "prefect-alerting-deploy";

/** One message naming the stack, the key and the expected form; never a secret's value. */
export class ConfigError extends Error {
    constructor(
        readonly stack: string,
        readonly key: string,
        readonly expected: string,
    ) {
        super(`Invalid configuration for stack "${stack}": ${key}: expected ${expected}.`);
        this.name = "ConfigError";
    }
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const SLACK_URL = /^https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9]+\/[A-Za-z0-9]+\/[A-Za-z0-9]+$/;
/** A key of the alerting program's config as ESC's pulumiConfig takes it: `name` (its own project) or `namespace:name`. */
const CONFIG_KEY = /^([a-z][a-z0-9-]*:)?[A-Za-z][A-Za-z0-9_]*$/;
// Five-field cron, each field from cron's own alphabet; Pulumi Cloud parses the rest.
const CRON = /^(\S+\s+){4}\S+$/;

const stackSchema = z
    .object({
        environment: z.enum(["development", "staging", "production"]).default("development"),
        /** `pulumi up` on every push to the branch (false: only previews and drift checks run). */
        deployOnPush: z.boolean().default(true),
        drift: z
            .object({
                cron: z.string().regex(CRON, "a five-field cron expression such as 0 */6 * * *").default("0 */6 * * *"),
                autoRemediate: z.boolean().default(false),
            })
            .strict()
            .default({ cron: "0 */6 * * *", autoRemediate: false }),
        /** An IAM role the deployment assumes through Pulumi's OIDC issuer (a stack that mirrors secrets to AWS needs one). */
        awsRoleArn: z
            .string()
            .regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/, "an IAM role ARN (arn:aws:iam::<12 digits>:role/<name>)")
            .optional(),
    })
    .strict();

const schema = z
    .object({
        organization: z.string().regex(NAME, "a Pulumi Cloud organization name"),
        repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "owner/repo"),
        branch: z
            .string()
            .regex(/^[A-Za-z0-9._/-]+$/, "a branch name such as main")
            .refine((b) => !b.startsWith("refs/"), "a branch name without refs/heads/")
            .default("main"),
        alertingProject: z.string().regex(NAME, "a Pulumi project name").default("prefect-alerting"),
        /** Where the alerting program's Pulumi.yaml sits, relative to the repository root. */
        repoDir: z.string().default("."),
        escProject: z.string().regex(NAME, "an ESC project name").default("prefect-alerting"),
        slackChannel: z.string().regex(/^#[a-z0-9][a-z0-9_-]*$/, "a Slack channel such as #data-platform-deploys"),
        policy: z
            .object({
                /** `policyGroup`: a preventative Pulumi Cloud policy group; `preRun`: the deployment runs the pack itself. */
                enforcement: z.enum(["policyGroup", "preRun"]).default("policyGroup"),
                pack: z.string().regex(NAME, "a policy pack name").default("prefect-alerting"),
                versionTag: z
                    .string()
                    .regex(/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/, "the pack's published version (policy/package.json)")
                    .optional(),
                groupName: z.string().regex(NAME, "a policy group name").default("prefect-alerting"),
            })
            .strict()
            .default({ enforcement: "policyGroup", pack: "prefect-alerting", groupName: "prefect-alerting" }),
        stacks: z
            .record(z.string().regex(/^[a-z][a-z0-9-]*$/, "stack names of lower-case letters, digits and -"), stackSchema)
            .refine((s) => Object.keys(s).length > 0, "at least one alerting stack"),
    })
    .strict();

export type StackSettings = z.infer<typeof stackSchema>;
export type DeployConfig = z.infer<typeof schema> & {
    /** The deploy program's own stack (it joins the policy group, so the pack judges these resources too). */
    stack: string;
    policy: { versionTag: string };
};

/** The secret keys: read only to validate their form; the program passes them on as Pulumi secrets. */
export const SECRET_KEYS = ["deployWebhookUrl", "escSecrets"] as const;

export interface RawConfig {
    stack: string;
    /** Full keys (`prefect-alerting-deploy:stacks`) to raw strings, as Pulumi hands them over. */
    values: Record<string, string>;
    secretKeys: Set<string>;
    /** The pack's version in policy/package.json, the default for policy.versionTag. */
    packVersion?: string;
}

const full = (key: string) => `${PROJECT}:${key}`;

function json(raw: string): unknown {
    try {
        return JSON.parse(raw);
    } catch {
        return raw;
    }
}

/** Validates the deploy stack's whole config before any resource exists: one ConfigError for the first problem. */
export function parseDeployConfig(raw: RawConfig): DeployConfig {
    const input: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw.values)) {
        if (!key.startsWith(`${PROJECT}:`)) continue;
        const name = key.slice(PROJECT.length + 1);
        if ((SECRET_KEYS as readonly string[]).includes(name)) continue;
        input[name] = json(value);
    }
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const path = issue.path.map(String).join(".");
        const expected = issue.code === "unrecognized_keys" ? `no key ${issue.keys.map((k) => `"${k}"`).join(", ")}` : issue.message;
        throw new ConfigError(raw.stack, full(path || "(root)"), expected);
    }
    const cfg = parsed.data;
    const versionTag = cfg.policy.versionTag ?? raw.packVersion;
    if (cfg.policy.enforcement === "policyGroup" && !versionTag)
        throw new ConfigError(raw.stack, full("policy.versionTag"), "the pack's published version, e.g. 0.1.0");
    checkSecrets(raw, Object.keys(cfg.stacks));
    return { ...cfg, stack: raw.stack, policy: { ...cfg.policy, versionTag: versionTag ?? "" } };
}

function checkSecrets(raw: RawConfig, stacks: string[]): void {
    const fail = (key: string, expected: string) => {
        throw new ConfigError(raw.stack, full(key), expected);
    };
    for (const key of SECRET_KEYS) {
        if (!(full(key) in raw.values)) fail(key, `a secret value (pulumi config set --secret ${key} ...)`);
        if (!raw.secretKeys.has(full(key))) fail(key, `a secret: set it again with pulumi config set --secret`);
    }
    if (!SLACK_URL.test(raw.values[full("deployWebhookUrl")]))
        fail("deployWebhookUrl", "a Slack incoming webhook URL (https://hooks.slack.com/services/...)");

    const secrets = json(raw.values[full("escSecrets")]);
    if (!isRecord(secrets)) fail("escSecrets", "an object of alerting stack -> { config key: value }");
    const bag = secrets as Record<string, unknown>;
    for (const name of Object.keys(bag))
        if (!stacks.includes(name)) fail(`escSecrets.${name}`, `one of the stacks ${stacks.join(", ")} (no such alerting stack)`);
    for (const name of stacks) {
        const values = bag[name];
        if (!isRecord(values) || Object.keys(values).length === 0)
            fail(`escSecrets.${name}`, "the stack's secret config keys and values (at least one)");
        for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
            if (!CONFIG_KEY.test(key)) fail(`escSecrets.${name}`, `config keys as name or namespace:name, not "${key}"`);
            if (typeof value !== "string" || value.trim() === "") fail(`escSecrets.${name}.${key}`, "a non-empty string");
            // ESC reads ${...} as an interpolation: such a value would arrive changed or fail to open.
            if ((value as string).includes("${")) fail(`escSecrets.${name}.${key}`, "a value without ${ (ESC would interpolate it)");
        }
    }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
