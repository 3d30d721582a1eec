import { describe, expect, it } from "vitest";
import { ConfigError } from "../config/errors";
import { PROJECT, RawConfig, parseStackConfig } from "../config/load";
import { PROVIDER_CONFIG, sensitiveProviderKeys } from "../config/providerKeys";
import { sectionOf } from "../config/model";
import { planAlerting } from "../rules/plan";
import { warningSettings } from "../signals/finalFailure";
import { p1Settings } from "../signals/p1";
import { criticalSettings } from "../signals/repeatedFailure";
import { editKey, stackConfig } from "./helpers/stacks";

const k = (key: string) => `${PROJECT}:${key}`;

function errorOf(run: () => unknown): ConfigError {
    try {
        run();
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return e as ConfigError;
    }
    throw new Error("expected a ConfigError");
}

describe("committed stacks parse", () => {
    it("dev is the warning tier only, on the dlt route, to #data-alerts", () => {
        const cfg = parseStackConfig(stackConfig("dev"));
        expect(sectionOf(cfg, warningSettings)).toEqual({ enabled: true, routes: ["dlt"], channels: ["alerts"] });
        expect(sectionOf(cfg, criticalSettings).enabled).toBe(false);
        expect(sectionOf(cfg, p1Settings).enabled).toBe(false);
        expect(cfg.pagerDuty).toBeUndefined();
        expect(cfg.secretsManager).toBeUndefined();
        expect(cfg.routes).toEqual([{ name: "dlt", tags: ["dlt"], flows: [], deployments: [] }]);
        expect(cfg.channels.map((c) => c.name)).toEqual(["alerts"]);
        expect(cfg.secrets.map((s) => s.key)).toEqual([k("alertsWebhookUrl"), "prefect:apiKey"]);
    });

    it("prod enables every tier, PagerDuty and Secrets Manager", () => {
        const cfg = parseStackConfig(stackConfig("prod"));
        expect(cfg.environment).toBe("production");
        expect(sectionOf(cfg, criticalSettings)).toMatchObject({
            enabled: true,
            threshold: 3,
            windowSeconds: 86400,
            channels: ["critical", "pager"],
        });
        expect(sectionOf(cfg, p1Settings)).toMatchObject({ enabled: true, workPools: ["default-work-pool"], noSuccessSeconds: 21600 });
        expect(cfg.pagerDuty?.escalation).toEqual({
            onCallAckMinutes: 15,
            teamLeadAckMinutes: 30,
            managerAckMinutes: 30,
            p1AckMinutes: 5,
            repeat: 2,
        });
        expect(cfg.secretsManager).toEqual({ prefix: "prod/prefect", recoveryWindowInDays: 7 });
        expect(cfg.secrets.map((s) => s.key).sort()).toEqual(
            [k("alertsWebhookUrl"), k("criticalWebhookUrl"), "pagerduty:token", "prefect:apiKey"].sort(),
        );
    });

    it("local points at a self-hosted server and needs no Prefect API key", () => {
        const cfg = parseStackConfig(stackConfig("local"));
        // Links in messages point at the server's own UI (alert/links.ts).
        expect(cfg.prefect).toEqual({ endpoint: "http://127.0.0.1:4200/api", cloud: false, uiUrl: "http://127.0.0.1:4200" });
        expect(cfg.secrets.every((s) => s.form === "webhook-url")).toBe(true);
    });

    it("routes default to the seed's dlt tag", () => {
        const cfg = parseStackConfig(editKey(stackConfig("dev"), "routes", () => undefined));
        expect(cfg.routes).toEqual([{ name: "dlt", tags: ["dlt"], flows: [], deployments: [] }]);
    });

    it("a disabled part needs none of its secrets", () => {
        const raw = editKey(stackConfig("prod"), "pagerDuty", (pd) => ({ ...pd, enabled: false }));
        const noPd = editKey(
            editKey(
                editKey(raw, "critical", (c) => ({ ...c, channels: ["critical"] })),
                "p1",
                (p) => ({ ...p, enabled: false }),
            ),
            "secretsManager",
            () => ({ enabled: false }),
        );
        delete noPd.values["pagerduty:token"];
        const cfg = parseStackConfig(noPd);
        expect(cfg.pagerDuty).toBeUndefined();
        expect(cfg.secrets.map((s) => s.key)).not.toContain("pagerduty:token");
    });
});

