import { z } from "zod";
import { prefectUiUrl } from "../alert/links";
import { isHttpUrl } from "../channels/kind";
import { PAGERDUTY_API_KEY } from "../channels/pagerduty";
import { CHANNEL_SECRET_SUFFIXES, formOf, kindOf } from "../channels/registry";
import { distance, suggest } from "./didYouMean";
import { ConfigError } from "./errors";
import type { Channel, Owner, PagerDutyConfig, Route, SecretKey, StackConfig } from "./model";
import { ownerPagerChannel, ownerService } from "../alert/owners";
import { SECTIONS } from "../signals/table";
import { PROVIDER_CONFIG, PULUMI_NAMESPACE, ProviderNamespace, sensitiveProviderKeys } from "./providerKeys";
import { DEFAULT_ROUTES, ProjectSettings, projectKeys, projectSchema } from "./schema";
import { MAINTENANCE_SERVICES, operationsProblem, splitMutes } from "./operations";
import { ThresholdsSource, parseThresholds } from "./thresholds";

/**
 * Parsing happens in two steps so that the offline preview can learn which
 * secrets a stack needs before it has any: `parseStructure` reads the plain
 * keys, `requiredSecrets` lists the secret keys the enabled parts use, and
 * `parseStackConfig` does both and checks the secret values' form.
 */

export type { Channel, PagerDutyConfig, Route, SecretKey, StackConfig } from "./model";

export const PROJECT = "prefect-alerting";

export interface RawConfig {
    project?: string;
    stack: string;
    /** Pulumi's flat config map: `namespace:key` -> string (objects as JSON). */
    values: Record<string, string>;
    /** Keys among `values` that Pulumi holds as secrets. */
    secretKeys: ReadonlySet<string>;
    /** The clock that maintenance windows and mutes are judged by; the real one when unset (tests fix it). */
    now?: Date;
    /** The stack's `thresholds/<stack>.json` (npm run calibrate), when it has one (config/thresholdsFile.ts reads it). */
    thresholds?: ThresholdsSource;
}

