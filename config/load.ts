import { z } from "zod";
import { ConfigError } from "./errors";
import { PROVIDER_CONFIG, PULUMI_NAMESPACE, ProviderNamespace, sensitiveProviderKeys } from "./providerKeys";
import { ChannelSpec, PagerDutyUser, RouteSpec, projectKeys } from "./schema";

/**
 * Parsing happens in two steps so that the offline preview can learn which
 * secrets a stack needs before it has any: `parseStructure` reads the plain
 * keys, `requiredSecrets` lists the secret keys the enabled parts use, and
 * `parseStackConfig` does both and checks the secret values' form.
 */

export const PROJECT = "prefect-alerting";

export interface RawConfig {
    project?: string;
    stack: string;
    /** Pulumi's flat config map: `namespace:key` -> string (objects as JSON). */
    values: Record<string, string>;
    /** Keys among `values` that Pulumi holds as secrets. */
    secretKeys: ReadonlySet<string>;
}

export interface Channel {
    name: string;
    spec: ChannelSpec;
    /** Config key of the secret webhook URL, for slack and webhook channels. */
    urlKey?: string;
}

export interface Route {
    name: string;
    tags: string[];
    flows: string[];
    deployments: string[];
}

export type Tier = "warning" | "successNotice" | "critical" | "p1";

export interface PagerDutyConfig {
    serviceName: string;
    p1ServiceName: string;
    teamName?: string;
    schedule: {
        name: string;
        timeZone: string;
        rotationStart: string;
        turnLengthHours: number;
        users: PagerDutyUser[];
    };
    teamLead: PagerDutyUser;
    manager: PagerDutyUser;
    escalation: { onCallAckMinutes: number; teamLeadAckMinutes: number; managerAckMinutes: number; p1AckMinutes: number; repeat: number };
    autoResolveTimeoutHours?: number;
}

export interface StackConfig {
    project: string;
    stack: string;
    environment: "development" | "staging" | "production";
    /** Only the channels some enabled tier sends to. */
    channels: Channel[];
    routes: Route[];
    warning: { enabled: boolean; routes: string[]; channels: string[] };
    successNotice: { enabled: boolean; flows: string[]; channels: string[] };
    critical: { enabled: boolean; routes: string[]; channels: string[]; threshold: number; windowSeconds: number };
    p1: {
        enabled: boolean;
        channels: string[];
        workPools: string[];
        noSuccessSeconds?: number;
        routes: string[];
    };
    pagerDuty?: PagerDutyConfig;
    secretsManager?: { prefix: string; recoveryWindowInDays: number };
    prefect: { endpoint?: string; cloud: boolean };
    /** Secret config keys (project namespace or provider) the program reads. */
    secrets: SecretKey[];
}

export interface SecretKey {
    /** Full config key, e.g. `prefect-alerting:alertsWebhookUrl` or `pagerduty:token`. */
    key: string;
    form: "slack-webhook-url" | "webhook-url" | "token";
    /** What the value is for, in words (README, preview). */
    purpose: string;
}

const SECRET_SUFFIX = "WebhookUrl";
const PAGERDUTY_API_KEY = "pagerDutyApiKey";
const SENSITIVE_PROVIDER_KEYS = new Set(sensitiveProviderKeys());
const PREFECT_CLOUD_IDS = ["prefect:accountId", "prefect:workspaceId"] as const;

type Structure = Omit<StackConfig, "secrets">;

