/**
 * Property over the config parser (issue 5, item 4): whatever a stack's config
 * map holds, parseStackConfig either returns a config that keeps every
 * invariant the program relies on, or throws one ConfigError naming the stack
 * and a config key. Never anything else (TypeError, zod errors...), and never
 * a message that echoes a secret.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../config/errors";
import { PROJECT, RawConfig, StackConfig, parseStackConfig } from "../config/load";
import { PROVIDER_CONFIG, PULUMI_NAMESPACE, providerKeys } from "../config/providerKeys";
import { isCalendarDate, isTimeZone, projectKeys } from "../config/schema";
import { mirroredSecrets, planAlerting } from "../rules/plan";
import { MARK, redact, sentinelStack } from "./helpers/sentinels";
import { successNotice as successNoticeSignal } from "../signals/successNotice";
import { SIGNALS } from "../signals/table";
import { sectionOf } from "../config/model";
import { warningSettings } from "../signals/finalFailure";
import { p1Settings } from "../signals/p1";
import { criticalSettings } from "../signals/repeatedFailure";

const k = (key: string) => `${PROJECT}:${key}`;
const STACKS = ["dev", "prod", "local"] as const;
const committed = Object.fromEntries(STACKS.map((stack) => [stack, sentinelStack(stack)]));
const OBJECT_KEYS = Object.keys(projectKeys).filter((key) => key !== "environment");
const PROVIDER_KEYS = providerKeys();
const NAMESPACES = [PROJECT, ...Object.keys(PROVIDER_CONFIG), PULUMI_NAMESPACE];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLACK_URL = /^https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+$/;

/** Every invariant a parsed config must keep; returns what is broken (names, never values). */
function brokenInvariants(raw: RawConfig, cfg: StackConfig): string[] {
    const broken: string[] = [];
    const check = (ok: boolean, what: string) => {
        if (!ok) broken.push(what);
    };
    const channelNames = cfg.channels.map((c) => c.name);
    const routeNames = cfg.routes.map((r) => r.name);
    // Success notices are a signal with its own section: its resolved references, as the program reads them.
    const notice = sectionOf(cfg, successNoticeSignal.settings);
    const successNotice = { ...notice, channels: successNoticeSignal.settings.refs(notice).channels ?? [] };
    const warning = sectionOf(cfg, warningSettings);
    const critical = sectionOf(cfg, criticalSettings);
    const p1 = sectionOf(cfg, p1Settings);
    const tiers = { warning, successNotice, critical, p1 };

    check(cfg.stack === raw.stack && cfg.project === PROJECT, "stack and project are the ones given");
    check(new Set(channelNames).size === channelNames.length, "channel names are unique");
    // Signals with a section of their own (late and stuck runs, stale data, ...) send to the channels they name, as the program reads them.
    const tierKeys = Object.keys(tiers);
    const sectionChannels = SIGNALS.flatMap((signal) => {
        if (tierKeys.includes(signal.configKey)) return [];
        const refs = signal.settings.refs(cfg.signals[signal.settings.key]);
        return refs.enabled ? (refs.channels ?? []) : [];
    });
    check(
        sectionChannels.every((c) => channelNames.includes(c)),
        "signal sections: every channel exists",
    );
    const used = new Set([...Object.values(tiers).flatMap((t) => t.channels), ...sectionChannels]);
    check(
        channelNames.length === used.size && channelNames.every((n) => used.has(n)),
        "channels are exactly the ones an enabled tier uses",
    );
    for (const [name, t] of Object.entries(tiers)) {
        check(t.enabled || t.channels.length === 0, `${name}: disabled means no channels`);
        check(!t.enabled || t.channels.length > 0, `${name}: enabled means at least one channel`);
        check(
            t.channels.every((c) => channelNames.includes(c)),
            `${name}: every channel exists`,
        );
        check(new Set(t.channels).size === t.channels.length, `${name}: no channel twice`);
        if ("routes" in t) {
            check(
                t.routes.every((r) => routeNames.includes(r)),
                `${name}: every route exists`,
            );
            check(t.enabled || t.routes.length === 0, `${name}: disabled means no routes`);
        }
    }
    check(!warning.enabled || warning.routes.length > 0, "warning: enabled means at least one route");
    check(!critical.enabled || critical.routes.length > 0, "critical: enabled means at least one route");
    check(!successNotice.enabled || successNotice.flows.length > 0, "successNotice: enabled means at least one flow");
    check(Number.isInteger(critical.threshold) && critical.threshold >= 2 && critical.threshold <= 100, "critical.threshold in 2..100");
    check(critical.windowSeconds >= 360 && critical.windowSeconds <= 720 * 3600, "critical window in 0.1..720 h");
    check(
        p1.noSuccessSeconds === undefined || (p1.noSuccessSeconds >= 30 && p1.noSuccessSeconds <= 10080 * 60),
        "P1 silence >= 30 s (Prefect needs >= 10 s)",
    );
    check(!p1.enabled || p1.workPools.length > 0 || p1.noSuccessSeconds !== undefined, "p1: enabled means a signal");

    for (const r of cfg.routes) {
        const names = [...r.tags, ...r.flows, ...r.deployments];
        check(names.length > 0, `route ${r.name}: at least one criterion`);
        check(
            names.every((n) => n.trim() !== "" && !/^[!*]/.test(n) && !n.endsWith("*")),
            `route ${r.name}: exact names only`,
        );
    }

    const pagerDutyChannels = cfg.channels.filter((c) => c.spec.type === "pagerduty");
    check(pagerDutyChannels.length === 0 || cfg.pagerDuty !== undefined, "a PagerDuty channel only while PagerDuty is on");
    if (cfg.pagerDuty) {
        const pd = cfg.pagerDuty;
        check(
            pd.schedule.users.length > 0 && new Set(pd.schedule.users).size === pd.schedule.users.length,
            "PagerDuty: unique on-call users",
        );
        check(!!pd.teamLead && !!pd.manager, "PagerDuty: team lead and manager");
        check(pd.serviceName !== pd.p1ServiceName, "PagerDuty: two service names");
        check(isTimeZone(pd.schedule.timeZone), "PagerDuty: an IANA time zone");
        const start = pd.schedule.rotationStart;
        check(!Number.isNaN(Date.parse(start)) && isCalendarDate(start.slice(0, 10)), "PagerDuty: a real rotation start date");
        check(
            Object.values(pd.escalation).every((m) => m >= 0),
            "PagerDuty: escalation numbers not negative",
        );
        check(
            Object.values(pd.escalation).every((m) => Number.isInteger(m)),
            "PagerDuty: escalation delays in whole minutes",
        );
        const suffix = ` (${raw.stack})`;
        check(
            [pd.serviceName, pd.p1ServiceName, pd.schedule.name, pd.teamName ?? suffix].every(
                (n) => n.endsWith(suffix) && !n.endsWith(`${suffix}${suffix}`),
            ),
            "PagerDuty: names qualified once by the stack",
        );
    }

    const secretKeys = new Map(cfg.secrets.map((s) => [s.key, s]));
    for (const c of cfg.channels) {
        if (c.spec.type === "pagerduty") continue;
        const s = secretKeys.get(k(`${c.name}WebhookUrl`));
        check(
            s?.form === (c.spec.type === "slack" ? "slack-webhook-url" : "webhook-url"),
            `channel ${c.name}: its URL secret is listed with its form`,
        );
    }
    // pagerduty channels read no config secret: the routing key comes from the integration the stack creates.
    check(!secretKeys.has(k("pagerDutyApiKey")), "pagerDutyApiKey is never read");
    check(secretKeys.has("pagerduty:token") === (cfg.pagerDuty !== undefined), "pagerduty:token listed iff PagerDuty is on");
    check(secretKeys.has("prefect:apiKey") === cfg.prefect.cloud, "prefect:apiKey listed iff Prefect Cloud");
    for (const s of cfg.secrets) {
        const value = raw.values[s.key];
        check(value !== undefined && value.trim() !== "" && raw.secretKeys.has(s.key), `secret ${s.key}: set, non-blank, held as a secret`);
        if (s.form === "slack-webhook-url") check(SLACK_URL.test(value ?? ""), `secret ${s.key}: a Slack webhook URL`);
        if (s.form === "webhook-url") check(isCleanHttpUrl(value ?? ""), `secret ${s.key}: an http(s) URL without spaces`);
    }
    if (cfg.prefect.cloud) {
        const ids = [raw.values["prefect:accountId"] ?? "", raw.values["prefect:workspaceId"] ?? ""];
        check(
            ids.every((id) => UUID.test(id) && /[1-9a-f]/i.test(id)),
            "Prefect Cloud: account and workspace UUIDs, not all zeros",
        );
    }
    for (const key of Object.keys(raw.values)) {
        const ns = key.includes(":") ? key.slice(0, key.indexOf(":")) : undefined;
        check(ns !== undefined && NAMESPACES.includes(ns), `every key is in a known namespace (${redact(key)})`);
        if (ns && ns in PROVIDER_CONFIG)
            check(PROVIDER_KEYS.includes(key), `every provider key is one its provider accepts (${redact(key)})`);
    }
    if (cfg.secretsManager) {
        check(!!raw.values["aws:region"], "Secrets Manager: aws:region set");
        const d = cfg.secretsManager.recoveryWindowInDays;
        check(d === 0 || (Number.isInteger(d) && d >= 7 && d <= 30), "Secrets Manager: recovery window 0 or 7..30");
    }

    // What the program builds from it must be buildable and collision-free.
    try {
        const plan = planAlerting(cfg);
        const blockNames = plan.blocks.map((b) => b.name);
        check(new Set(blockNames).size === blockNames.length, "block names are unique");
        const keys = plan.automations.map((a) => a.key);
        check(new Set(keys).size === keys.length, "automation resource names are unique");
        check(
            plan.automations.every((a) => a.channels.length > 0 && a.channels.every((c) => channelNames.includes(c))),
            "every automation notifies existing channels",
        );
        for (const a of plan.automations) {
            check(
                Number.isFinite(a.trigger.threshold) && Number.isFinite(a.trigger.within),
                `automation ${a.key}: threshold and within set`,
            );
            check(a.trigger.posture !== "Proactive" || a.trigger.within >= 10, `automation ${a.key}: a Proactive within of 10 s or more`);
        }
        const mirrored = mirroredSecrets(cfg).map((m) => m.name);
        check(new Set(mirrored).size === mirrored.length, "mirrored secret names are unique");
    } catch (e) {
        broken.push(`planning failed: ${e instanceof Error ? e.name : typeof e}`);
    }
    return broken;
}