const SENSITIVE_PROVIDER_KEYS = new Set(sensitiveProviderKeys());
const PREFECT_CLOUD_IDS = ["prefect:accountId", "prefect:workspaceId"] as const;
/** The channel-secret suffix (`WebhookUrl`, `ApiKey`, ... as the kinds declare them) a project key ends with, if any. */
const secretSuffixOf = (name: string) =>
    CHANNEL_SECRET_SUFFIXES.filter((s) => name.endsWith(s.suffix) && name.length > s.suffix.length).sort(
        (a, b) => b.suffix.length - a.suffix.length,
    )[0];

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
            `the stack's alerting settings, but Pulumi.${stack}.yaml sets no ${project}: ` +
                `channels or tiers (an empty file, or no config: section); ` +
                `set at least ${project}:channels and one tier such as ${project}:warning (docs/configuration.md)`,
        );

    const input: Record<string, unknown> = {};
    for (const name of Object.keys(projectKeys)) {
        const key = `${project}:${name}`;
        const text = raw.values[key];
        if (text !== undefined && raw.secretKeys.has(key)) fail(key, "a plain (non-secret) value");
        input[name] = text === undefined ? undefined : decode(text, name === "environment");
    }
    const result = projectSchema.safeParse(input);
    if (!result.success) {
        const issue = result.error.issues[0];
        fail(keyOf(project, issue), expectedOf(issue, input));
    }
    const p = result.data as ProjectSettings;

    // A secret key for no channel is a typo, and one held in plain config is a leaked URL: refuse both.
    const declared = new Set(Object.entries(p.channels).flatMap(([name, spec]) => kindOf(spec).secretKeyNames(name)));
    for (const key of Object.keys(raw.values).sort()) {
        const [ns, name] = splitKey(key);
        const suffix = secretSuffixOf(name);
        if (ns !== project || !(suffix || name === PAGERDUTY_API_KEY)) continue;
        // The Apprise pager-duty-webhook block needed it; the Events API v2 channel does not: say so rather than ignore it.
        if (name === PAGERDUTY_API_KEY && !declared.has(name))
            fail(
                key,
                "no pagerDutyApiKey: pagerduty channels send Events API v2 themselves with the integration's key and need no API key; " +
                    `remove it: pulumi config rm ${PAGERDUTY_API_KEY}`,
            );
        if (!declared.has(name))
            fail(
                key,
                `a <channel>${suffix!.suffix} key for ${/^[aeiou]/.test(suffix!.kinds[0]) ? "an" : "a"} ${orList(suffix!.kinds)} ` +
                    `channel defined under channels (${Object.keys(p.channels).join(", ")})`,
            );
        if (!raw.secretKeys.has(key))
            fail(key, `a secret value, not plain config; set it with: pulumi config set --secret ${name} <value>`);
    }

    const routes: Route[] = Object.entries(p.routes ?? DEFAULT_ROUTES).map(([name, r]) => ({
        name,
        tags: r.tags ?? [],
        flows: r.flows ?? [],
        deployments: r.deployments ?? [],
        ...(r.runbook ? { runbook: r.runbook } : {}),
    }));
    const owners: Owner[] = Object.entries(p.owners ?? {}).map(([name, o]) => ({
        name,
        channels: o.channels,
        ...(o.runbook ? { runbook: o.runbook } : {}),
        ...(o.pagerDutyService
            ? {
                  pagerDuty: {
                      service: stackQualified(o.pagerDutyService, stack),
                      channel: ownerPagerChannel(name),
                      ...(o.onCall
                          ? {
                                onCall: {
                                    scheduleName: stackQualified(`${unqualified(o.pagerDutyService, stack)} On-Call`, stack),
                                    users: o.onCall.users,
                                    ...(o.onCall.lead ? { lead: o.onCall.lead } : {}),
                                },
                            }
                          : {}),
                  },
              }
            : {}),
    }));
    const allRoutes = routes.map((r) => r.name);
    // Windows that have ended are refused, so that none lingers in the stack file forgotten; a mute that has ended is
    // not (its routes alert again, and a scheduled `pulumi up` after its until must succeed): the preview says to remove it.
    const now = raw.now ?? new Date();
    const quiet = operationsProblem({ ...p, pagerDutyEnabled: p.pagerDuty?.enabled === true, routeNames: allRoutes }, now);
    if (quiet) fail(keyAt(project, quiet.path), quiet.expected);
    const mutes = splitMutes(p.mute, now);
    // Each signal's section as parsed, then as its signals use it (a disabled section watches nothing and sends nowhere).
    const parsed = (key: string) => (p as Record<string, unknown>)[key];
    const signals = Object.fromEntries(
        SECTIONS.map((s) => [s.key, s.resolve ? s.resolve(parsed(s.key), { routes: allRoutes }) : parsed(s.key)]),
    );
    const signalChannels = SECTIONS.flatMap((s) => {
        const refs = s.refs(parsed(s.key));
        return refs.enabled ? (refs.channels ?? []) : [];
    });

    let pagerDuty: PagerDutyConfig | undefined;
    if (p.pagerDuty?.enabled) {
        const { enabled: _, ...pd } = p.pagerDuty;
        pagerDuty = {
            ...pd,
            serviceName: stackQualified(pd.serviceName, stack),
            p1ServiceName: stackQualified(pd.p1ServiceName, stack),
            teamName: pd.teamName === undefined ? undefined : stackQualified(pd.teamName, stack),
            schedule: { ...pd.schedule!, name: stackQualified(pd.schedule!.name, stack) },
            teamLead: pd.teamLead!,
            manager: pd.manager!,
        };
    }

    // An owner's channels get blocks too: its alerts go there.
    const used = new Set([...signalChannels, ...owners.flatMap((o) => o.channels)]);
    const channels: Channel[] = Object.entries(p.channels)
        .filter(([name]) => used.has(name))
        .map(([name, spec]) => ({ name, spec }));
    // A team's own PagerDuty service is paged through a channel of its own, made here (its key comes from the integration).
    for (const o of owners)
        if (o.pagerDuty) channels.push({ name: o.pagerDuty.channel, spec: { type: "pagerduty", service: ownerService(o.name) } });

    const endpoint = raw.values["prefect:endpoint"];
    if (endpoint !== undefined && !isHttpUrl(endpoint))
        fail("prefect:endpoint", 'the Prefect API URL, such as "http://127.0.0.1:4200/api" or Prefect Cloud\'s');
    const cloud = isPrefectCloud(endpoint);
    // Signals that exist only in Prefect Cloud (SLAs) say what a self-hosted stack should use instead.
    for (const s of SECTIONS) {
        const instead = cloud ? undefined : s.needsCloud?.(parsed(s.key));
        if (instead) fail(`${project}:${s.key}`, `${instead} (prefect:endpoint ${endpoint} is not Prefect Cloud)`);
    }
    if (cloud) {
        for (const id of PREFECT_CLOUD_IDS) {
            const v = raw.values[id];
            // The provider treats the all-zero UUID as unset, and its first create then fails: refuse the placeholder here.
            if (!v || !UUID.test(v) || /^[0-]+$/.test(v))
                fail(
                    id,
                    "the Prefect Cloud account / workspace id (a UUID) " +
                        "when prefect:endpoint is Prefect Cloud or unset, not a placeholder such as " +
                        "00000000-0000-0000-0000-000000000000; set both: pulumi config set prefect:accountId " +
                        "<account uuid> and pulumi config set prefect:workspaceId <workspace uuid>",
                );
        }
    }

    if (p.secretsManager.enabled && !raw.values["aws:region"])
        fail("aws:region", 'an AWS region such as "eu-west-1" when secretsManager.enabled is true');
    const secretsManager = p.secretsManager.enabled
        ? { prefix: p.secretsManager.prefix ?? `${stack}/prefect`, recoveryWindowInDays: p.secretsManager.recoveryWindowInDays }
        : undefined;
    // Checked last: a bad stack file is reported first, and a bad thresholds file still before any resource.
    const calibration = parseThresholds(stack, raw.thresholds);

    return {
        project,
        stack,
        environment: p.environment,
        channels,
        routes,
        owners,
        ...(p.defaultOwner ? { defaultOwner: p.defaultOwner } : {}),
        deploymentRunbooks: p.runbooks.deployments,
        signals,
        pagerDuty,
        secretsManager,
        maintenance: p.maintenance.map((w) => ({ ...w, services: w.services ?? [...MAINTENANCE_SERVICES] })),
        mutes: mutes.active,
        endedMutes: mutes.ended,
        calibration,
        now,
        prefect: {
            endpoint,
            cloud,
            uiUrl: p.uiUrl ?? prefectUiUrl(endpoint, raw.values["prefect:accountId"], raw.values["prefect:workspaceId"]),
        },
    };
}