/** Step 1: the plain keys, cross-references and enablement rules. */
export function parseStructure(raw: RawConfig): Structure {
    const project = raw.project ?? PROJECT;
    const { stack } = raw;
    const fail = (key: string, expected: string): never => {
        throw new ConfigError(stack, key, expected);
    };

    rejectUnknownKeys(raw, project, fail);
    // An empty stack file (or one without `config:`) reaches the program as an empty map (plus Pulumi.yaml's
    // default for `environment`): say so, not "channels: expected a map".
    if (!Object.keys(raw.values).some((key) => splitKey(key)[0] === project && splitKey(key)[1] !== "environment"))
        fail(
            `${project}:channels`,
            `the stack's alerting settings, but Pulumi.${stack}.yaml sets no ${project}: channels or tiers (an empty file, or no config: section); set at least ${project}:channels and one tier such as ${project}:warning (README, Configuration)`,
        );

    const parsed: Record<string, unknown> = {};
    for (const [name, schema] of Object.entries(projectKeys)) {
        const key = `${project}:${name}`;
        const text = raw.values[key];
        if (text !== undefined && raw.secretKeys.has(key)) fail(key, "a plain (non-secret) value");
        const value = text === undefined ? undefined : decode(text, name === "environment");
        const result = (schema as z.ZodType).safeParse(value);
        if (!result.success) {
            const issue = result.error.issues[0];
            fail(keyOf(key, issue), expectedOf(issue, schema as z.ZodType));
        } else {
            parsed[name] = result.data;
        }
    }
    const p = parsed as { [K in keyof typeof projectKeys]: z.infer<(typeof projectKeys)[K]> };
    const k = (path: string) => `${project}:${path}`;

    const allChannels = new Map(Object.entries(p.channels));
    // Block and secret names are the lower-cased channel name: "fooBar" and "fooBAR" would collide.
    const folded = new Map<string, string>();
    for (const name of allChannels.keys()) {
        const other = folded.get(name.toLowerCase());
        if (other) fail(k(`channels.${name}`), `a channel name that differs from "${other}" by more than letter case (block names are lower-case)`);
        folded.set(name.toLowerCase(), name);
    }
    // A secret key for no channel is a typo, and one held in plain config is a leaked URL: refuse both.
    for (const key of Object.keys(raw.values).sort()) {
        const [ns, name] = splitKey(key);
        if (ns !== project || !(name.endsWith(SECRET_SUFFIX) || name === PAGERDUTY_API_KEY)) continue;
        const channel = name.slice(0, -SECRET_SUFFIX.length);
        if (name !== PAGERDUTY_API_KEY && allChannels.get(channel)?.type !== "slack" && allChannels.get(channel)?.type !== "webhook")
            fail(key, `a <channel>WebhookUrl key for a slack or webhook channel defined under channels (${[...allChannels.keys()].join(", ")})`);
        if (!raw.secretKeys.has(key)) fail(key, `a secret value, not plain config; set it with: pulumi config set --secret ${name} <value>`);
    }
    const routeSpecs: Record<string, RouteSpec> = p.routes ?? { dlt: { tags: ["dlt"] } };
    const routes: Route[] = Object.entries(routeSpecs).map(([name, r]) => ({
        name,
        tags: r.tags ?? [],
        flows: r.flows ?? [],
        deployments: r.deployments ?? [],
    }));
    const routeNames = routes.map((r) => r.name);
    const pagerDutyEnabled = p.pagerDuty?.enabled === true;

    const checkChannels = (path: string, names: string[] | undefined): string[] => {
        if (!names) return fail(k(path), "at least one channel name");
        names.forEach((name, i) => {
            const channel = allChannels.get(name);
            if (!channel) fail(k(`${path}[${i}]`), `one of the channels defined under channels (${[...allChannels.keys()].join(", ") || "none defined"})`);
            if (channel?.type === "pagerduty" && !pagerDutyEnabled)
                fail(k(`${path}[${i}]`), `a channel that is not PagerDuty while pagerDuty.enabled is false (channel "${name}")`);
        });
        return names;
    };
    const checkRoutes = (path: string, names: string[] | undefined): string[] => {
        if (!names) return routeNames;
        names.forEach((name, i) => {
            if (!routeNames.includes(name)) fail(k(`${path}[${i}]`), `one of the routes defined under routes (${routeNames.join(", ")})`);
        });
        return names;
    };

    const warning = {
        enabled: p.warning.enabled,
        routes: p.warning.enabled ? checkRoutes("warning.routes", p.warning.routes) : [],
        channels: p.warning.enabled ? checkChannels("warning.channels", p.warning.channels) : [],
    };

    if (p.successNotice.enabled && p.successNotice.flows.length === 0)
        fail(k("successNotice.flows"), "at least one flow name when successNotice.enabled is true");
    const successNotice = {
        enabled: p.successNotice.enabled,
        flows: p.successNotice.flows,
        channels: p.successNotice.enabled ? checkChannels("successNotice.channels", p.successNotice.channels) : [],
    };

    const critical = {
        enabled: p.critical.enabled,
        routes: p.critical.enabled ? checkRoutes("critical.routes", p.critical.routes) : [],
        channels: p.critical.enabled ? checkChannels("critical.channels", p.critical.channels) : [],
        threshold: p.critical.threshold,
        windowSeconds: Math.round(p.critical.windowHours * 3600),
    };

    if (p.p1.enabled && p.p1.workPools.length === 0 && p.p1.noSuccessMinutes === undefined)
        fail(k("p1"), "at least one P1 signal when p1.enabled is true: workPools or noSuccessMinutes");
    const p1 = {
        enabled: p.p1.enabled,
        channels: p.p1.enabled ? checkChannels("p1.channels", p.p1.channels) : [],
        workPools: p.p1.workPools,
        noSuccessSeconds: p.p1.noSuccessMinutes === undefined ? undefined : Math.round(p.p1.noSuccessMinutes * 60),
        routes: p.p1.enabled ? checkRoutes("p1.routes", p.p1.routes) : [],
    };

    let pagerDuty: PagerDutyConfig | undefined;
    if (pagerDutyEnabled) {
        const pd = p.pagerDuty!;
        if (!pd.schedule) fail(k("pagerDuty.schedule"), "an on-call schedule with rotationStart and users when pagerDuty.enabled is true");
        if (!pd.teamLead) fail(k("pagerDuty.teamLead"), "the team lead's PagerDuty e-mail or user id when pagerDuty.enabled is true");
        if (!pd.manager) fail(k("pagerDuty.manager"), "the manager's PagerDuty e-mail or user id when pagerDuty.enabled is true");
        if (pd.serviceName === pd.p1ServiceName) fail(k("pagerDuty.p1ServiceName"), "a name different from pagerDuty.serviceName");
        pagerDuty = {
            serviceName: stackQualified(pd.serviceName, stack),
            p1ServiceName: stackQualified(pd.p1ServiceName, stack),
            teamName: pd.teamName === undefined ? undefined : stackQualified(pd.teamName, stack),
            schedule: { ...pd.schedule!, name: stackQualified(pd.schedule!.name, stack) },
            teamLead: pd.teamLead!,
            manager: pd.manager!,
            escalation: pd.escalation,
            autoResolveTimeoutHours: pd.autoResolveTimeoutHours,
        };
    }

    const used = new Set([...warning.channels, ...successNotice.channels, ...critical.channels, ...p1.channels]);
    const channels: Channel[] = [...allChannels.entries()]
        .filter(([name]) => used.has(name))
        .map(([name, spec]) => ({ name, spec, urlKey: spec.type === "pagerduty" ? undefined : k(`${name}${SECRET_SUFFIX}`) }));

    const endpoint = raw.values["prefect:endpoint"];
    if (endpoint !== undefined && !isHttpUrl(endpoint)) fail("prefect:endpoint", 'the Prefect API URL, such as "http://127.0.0.1:4200/api" or Prefect Cloud\'s');
    const cloud = isPrefectCloud(endpoint);
    if (cloud) {
        for (const id of PREFECT_CLOUD_IDS) {
            const v = raw.values[id];
            // The provider treats the all-zero UUID as unset, and its first create then fails: refuse the placeholder here.
            if (!v || !UUID.test(v) || /^[0-]+$/.test(v))
                fail(
                    id,
                    "the Prefect Cloud account / workspace id (a UUID) when prefect:endpoint is Prefect Cloud or unset, not a placeholder such as " +
                        "00000000-0000-0000-0000-000000000000; set both: pulumi config set prefect:accountId <account uuid> and pulumi config set prefect:workspaceId <workspace uuid>",
                );
        }
    }

    if (p.secretsManager.enabled && !raw.values["aws:region"]) fail("aws:region", 'an AWS region such as "eu-west-1" when secretsManager.enabled is true');
    const secretsManager = p.secretsManager.enabled
        ? { prefix: p.secretsManager.prefix ?? `${stack}/prefect`, recoveryWindowInDays: p.secretsManager.recoveryWindowInDays }
        : undefined;

    return {
        project,
        stack,
        environment: p.environment,
        channels,
        routes,
        warning,
        successNotice,
        critical,
        p1,
        pagerDuty,
        secretsManager,
        prefect: { endpoint, cloud },
    };
}