function isCleanHttpUrl(text: string): boolean {
    try {
        const u = new URL(text);
        return /^https?:$/.test(u.protocol) && u.hostname !== "" && !/\s/.test(text);
    } catch {
        return false;
    }
}

/** What a refusal must look like: ConfigError, this stack, a namespaced key named in the message, no secret echoed. */
function badRefusal(raw: RawConfig, e: unknown): string[] {
    if (!(e instanceof ConfigError))
        return [`threw ${e instanceof Error ? e.name : typeof e} instead of ConfigError: ${redact(String(e))}`];
    const broken: string[] = [];
    if (e.stack !== raw.stack || !e.message.includes(`stack "${raw.stack}"`)) broken.push("message does not name the stack");
    // The key named is a namespaced config key, or (a key in an unknown namespace, or without one) a key of the map itself.
    if (!/^(prefect-alerting|prefect|pagerduty|aws):/.test(e.key) && !(e.key in raw.values))
        broken.push(`key "${redact(e.key)}" is not a namespaced config key`);
    if (!e.message.includes(`${e.key}: expected `)) broken.push("message does not name the key and the expected form");
    if (e.expected.trim().length < 5) broken.push("expected form is empty");
    if (e.message.includes(MARK)) broken.push("message echoes a secret");
    return broken;
}