/** Step 2: the secret keys the enabled parts of this stack read: each used channel's, then the providers'. */
export function requiredSecrets(s: Structure): SecretKey[] {
    const keys = new Map<string, SecretKey>();
    for (const c of s.channels) for (const key of kindOf(c.spec).secrets(c, s.project)) if (!keys.has(key.key)) keys.set(key.key, key);
    if (s.pagerDuty)
        keys.set("pagerduty:token", {
            key: "pagerduty:token",
            form: "token",
            purpose: "PagerDuty REST API token for the pagerduty provider",
        });
    if (s.prefect.cloud)
        keys.set("prefect:apiKey", { key: "prefect:apiKey", form: "token", purpose: "Prefect Cloud API key for the prefect provider" });
    return [...keys.values()];
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
    const form = formOf(s);
    const value = raw.values[s.key];
    const how =
        `set it with: pulumi config set --secret ` +
        `${s.key.startsWith(`${raw.project ?? PROJECT}:`) ? s.key.split(":")[1] : s.key} <value>`;
    if (value === undefined || value.trim() === "") fail(`a secret ${form.noun} (${s.purpose}); ${how}`);
    if (!raw.secretKeys.has(s.key)) fail(`a secret value, not plain config (${s.purpose}); ${how}`);
    if (!form.valid(value!)) fail(form.expected);
}

const orList = (xs: string[]) => (xs.length < 2 ? xs.join("") : `${xs.slice(0, -1).join(", ")} or ${xs.at(-1)}`);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