/** Step 2: the secret keys the enabled parts of this stack read. */
export function requiredSecrets(s: Structure): SecretKey[] {
    const keys: SecretKey[] = [];
    for (const c of s.channels) {
        if (c.spec.type === "slack")
            keys.push({ key: c.urlKey!, form: "slack-webhook-url", purpose: `Slack incoming webhook for ${c.spec.slackChannel}` });
        if (c.spec.type === "webhook") keys.push({ key: c.urlKey!, form: "webhook-url", purpose: `webhook URL of channel "${c.name}"` });
    }
    if (s.channels.some((c) => c.spec.type === "pagerduty"))
        keys.push({ key: `${s.project}:${PAGERDUTY_API_KEY}`, form: "token", purpose: "PagerDuty API key the Prefect pager-duty-webhook block requires" });
    if (s.pagerDuty) keys.push({ key: "pagerduty:token", form: "token", purpose: "PagerDuty REST API token for the pagerduty provider" });
    if (s.prefect.cloud) keys.push({ key: "prefect:apiKey", form: "token", purpose: "Prefect Cloud API key for the prefect provider" });
    return keys;
}

/** Both steps plus the secret values' form. Throws one ConfigError on the first problem. */
export function parseStackConfig(raw: RawConfig): StackConfig {
    const structure = parseStructure(raw);
    const secrets = requiredSecrets(structure);
    for (const s of secrets) checkSecret(raw, s);
    return { ...structure, secrets };
}