/** Runs the property; failures are reported with sentinels redacted (fast-check prints counterexamples). */
function holds<T>(arb: fc.Arbitrary<T>, toRaw: (t: T) => RawConfig, numRuns: number): { valid: number; refused: number } {
    const counts = { valid: 0, refused: 0 };
    fc.assert(
        fc.property(arb, (t) => {
            const raw = toRaw(t);
            let cfg: StackConfig;
            try {
                cfg = parseStackConfig(raw);
            } catch (e) {
                counts.refused++;
                const broken = badRefusal(raw, e);
                if (broken.length) throw new Error(`bad refusal: ${broken.join("; ")}`, { cause: e });
                return;
            }
            counts.valid++;
            const broken = brokenInvariants(raw, cfg);
            if (broken.length) throw new Error(`accepted a config that breaks: ${broken.join("; ")}`);
        }),
        {
            numRuns,
            reporter: (details) => {
                if (details.failed)
                    throw new Error(
                        redact(`${fc.defaultReportMessage(details) ?? "property failed"}\nCause: ${String(details.errorInstance)}`),
                    );
            },
        },
    );
    return counts;
}

// ---------- Arbitrary pieces ----------

const names = ["alerts", "critical", "pager", "pagerP1", "info", "alertsTeam", "alertsTEAM", "ghost", "bad-name"];
const BOUNDARIES = [-1, 0, 0.05, 0.1, 0.5, 1, 2, 2.5, 3, 7, 9, 10, 30, 31, 100, 101, 168, 720, 721, 1440, 2160, 10080, 10081, 1e9];
const boundaryNumber = fc.constantFrom(...BOUNDARIES);
const anyValue = fc.oneof(
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    { weight: 2, arbitrary: boundaryNumber },
    {
        weight: 2,
        arbitrary: fc.constantFrom(
            ...names,
            "",
            " ",
            "*",
            "dlt*",
            "!dlt",
            "#x",
            "UTC",
            "Mars/Olympus",
            "2026-02-30T09:00:00Z",
            "a@b.c",
            "PABC123",
        ),
    },
    { weight: 1, arbitrary: fc.subarray(names) },
    { weight: 1, arbitrary: fc.boolean() },
);