describe("bad config stops with one error naming stack, key and expected form", () => {
    const cases: [string, () => ReturnType<typeof stackConfig>, string, RegExp][] = [
        [
            "missing Slack secret",
            () => stackConfig("dev", { [k("alertsWebhookUrl")]: undefined }),
            k("alertsWebhookUrl"),
            /secret Slack incoming webhook URL/,
        ],
        [
            "Slack URL in plain config",
            () => ({ ...stackConfig("dev"), secretKeys: new Set(["prefect:apiKey"]) }),
            k("alertsWebhookUrl"),
            /secret value, not plain config/,
        ],
        [
            "non-Slack host on a Slack channel",
            () => stackConfig("dev", { [k("alertsWebhookUrl")]: "https://example.com/hook" }),
            k("alertsWebhookUrl"),
            /hooks\.slack\.com/,
        ],
        [
            "zero threshold",
            () => editKey(stackConfig("prod"), "critical", (c) => ({ ...c, threshold: 0 })),
            k("critical.threshold"),
            /from 2 to 100/,
        ],
        [
            "window out of range",
            () => editKey(stackConfig("prod"), "critical", (c) => ({ ...c, windowHours: 1000 })),
            k("critical.windowHours"),
            /0\.1 to 720/,
        ],
        [
            "unknown channel",
            () => editKey(stackConfig("dev"), "warning", (w) => ({ ...w, channels: ["alert"] })),
            k("warning.channels[0]"),
            /one of the channels defined/,
        ],
        [
            "unknown route",
            () => editKey(stackConfig("dev"), "warning", (w) => ({ ...w, routes: ["dl"] })),
            k("warning.routes[0]"),
            /one of the routes/,
        ],
        [
            "misspelled top-level key",
            () => ({ ...stackConfig("dev"), values: { ...stackConfig("dev").values, [k("warnings")]: "{}" } }),
            k("warnings"),
            /did you mean "warning"/,
        ],
        [
            "misspelled nested key",
            () => editKey(stackConfig("prod"), "critical", (c) => ({ ...c, treshold: 3 })),
            k("critical.treshold"),
            /one of the settings .*threshold.* \(did you mean "threshold"\?\)/,
        ],
        [
            "PagerDuty without users",
            () => editKey(stackConfig("prod"), "pagerDuty", (p) => ({ ...p, schedule: { ...p.schedule, users: [] } })),
            k("pagerDuty.schedule.users"),
            /at least one PagerDuty user/,
        ],
        ["PagerDuty without token", () => stackConfig("prod", { "pagerduty:token": undefined }), "pagerduty:token", /secret token/],
        [
            "malformed e-mail",
            () => editKey(stackConfig("prod"), "pagerDuty", (p) => ({ ...p, teamLead: "lead@" })),
            k("pagerDuty.teamLead"),
            /e-mail address or a user id/,
        ],
        [
            "PagerDuty channel while PagerDuty is off",
            () => editKey(stackConfig("prod"), "pagerDuty", (p) => ({ ...p, enabled: false })),
            k("critical.channels[1]"),
            /not PagerDuty while pagerDuty.enabled is false/,
        ],
        [
            "P1 without a signal",
            () => editKey(stackConfig("prod"), "p1", (p) => ({ ...p, workPools: [], noSuccessMinutes: undefined })),
            k("p1"),
            /at least one P1 signal/,
        ],
        [
            "Proactive window under 10 s",
            () => editKey(stackConfig("prod"), "p1", (p) => ({ ...p, noSuccessMinutes: 0.1 })),
            k("p1.noSuccessMinutes"),
            /from 0\.5 to 10080/,
        ],
    ];
    for (const [title, make, key, expected] of cases) {
        it(title, () => {
            const e = errorOf(() => parseStackConfig(make()));
            expect(e.stack).toBe(make().stack);
            expect(e.key).toBe(key);
            expect(e.message).toMatch(expected);
            expect(e.message).toContain(`stack "${make().stack}"`);
        });
    }

    it("never echoes a secret value", () => {
        const e = errorOf(() => parseStackConfig(stackConfig("dev", { [k("alertsWebhookUrl")]: "https://evil.example/SENTINEL-123" })));
        expect(e.message).not.toContain("SENTINEL-123");
    });
});

/** Sets flat keys; `secret` also marks them as Pulumi secrets. */
function withKeys(raw: RawConfig, values: Record<string, string>, secret = false): RawConfig {
    return {
        ...raw,
        values: { ...raw.values, ...values },
        secretKeys: secret ? new Set([...raw.secretKeys, ...Object.keys(values)]) : raw.secretKeys,
    };
}