function checkSecret(raw: RawConfig, s: SecretKey): void {
    const fail = (expected: string): never => {
        throw new ConfigError(raw.stack, s.key, expected);
    };
    const value = raw.values[s.key];
    const how = `set it with: pulumi config set --secret ${s.key.startsWith(`${raw.project ?? PROJECT}:`) ? s.key.split(":")[1] : s.key} <value>`;
    if (value === undefined || value.trim() === "") fail(`a secret ${describeForm(s.form)} (${s.purpose}); ${how}`);
    if (!raw.secretKeys.has(s.key)) fail(`a secret value, not plain config (${s.purpose}); ${how}`);
    if (s.form === "slack-webhook-url" && !SLACK_WEBHOOK.test(value!))
        fail("a Slack incoming webhook URL of the form https://hooks.slack.com/services/T…/B…/…");
    if (s.form === "webhook-url" && !isHttpUrl(value!)) fail("an http:// or https:// URL");
}

function describeForm(form: SecretKey["form"]): string {
    return form === "slack-webhook-url" ? "Slack incoming webhook URL" : form === "webhook-url" ? "webhook URL" : "token";
}

const SLACK_WEBHOOK = /^https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isHttpUrl(text: string): boolean {
    try {
        const u = new URL(text);
        // URL() forgives surrounding spaces; the block would keep them.
        return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "" && !/\s/.test(text);
    } catch {
        return false;
    }
}

/** True when the Prefect provider talks to Prefect Cloud: no endpoint, or one on prefect.cloud. */
export function isPrefectCloud(endpoint: string | undefined): boolean {
    if (endpoint === undefined) return true;
    try {
        return new URL(endpoint).hostname.endsWith("prefect.cloud");
    } catch {
        return false;
    }
}

/**
 * A PagerDuty name made unique per stack, so two stacks sharing one PagerDuty
 * account never collide: " (<stack>)" is appended unless the name already ends with it.
 */
export function stackQualified(name: string, stack: string): string {
    const suffix = ` (${stack})`;
    return name.endsWith(suffix) ? name : `${name}${suffix}`;
}

/**
 * Every key must belong to a namespace something reads: this project, a
 * provider the program uses, or Pulumi's own. Anything else (a misspelled
 * namespace, a key without one) would be silently ignored by everyone.
 */