/** A secret value: a sentinel in a valid or broken form, or noise. */
const secretValue = (stack: string) =>
    fc.constantFrom(
        `https://hooks.slack.com/services/T00000000/B00000000/${MARK}${stack}x`,
        `http://127.0.0.1:8787/${MARK}-${stack}`,
        ` http://127.0.0.1:8787/${MARK}-space`,
        `ftp://127.0.0.1/${MARK}-ftp`,
        `https://hooks.example.com/services/T0/B0/${MARK}host`,
        `${MARK}-${stack}-token`,
        "",
        "   ",
    );

type Mutation =
    | { kind: "set"; key: string; path: number[]; value: unknown }
    | { kind: "delete"; key: string; path: number[] }
    | { kind: "rename"; key: string; path: number[]; suffix: string }
    | { kind: "flat"; key: string; value: string | undefined }
    | { kind: "toggleSecret"; key: string }
    | { kind: "secret"; key: string; value: string };

const flatKey = fc.oneof(
    fc.constantFrom(
        ...OBJECT_KEYS.map(k),
        k("environment"),
        ...PROVIDER_KEYS,
        ...names.map((n) => k(`${n}WebhookUrl`)),
        k("pagerDutyApiKey"),
    ),
    fc.string({ maxLength: 12 }).map((s) => k(s)),
    fc.string({ maxLength: 12 }),
);
const path = fc.array(fc.nat(20), { maxLength: 4 });
const mutation = (stack: string): fc.Arbitrary<Mutation> =>
    fc.oneof(
        {
            weight: 4,
            arbitrary: fc.record({ kind: fc.constant("set" as const), key: fc.constantFrom(...OBJECT_KEYS), path, value: anyValue }),
        },
        { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), key: fc.constantFrom(...OBJECT_KEYS), path }) },
        {
            weight: 1,
            arbitrary: fc.record({
                kind: fc.constant("rename" as const),
                key: fc.constantFrom(...OBJECT_KEYS),
                path,
                suffix: fc.constantFrom("s", "_", "X", ""),
            }),
        },
        {
            weight: 2,
            arbitrary: fc.record({
                kind: fc.constant("flat" as const),
                key: flatKey,
                value: fc.option(fc.oneof(fc.string(), fc.json()), { nil: undefined }),
            }),
        },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant("toggleSecret" as const), key: flatKey }) },
        {
            weight: 2,
            arbitrary: fc.record({
                kind: fc.constant("secret" as const),
                key: fc.constantFrom(...committed[stack].sentinels.map((s) => s.label)),
                value: secretValue(stack),
            }),
        },
    );

/** Follows `path` into a JSON value (each number picks a child, modulo their count); returns the container and the child's key. */
function locate(root: unknown, steps: number[]): { parent: any; key: string | number } | undefined {
    let parent: any;
    let key: string | number | undefined;
    let node: any = root;
    for (const step of steps) {
        if (node === null || typeof node !== "object") break;
        const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
        if (keys.length === 0) break;
        parent = node;
        key = keys[step % keys.length];
        node = node[key];
    }
    return key === undefined ? undefined : { parent, key };
}