/** A name without the stack's suffix, so a name built from it ("<service> On-Call") carries the suffix once. */
function unqualified(name: string, stack: string): string {
    const suffix = ` (${stack})`;
    return name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
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
        if (ns === project) return known.includes(name) || name === PAGERDUTY_API_KEY || secretSuffixOf(name) !== undefined;
        if (ns === PULUMI_NAMESPACE) return name !== "";
        return ns in PROVIDER_CONFIG && (PROVIDER_CONFIG[ns as ProviderNamespace].keys as readonly string[]).includes(name);
    };
    /** The known key this one most likely meant: same name in the nearest namespace, else the nearest full key. */
    const meant = (ns: string, name: string): string => {
        const sameName = namespaces.filter((n) => isKnown(n, name)).map((n) => `${n}:${name}`);
        const all = [
            ...sameName,
            ...known.map((k) => `${project}:${k}`),
            ...Object.entries(PROVIDER_CONFIG).flatMap(([n, p]) => p.keys.map((k) => `${n}:${k}`)),
        ];
        const best = all.map((k) => [k, distance(`${ns}:${name}`.toLowerCase(), k.toLowerCase())] as const).sort((a, b) => a[1] - b[1])[0];
        if (sameName.length)
            return ` (did you mean "${sameName.sort((a, b) => distance(ns, splitKey(a)[0]) - distance(ns, splitKey(b)[0]))[0]}"?)`;
        return best && best[1] <= 3 ? ` (did you mean "${best[0]}"?)` : "";
    };
    for (const key of Object.keys(raw.values).sort()) {
        const colon = key.indexOf(":");
        const [ns, name] = splitKey(key);
        if (colon < 0)
            fail(
                key,
                `a key with a namespace, <namespace>:<name>, where the namespace is one of ${namespaces.join(", ")}${meant(project, name)}`,
            );
        if (!namespaces.includes(ns)) fail(key, `a key in one of the namespaces ${namespaces.join(", ")}${meant(ns, name)}`);
        if (ns === project) {
            if (isKnown(ns, name)) continue;
            const secrets = CHANNEL_SECRET_SUFFIXES.map((s) => `<channel>${s.suffix}`);
            fail(key, `a known key (${[...known, ...secrets].join(", ")})${suggest(name, known)}`);
        }
        if (ns in PROVIDER_CONFIG) {
            const keys = PROVIDER_CONFIG[ns as ProviderNamespace].keys as readonly string[];
            if (!isKnown(ns, name))
                fail(key, `a known provider key (${keys.map((p) => `${ns}:${p}`).join(", ")})${suggest(name, [...keys], `${ns}:`)}`);
            if (SENSITIVE_PROVIDER_KEYS.has(key) && !raw.secretKeys.has(key))
                fail(
                    key,
                    `a secret value, not plain config (the ${ns} provider's credential ${name}); ` +
                        `set it with: pulumi config set --secret ${key} <value>`,
                );
        }
    }
}

function splitKey(key: string): [string, string] {
    const i = key.indexOf(":");
    return i < 0 ? ["", key] : [key.slice(0, i), key.slice(i + 1)];
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

/** `prefect-alerting:critical.threshold` for an issue at ["critical", "threshold"]. */
function keyOf(project: string, issue: z.core.$ZodIssue): string {
    const path = [...issue.path];
    if (issue.code === "unrecognized_keys") path.push(issue.keys[0]);
    return keyAt(project, path);
}

/** `prefect-alerting:maintenance[0].end` for the path ["maintenance", 0, "end"]. */
function keyAt(project: string, path: PropertyKey[]): string {
    const [top, ...rest] = path;
    return `${project}:${String(top)}` + rest.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
}

function expectedOf(issue: z.core.$ZodIssue, input: Record<string, unknown>): string {
    if (issue.code === "unrecognized_keys") {
        const [top, ...rest] = issue.path;
        const known = knownKeysAt(projectKeys[top as keyof typeof projectKeys] as z.ZodType, rest, input[top as string]);
        return `one of the settings ${known.join(", ")}${suggest(issue.keys[0], known)}`;
    }
    // A bad map key (e.g. a channel name): say what a name must look like, not what the map is.
    if (issue.code === "invalid_key") return issue.issues[0]?.message ?? issue.message;
    return issue.message;
}

/** The setting names an object schema accepts at `path`, for "did you mean" messages. */
function knownKeysAt(schema: z.ZodType, path: PropertyKey[], input: unknown): string[] {
    let node: any = schema;
    let value: any = input;
    const unwrap = () => {
        while (node?._zod?.def && !["object", "record", "array"].includes(node._zod.def.type)) {
            const def = node._zod.def;
            // A discriminated union (a channel): the option the value's own discriminator chose.
            if (def.type === "union" && def.discriminator)
                node = def.options.find((o: any) =>
                    o._zod.def.shape?.[def.discriminator]?._zod.def.values?.includes(value?.[def.discriminator]),
                );
            else node = def.innerType ?? def.in ?? def.schema;
        }
    };
    unwrap();
    for (const step of path) {
        const def = node?._zod?.def;
        if (!def) return [];
        node = def.type === "object" ? def.shape[step as string] : def.type === "record" ? def.valueType : def.element;
        value = value?.[step as string];
        unwrap();
    }
    return node?._zod?.def?.type === "object" ? Object.keys(node._zod.def.shape) : [];
}