function rejectUnknownKeys(raw: RawConfig, project: string, fail: (key: string, expected: string) => never): void {
    const known = Object.keys(projectKeys);
    const namespaces = [project, ...Object.keys(PROVIDER_CONFIG), PULUMI_NAMESPACE];
    const isKnown = (ns: string, name: string): boolean => {
        if (ns === project) return known.includes(name) || name === PAGERDUTY_API_KEY || (name.endsWith(SECRET_SUFFIX) && name.length > SECRET_SUFFIX.length);
        if (ns === PULUMI_NAMESPACE) return name !== "";
        return ns in PROVIDER_CONFIG && (PROVIDER_CONFIG[ns as ProviderNamespace].keys as readonly string[]).includes(name);
    };
    /** The known key this one most likely meant: same name in the nearest namespace, else the nearest full key. */
    const meant = (ns: string, name: string): string => {
        const sameName = namespaces.filter((n) => isKnown(n, name)).map((n) => `${n}:${name}`);
        const all = [...sameName, ...known.map((k) => `${project}:${k}`), ...Object.entries(PROVIDER_CONFIG).flatMap(([n, p]) => p.keys.map((k) => `${n}:${k}`))];
        const best = all.map((k) => [k, distance(`${ns}:${name}`.toLowerCase(), k.toLowerCase())] as const).sort((a, b) => a[1] - b[1])[0];
        if (sameName.length) return ` (did you mean "${sameName.sort((a, b) => distance(ns, splitKey(a)[0]) - distance(ns, splitKey(b)[0]))[0]}"?)`;
        return best && best[1] <= 3 ? ` (did you mean "${best[0]}"?)` : "";
    };
    for (const key of Object.keys(raw.values).sort()) {
        const colon = key.indexOf(":");
        const [ns, name] = splitKey(key);
        if (colon < 0)
            fail(key, `a key with a namespace, <namespace>:<name>, where the namespace is one of ${namespaces.join(", ")}${meant(project, name)}`);
        if (!namespaces.includes(ns)) fail(key, `a key in one of the namespaces ${namespaces.join(", ")}${meant(ns, name)}`);
        if (ns === project) {
            if (isKnown(ns, name)) continue;
            fail(key, `a known key (${[...known, "<channel>WebhookUrl", PAGERDUTY_API_KEY].join(", ")})${suggest(name, known)}`);
        }
        if (ns in PROVIDER_CONFIG) {
            const keys = PROVIDER_CONFIG[ns as ProviderNamespace].keys as readonly string[];
            if (!isKnown(ns, name)) fail(key, `a known provider key (${keys.map((p) => `${ns}:${p}`).join(", ")})${suggest(name, [...keys], `${ns}:`)}`);
            if (SENSITIVE_PROVIDER_KEYS.has(key) && !raw.secretKeys.has(key))
                fail(key, `a secret value, not plain config (the ${ns} provider's credential ${name}); set it with: pulumi config set --secret ${key} <value>`);
        }
    }
}

function splitKey(key: string): [string, string] {
    const i = key.indexOf(":");
    return i < 0 ? ["", key] : [key.slice(0, i), key.slice(i + 1)];
}

function suggest(name: string, known: string[], prefix = ""): string {
    const best = known.map((k) => [k, distance(name.toLowerCase(), k.toLowerCase())] as const).sort((a, b) => a[1] - b[1])[0];
    return best && best[1] <= 3 ? ` (did you mean "${prefix}${best[0]}"?)` : "";
}

function distance(a: string, b: string): number {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++)
        for (let j = 1; j <= b.length; j++)
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
}

/** Pulumi hands objects, lists, numbers and booleans to the program as JSON text. */
function decode(text: string, plainString: boolean): unknown {
    if (plainString) return text;
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

function keyOf(key: string, issue: z.core.$ZodIssue): string {
    const path = [...issue.path];
    if (issue.code === "unrecognized_keys") path.push(issue.keys[0]);
    const suffix = path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    return key + suffix;
}

function expectedOf(issue: z.core.$ZodIssue, schema: z.ZodType): string {
    if (issue.code === "unrecognized_keys") {
        const known = knownKeysAt(schema, issue.path);
        return `one of the settings ${known.join(", ")}${suggest(issue.keys[0], known)}`;
    }
    // A bad map key (e.g. a channel name): say what a name must look like, not what the map is.
    if (issue.code === "invalid_key") return issue.issues[0]?.message ?? issue.message;
    return issue.message;
}

/** The setting names an object schema accepts at `path`, for "did you mean" messages. */
function knownKeysAt(schema: z.ZodType, path: PropertyKey[]): string[] {
    let node: any = schema;
    const unwrap = () => {
        while (node?._zod?.def && !["object", "record", "array"].includes(node._zod.def.type)) {
            const def = node._zod.def;
            node = def.innerType ?? def.in ?? def.schema;
        }
    };
    unwrap();
    for (const step of path) {
        const def = node?._zod?.def;
        if (!def) return [];
        node = def.type === "object" ? def.shape[step as string] : def.type === "record" ? def.valueType : def.element;
        unwrap();
    }
    return node?._zod?.def?.type === "object" ? Object.keys(node._zod.def.shape) : [];
}