function mutate(raw: RawConfig, m: Mutation): RawConfig {
    const values = { ...raw.values };
    const secretKeys = new Set(raw.secretKeys);
    const editJson = (key: string, edit: (root: any) => unknown) => {
        const full = k(key);
        let root: unknown;
        try {
            root = values[full] === undefined ? undefined : JSON.parse(values[full]);
        } catch {
            root = values[full];
        }
        const next = edit(root);
        if (next === undefined) delete values[full];
        else values[full] = JSON.stringify(next);
    };
    switch (m.kind) {
        case "set":
            editJson(m.key, (root) => {
                const at = locate(root, m.path);
                if (!at) return m.value;
                at.parent[at.key] = m.value;
                return root;
            });
            break;
        case "delete":
            editJson(m.key, (root) => {
                const at = locate(root, m.path);
                if (!at) return undefined;
                if (Array.isArray(at.parent)) at.parent.splice(Number(at.key), 1);
                else delete at.parent[at.key];
                return root;
            });
            break;
        case "rename":
            editJson(m.key, (root) => {
                const at = locate(root, m.path);
                if (!at || Array.isArray(at.parent)) return root;
                const value = at.parent[at.key];
                delete at.parent[at.key];
                at.parent[`${String(at.key).slice(0, -1)}${m.suffix}`] = value;
                return root;
            });
            break;
        case "flat":
            if (m.value === undefined) delete values[m.key];
            else values[m.key] = m.value;
            break;
        case "toggleSecret":
            if (secretKeys.has(m.key)) secretKeys.delete(m.key);
            else secretKeys.add(m.key);
            break;
        case "secret":
            values[m.key] = m.value;
            break;
    }
    return { ...raw, values, secretKeys };
}

// ---------- A plausible-config generator: mostly valid, often one step off ----------

const UUID_VALUE = "0b5e7f2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b";
/** Usually `usual`, now and then one of `others`. */
const rare = <T>(usual: T, ...others: NoInfer<T>[]): fc.Arbitrary<T> =>
    fc.oneof({ weight: 14, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: fc.constantFrom(...others) });
const channelSpec = fc.oneof(
    fc.record({ type: fc.constant("slack"), slackChannel: rare("#data-alerts", "#x", "data-alerts") }),
    fc.record({ type: fc.constant("webhook") }),
    fc.record({ type: fc.constant("pagerduty"), service: rare("critical", "p2") }),
    fc.record({ type: fc.constant("pagerduty"), service: fc.constant("p1") }),
);
const pagerDutyUser = rare("lead@example.com", "bad@", "PABC123", "pabc");
const ghost = <T>(refs: fc.Arbitrary<T[]>, extra: T) =>
    fc.oneof({ weight: 14, arbitrary: refs }, { weight: 1, arbitrary: refs.map((r) => [...r, extra]) });