describe("provider keys: every key the providers accept, credentials only as secrets", () => {
    // A value each key's own check (if any) accepts; the providers themselves judge the rest.
    const sample = (key: string) =>
        key === "prefect:endpoint"
            ? "https://api.prefect.cloud/api"
            : key in stackConfig("dev").values
              ? stackConfig("dev").values[key]
              : "x";
    const sensitive = new Set(sensitiveProviderKeys());
    for (const [ns, p] of Object.entries(PROVIDER_CONFIG)) {
        it(`accepts every ${ns}: key (${p.keys.length}), the ${p.sensitive.length} credentials as secrets`, () => {
            for (const name of p.keys) {
                const key = `${ns}:${name}`;
                expect(() => parseStackConfig(withKeys(stackConfig("dev"), { [key]: sample(key) }, sensitive.has(key))), key).not.toThrow();
            }
        });
    }

    it("the issue's examples: pagerduty:serviceRegion for EU accounts, prefect:csrfEnabled, Pulumi's own keys", () => {
        const raw = withKeys(stackConfig("prod"), {
            "pagerduty:serviceRegion": "eu",
            "prefect:csrfEnabled": "true",
            "pulumi:disable-default-providers": '["aws"]',
        });
        expect(parseStackConfig(raw).pagerDuty).toBeDefined();
    });

    for (const key of [
        "prefect:basicAuthKey",
        "prefect:customHeaders",
        "pagerduty:userToken",
        "aws:secretKey",
        "aws:accessKey",
        "aws:token",
    ]) {
        it(`refuses ${key} in plain config`, () => {
            const e = errorOf(() => parseStackConfig(withKeys(stackConfig("dev"), { [key]: "plain" })));
            expect(e.key).toBe(key);
            expect(e.expected).toBe(
                `a secret value, not plain config (the ${key.split(":")[0]} provider's credential ${key.split(":")[1]}); ` +
                    `set it with: pulumi config set --secret ${key} <value>`,
            );
        });
    }
});

describe("every key belongs to a known namespace", () => {
    it("a misspelled namespace is refused with the key it meant", () => {
        const raw = withKeys(stackConfig("dev"), { "prefect_alerting:critical": '{"enabled":true}' });
        const e = errorOf(() => parseStackConfig(raw));
        expect(e.key).toBe("prefect_alerting:critical");
        expect(e.expected).toBe(
            'a key in one of the namespaces prefect-alerting, prefect, pagerduty, aws, pulumi (did you mean "prefect-alerting:critical"?)',
        );
    });

    it("a key without a namespace is refused with the namespaced key it meant", () => {
        const e = errorOf(() => parseStackConfig(withKeys(stackConfig("dev"), { critical: '{"enabled":true}' })));
        expect(e.key).toBe("critical");
        expect(e.expected).toMatch(/^a key with a namespace, <namespace>:<name>, .* \(did you mean "prefect-alerting:critical"\?\)$/);
        expect(errorOf(() => parseStackConfig(withKeys(stackConfig("dev"), { apiKey: "k" }))).expected).toMatch(
            /did you mean "prefect:apiKey"/,
        );
    });

    it("a misspelled provider key names the provider's keys and the nearest", () => {
        const e = errorOf(() => parseStackConfig(withKeys(stackConfig("prod"), { "pagerduty:serviceRegian": "eu" })));
        expect(e.expected).toMatch(
            /^a known provider key \(pagerduty:apiUrlOverride, pagerduty:serviceRegion, .*\) \(did you mean "pagerduty:serviceRegion"\?\)$/,
        );
    });

    it("an empty stack (no config: at all) says what is missing", () => {
        // A real run also gets Pulumi.yaml's default for environment; the message is the same with or without it.
        for (const values of [{}, { [k("environment")]: "development" }]) {
            const e = errorOf(() => parseStackConfig({ project: PROJECT, stack: "empty", values, secretKeys: new Set() }));
            expect(e.key).toBe(k("channels"));
            expect(e.expected).toMatch(
                new RegExp(
                    "Pulumi\\.empty\\.yaml sets no prefect-alerting: channels or tiers \\(an empty file, or no config: section\\); " +
                        "set at least prefect-alerting:channels",
                ),
            );
        }
    });
});

describe('numbers and booleans written as text (pulumi config set --path stores 0.5 as "0.5")', () => {
    it("are read as numbers and booleans", () => {
        const raw = editKey(stackConfig("prod"), "critical", (c) => ({ ...c, enabled: "true", threshold: "5", windowHours: "0.5" }));
        const cfg = parseStackConfig(editKey(raw, "pagerDuty", (p) => ({ ...p, escalation: { ...p.escalation, onCallAckMinutes: "10" } })));
        expect(sectionOf(cfg, criticalSettings)).toMatchObject({ enabled: true, threshold: 5, windowSeconds: 1800 });
        expect(cfg.pagerDuty?.escalation.onCallAckMinutes).toBe(10);
    });

    it("text that is not a plain number is still refused, with the range", () => {
        const e = errorOf(() => parseStackConfig(editKey(stackConfig("prod"), "critical", (c) => ({ ...c, threshold: "5 failures" }))));
        expect([e.key, e.expected]).toEqual([k("critical.threshold"), "a whole number of failures from 2 to 100"]);
    });
});