/** Channels first, then tiers that mostly reference channels that exist (and that PagerDuty can serve). */
const plausible = fc
    .record({
        stack: fc.constantFrom("dev", "prod", "local", "staging-2"),
        channels: fc.dictionary(fc.constantFrom(...names.slice(0, 7), "bad-name"), channelSpec, { minKeys: 1, maxKeys: 5 }),
        pagerDutyOn: fc.boolean(),
    })
    .chain(({ stack, channels, pagerDutyOn }) => {
        const usable = Object.keys(channels).filter((n) => pagerDutyOn || channels[n].type !== "pagerduty");
        const pool = usable.length ? usable : Object.keys(channels);
        const channelRefs = ghost(fc.subarray(pool, { minLength: 1, maxLength: Math.min(3, pool.length) }), "ghost");
        const routeRefs = rare(["dlt"], ["etl"], ["dlt", "etl"], []);
        return fc.record({
            stack: fc.constant(stack),
            channels: fc.constant(channels),
            routes: fc.option(
                fc.oneof(
                    {
                        weight: 9,
                        arbitrary: fc.dictionary(
                            fc.constantFrom("dlt", "etl"),
                            fc.record({
                                tags: rare(["dlt"], [], ["dlt", "dlt"], ["x*"], ["!x"]),
                                flows: fc.constantFrom(undefined, ["products-daily"]),
                            }),
                            { minKeys: 1, maxKeys: 2 },
                        ),
                    },
                    { weight: 1, arbitrary: fc.constant({}) },
                ),
                { nil: undefined },
            ),
            warning: fc.record({
                enabled: fc.boolean(),
                channels: fc.option(channelRefs, { nil: undefined, freq: 8 }),
                routes: fc.option(routeRefs, { nil: undefined }),
            }),
            successNotice: fc.record({ enabled: fc.boolean(), flows: rare(["products-daily"], [], ["a*"]), channels: channelRefs }),
            critical: fc.record({
                enabled: fc.boolean(),
                channels: channelRefs,
                routes: fc.option(routeRefs, { nil: undefined }),
                threshold: rare(3, ...BOUNDARIES),
                windowHours: rare(24, ...BOUNDARIES),
            }),
            p1: fc.record({
                enabled: fc.boolean(),
                channels: channelRefs,
                workPools: fc.constantFrom([], ["pool"]),
                noSuccessMinutes: fc.option(rare(360, ...BOUNDARIES), { nil: undefined }),
            }),
            pagerDuty: fc.option(
                fc.record(
                    {
                        enabled: fc.constant(pagerDutyOn),
                        serviceName: fc.constant("Data Pipelines"),
                        p1ServiceName: rare("Data Pipelines P1", "Data Pipelines"),
                        schedule: fc.record({
                            timeZone: rare("Europe/London", "Mars/Olympus", "+01:00"),
                            rotationStart: rare("2026-01-05T09:00:00Z", "2026-02-30T09:00:00Z", "2026-01-05", "2026-01-05T09:00:00"),
                            users: rare(["a@example.com", "b@example.com"], [], ["a@example.com", "a@example.com"], ["nope"]),
                        }),
                        teamLead: pagerDutyUser,
                        manager: pagerDutyUser,
                    },
                    { requiredKeys: ["enabled", "serviceName", "p1ServiceName"] },
                ),
                { nil: undefined, freq: 1 },
            ),
            secretsManager: fc.record({ enabled: fc.boolean(), recoveryWindowInDays: rare(7, 0, 3, 30, 31) }),
            endpoint: fc.constantFrom(undefined, "http://127.0.0.1:4200/api", "https://api.prefect.cloud/api", "127.0.0.1:4200"),
            ids: rare<string | undefined>(UUID_VALUE, undefined, "workspace-1", "00000000-0000-0000-0000-000000000000"),
            region: rare<string | undefined>("eu-west-1", undefined, ""),
            urlKind: rare("fits", "slack-for-all", "http-for-all", "missing", "broken"),
            plainSecret: rare("", k("alertsWebhookUrl"), "prefect:apiKey", "pagerduty:token"),
        });
    });

type Plausible = typeof plausible extends fc.Arbitrary<infer T> ? T : never;

function plausibleRaw(p: Plausible): RawConfig {
    const values: Record<string, string> = {};
    const json = (key: string, v: unknown) => {
        if (v !== undefined) values[k(key)] = JSON.stringify(v);
    };
    values[k("environment")] = "development";
    for (const key of ["channels", "routes", "warning", "successNotice", "critical", "p1", "pagerDuty", "secretsManager"] as const)
        json(key, p[key]);
    if (p.endpoint !== undefined) values["prefect:endpoint"] = p.endpoint;
    if (p.ids !== undefined) values["prefect:accountId"] = values["prefect:workspaceId"] = p.ids;
    if (p.region !== undefined) values["aws:region"] = p.region;
    const secretKeys = new Set<string>();
    const secret = (key: string, value: string) => {
        values[key] = value;
        if (key !== p.plainSecret) secretKeys.add(key);
    };
    for (const [name, spec] of Object.entries(p.channels)) {
        if (spec.type === "pagerduty" || p.urlKind === "missing") continue;
        const slack = `https://hooks.slack.com/services/T00000000/B00000000/${MARK}${name}`;
        const http = `https://example.com/${MARK}-${name}`;
        const url = {
            fits: spec.type === "slack" ? slack : http,
            "slack-for-all": slack,
            "http-for-all": http,
            broken: `hooks.slack.com/${MARK}`,
        }[p.urlKind]!;
        secret(k(`${name}WebhookUrl`), url);
    }
    secret("pagerduty:token", `${MARK}-token`);
    secret("prefect:apiKey", `${MARK}-prefect-key`);
    return { project: PROJECT, stack: p.stack, values, secretKeys };
}

// ---------- Properties ----------

describe("parseStackConfig: valid config or one ConfigError, never anything else", () => {
    it("the invariant checker and refusal checker can fail", () => {
        const raw = sentinelStack("prod").raw;
        const cfg = parseStackConfig(raw);
        expect(brokenInvariants(raw, cfg)).toEqual([]);
        const broken = {
            ...cfg,
            signals: { ...cfg.signals, critical: { ...sectionOf(cfg, criticalSettings), threshold: 1, channels: ["nowhere"] } },
        };
        expect(brokenInvariants(raw, broken)).toEqual(
            expect.arrayContaining([
                "critical.threshold in 2..100",
                "critical: every channel exists",
                "channels are exactly the ones an enabled tier uses",
            ]),
        );
        expect(badRefusal(raw, new TypeError("x"))).toEqual([expect.stringMatching(/^threw TypeError/)]);
        // A channel only a signal section uses is still used: prod's warnings off, #data-alerts still hears late and stuck runs.
        const warningOff = { ...raw, values: { ...raw.values, [k("warning")]: JSON.stringify({ enabled: false }) } };
        const quiet = parseStackConfig(warningOff);
        expect(quiet.channels.map((c) => c.name)).toContain("alerts");
        expect(brokenInvariants(warningOff, quiet)).toEqual([]);
        expect(badRefusal(raw, new ConfigError("other", "channels", "a map"))).toEqual(
            expect.arrayContaining(["message does not name the stack", 'key "channels" is not a namespaced config key']),
        );
    });

    it("mutations of the committed stacks (1 to 4 edits each)", () => {
        const arb = fc
            .constantFrom(...STACKS)
            .chain((stack) => fc.tuple(fc.constant(stack), fc.array(mutation(stack), { minLength: 1, maxLength: 4 })));
        const counts = holds(arb, ([stack, ms]) => ms.reduce(mutate, committed[stack].raw), 1500);
        // Both outcomes must really be exercised, or the invariants were never checked.
        expect(counts.valid).toBeGreaterThan(100);
        expect(counts.refused).toBeGreaterThan(300);
    });

    it("plausible configs built from scratch, mostly one step from valid", () => {
        const counts = holds(plausible, plausibleRaw, 1500);
        // About 8% come out valid (each field has its own small chance of a bad value).
        expect(counts.valid).toBeGreaterThan(30);
        expect(counts.refused).toBeGreaterThan(300);
    });

    it("arbitrary config maps: random keys, random JSON, random secret sets", () => {
        const arb = fc.record({
            stack: fc.string({ minLength: 1, maxLength: 12 }),
            values: fc.dictionary(flatKey, fc.oneof(fc.json({ maxDepth: 3 }), fc.string()), { maxKeys: 8 }),
            secret: fc.array(fc.boolean(), { maxLength: 8 }),
        });
        const counts = holds(
            arb,
            ({ stack, values, secret }) => ({
                project: PROJECT,
                stack,
                values,
                secretKeys: new Set(Object.keys(values).filter((_, i) => secret[i])),
            }),
            1000,
        );
        expect(counts.refused).toBeGreaterThan(900);
    });

    it("a key outside the known namespaces (misspelled, or none) is always refused, naming a key of the map", () => {
        const stray = fc.oneof(
            fc
                .constantFrom("prefect_alerting", "prefectalerting", "Prefect-Alerting", "pager-duty", "aws2")
                .chain((ns) => fc.constantFrom(...OBJECT_KEYS, "token", "region").map((n) => `${ns}:${n}`)),
            fc.constantFrom(...OBJECT_KEYS, "alertsWebhookUrl", "apiKey", "region"),
        );
        fc.assert(
            fc.property(fc.constantFrom(...STACKS), stray, fc.boolean(), (stack, key, secret) => {
                const raw = committed[stack].raw;
                const values = { ...raw.values, [key]: '{"enabled":true}' };
                const secretKeys = new Set([...raw.secretKeys, ...(secret ? [key] : [])]);
                let error: unknown;
                try {
                    parseStackConfig({ ...raw, values, secretKeys });
                } catch (e) {
                    error = e;
                }
                expect(error).toBeInstanceOf(ConfigError);
                expect((error as ConfigError).key).toBe(key);
                expect((error as ConfigError).expected).toMatch(/did you mean "[^"]+:[^"]+"\?\)$/);
            }),
            { numRuns: 300 },
        );
    });
});