describe("values the providers would reject or change", () => {
    it("escalation delays must be whole minutes (PagerDuty truncates 1.5 to 1)", () => {
        for (const field of ["onCallAckMinutes", "teamLeadAckMinutes", "managerAckMinutes", "p1AckMinutes"]) {
            const raw = editKey(stackConfig("prod"), "pagerDuty", (p) => ({ ...p, escalation: { ...p.escalation, [field]: 1.5 } }));
            const e = errorOf(() => parseStackConfig(raw));
            expect(e.key).toBe(k(`pagerDuty.escalation.${field}`));
            expect(e.expected).toMatch(/^a whole number of minutes from 1 to (1440|60) \(PagerDuty escalation delays are whole minutes\)$/);
        }
    });

    it("the smallest P1 silence window gives a Proactive within of 30 s; below it the error states Prefect's rule", () => {
        const cfg = parseStackConfig(editKey(stackConfig("prod"), "p1", (p) => ({ ...p, noSuccessMinutes: 0.5 })));
        // The P1 silence automation (other signals prod enables have Proactive windows of their own; its resolve is Reactive).
        const proactive = planAlerting(cfg).automations.filter((a) => a.signal === "allPipelinesDown" && a.trigger.posture === "Proactive");
        expect(proactive.map((a) => [a.key, a.trigger.within])).toEqual([["p1-no-success-dlt", 30]]);
        for (const bad of [0, 0.1, -1]) {
            const e = errorOf(() => parseStackConfig(editKey(stackConfig("prod"), "p1", (p) => ({ ...p, noSuccessMinutes: bad }))));
            expect(e.expected).toBe(
                "a number of minutes from 0.5 to 10080 (a Proactive trigger's window: Prefect refuses one under 10 s, and 0 never fires)",
            );
        }
    });

    it("Prefect Cloud ids: the all-zero placeholder is refused, naming both keys to set", () => {
        const zero = "00000000-0000-0000-0000-000000000000";
        for (const key of ["prefect:accountId", "prefect:workspaceId"]) {
            const e = errorOf(() => parseStackConfig(withKeys(stackConfig("dev"), { [key]: zero })));
            expect(e.key).toBe(key);
            expect(e.expected).toMatch(
                new RegExp(
                    "not a placeholder such as 00000000-0000-0000-0000-000000000000; " +
                        "set both: pulumi config set prefect:accountId <account uuid> and " +
                        "pulumi config set prefect:workspaceId <workspace uuid>$",
                ),
            );
        }
        // A self-hosted server needs no Cloud ids at all.
        expect(parseStackConfig(withKeys(stackConfig("local"), { "prefect:accountId": zero })).prefect.cloud).toBe(false);
    });

    it("channel and route names: the rule and its 40-character limit are in the error", () => {
        const long = `a${"b".repeat(40)}`;
        const e = errorOf(() => parseStackConfig(editKey(stackConfig("dev"), "routes", () => ({ [long]: { tags: ["dlt"] } }))));
        expect([e.key, e.expected]).toEqual([
            k(`routes.${long}`),
            "a name of 1 to 40 letters and digits starting with a lower-case letter (e.g. alerts, dlt, pagerP1)",
        ]);
        expect(
            parseStackConfig(editKey(stackConfig("dev"), "routes", () => ({ [long.slice(0, 40)]: { tags: ["dlt"] } }))).routes[0].name,
        ).toHaveLength(40);
    });
});

describe("PagerDuty names are stack-qualified, so two stacks can share one account", () => {
    it('prod\'s names get " (prod)"', () => {
        const pd = parseStackConfig(stackConfig("prod")).pagerDuty!;
        expect([pd.serviceName, pd.p1ServiceName, pd.teamName, pd.schedule.name]).toEqual([
            "Data Pipelines (prod)",
            "Data Pipelines P1 (prod)",
            "Data Platform (prod)",
            "Data Pipelines On-Call (prod)",
        ]);
    });

    it("the defaults are qualified too, and a name that already ends with the stack is not qualified twice", () => {
        const raw = editKey(stackConfig("prod"), "pagerDuty", ({ serviceName: _, p1ServiceName: __, teamName: ___, schedule, ...p }) => ({
            ...p,
            teamName: "Data Platform (prod)",
            schedule: { ...schedule, name: undefined },
        }));
        const pd = parseStackConfig(raw).pagerDuty!;
        expect([pd.serviceName, pd.p1ServiceName, pd.teamName, pd.schedule.name]).toEqual([
            "Data Pipelines (prod)",
            "Data Pipelines P1 (prod)",
            "Data Platform (prod)",
            "Data Pipelines On-Call (prod)",
        ]);
    });
});
