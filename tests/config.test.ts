import { describe, expect, it } from "vitest";
import { ConfigError } from "../config/errors";
import { PROJECT, parseStackConfig } from "../config/load";
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
        expect(cfg.warning).toEqual({ enabled: true, routes: ["dlt"], channels: ["alerts"] });
        expect(cfg.critical.enabled).toBe(false);
        expect(cfg.p1.enabled).toBe(false);
        expect(cfg.pagerDuty).toBeUndefined();
        expect(cfg.secretsManager).toBeUndefined();
        expect(cfg.routes).toEqual([{ name: "dlt", tags: ["dlt"], flows: [], deployments: [] }]);
        expect(cfg.channels.map((c) => c.name)).toEqual(["alerts"]);
        expect(cfg.secrets.map((s) => s.key)).toEqual([k("alertsWebhookUrl"), "prefect:apiKey"]);
    });

    it("prod enables every tier, PagerDuty and Secrets Manager", () => {
        const cfg = parseStackConfig(stackConfig("prod"));
        expect(cfg.environment).toBe("production");
        expect(cfg.critical).toMatchObject({ enabled: true, threshold: 3, windowSeconds: 86400, channels: ["critical", "pager"] });
        expect(cfg.p1).toMatchObject({ enabled: true, workPools: ["default-work-pool"], noSuccessSeconds: 21600 });
        expect(cfg.pagerDuty?.escalation).toEqual({ onCallAckMinutes: 15, teamLeadAckMinutes: 30, managerAckMinutes: 30, p1AckMinutes: 5, repeat: 2 });
        expect(cfg.secretsManager).toEqual({ prefix: "prod/prefect", recoveryWindowInDays: 7 });
        expect(cfg.secrets.map((s) => s.key).sort()).toEqual(
            [k("alertsWebhookUrl"), k("criticalWebhookUrl"), k("pagerDutyApiKey"), "pagerduty:token", "prefect:apiKey"].sort(),
        );
    });

    it("local points at a self-hosted server and needs no Prefect API key", () => {
        const cfg = parseStackConfig(stackConfig("local"));
        expect(cfg.prefect).toEqual({ endpoint: "http://127.0.0.1:4200/api", cloud: false });
        expect(cfg.secrets.every((s) => s.form === "webhook-url")).toBe(true);
    });

    it("routes default to the seed's dlt tag", () => {
        const cfg = parseStackConfig(editKey(stackConfig("dev"), "routes", () => undefined));
        expect(cfg.routes).toEqual([{ name: "dlt", tags: ["dlt"], flows: [], deployments: [] }]);
    });

    it("a disabled part needs none of its secrets", () => {
        const raw = editKey(stackConfig("prod"), "pagerDuty", (pd) => ({ ...pd, enabled: false }));
        const noPd = editKey(editKey(editKey(raw, "critical", (c) => ({ ...c, channels: ["critical"] })), "p1", (p) => ({ ...p, enabled: false })), "secretsManager", () => ({ enabled: false }));
        delete noPd.values["pagerduty:token"];
        delete noPd.values[k("pagerDutyApiKey")];
        const cfg = parseStackConfig(noPd);
        expect(cfg.pagerDuty).toBeUndefined();
        expect(cfg.secrets.map((s) => s.key)).not.toContain("pagerduty:token");
    });
});

describe("bad config stops with one error naming stack, key and expected form", () => {
    const cases: [string, () => ReturnType<typeof stackConfig>, string, RegExp][] = [
        ["missing Slack secret", () => stackConfig("dev", { [k("alertsWebhookUrl")]: undefined }), k("alertsWebhookUrl"), /secret Slack incoming webhook URL/],
        ["Slack URL in plain config", () => ({ ...stackConfig("dev"), secretKeys: new Set(["prefect:apiKey"]) }), k("alertsWebhookUrl"), /secret value, not plain config/],
        ["non-Slack host on a Slack channel", () => stackConfig("dev", { [k("alertsWebhookUrl")]: "https://example.com/hook" }), k("alertsWebhookUrl"), /hooks\.slack\.com/],
        ["zero threshold", () => editKey(stackConfig("prod"), "critical", (c) => ({ ...c, threshold: 0 })), k("critical.threshold"), /from 2 to 100/],
        ["window out of range", () => editKey(stackConfig("prod"), "critical", (c) => ({ ...c, windowHours: 1000 })), k("critical.windowHours"), /0\.1 to 720/],
        ["unknown channel", () => editKey(stackConfig("dev"), "warning", (w) => ({ ...w, channels: ["alert"] })), k("warning.channels[0]"), /one of the channels defined/],
        ["unknown route", () => editKey(stackConfig("dev"), "warning", (w) => ({ ...w, routes: ["dl"] })), k("warning.routes[0]"), /one of the routes/],
        ["misspelled top-level key", () => ({ ...stackConfig("dev"), values: { ...stackConfig("dev").values, [k("warnings")]: "{}" } }), k("warnings"), /did you mean "warning"/],
        ["misspelled nested key", () => editKey(stackConfig("prod"), "critical", (c) => ({ ...c, treshold: 3 })), k("critical.treshold"), /one of the settings .*threshold.* \(did you mean "threshold"\?\)/],
        ["PagerDuty without users", () => editKey(stackConfig("prod"), "pagerDuty", (p) => ({ ...p, schedule: { ...p.schedule, users: [] } })), k("pagerDuty.schedule.users"), /at least one PagerDuty user/],
        ["PagerDuty without token", () => stackConfig("prod", { "pagerduty:token": undefined }), "pagerduty:token", /secret token/],
        ["malformed e-mail", () => editKey(stackConfig("prod"), "pagerDuty", (p) => ({ ...p, teamLead: "lead@" })), k("pagerDuty.teamLead"), /e-mail address or a user id/],
        ["PagerDuty channel while PagerDuty is off", () => editKey(stackConfig("prod"), "pagerDuty", (p) => ({ ...p, enabled: false })), k("critical.channels[1]"), /not PagerDuty while pagerDuty.enabled is false/],
        ["P1 without a signal", () => editKey(stackConfig("prod"), "p1", (p) => ({ ...p, workPools: [], noSuccessMinutes: undefined })), k("p1"), /at least one P1 signal/],
        ["Proactive window under 10 s", () => editKey(stackConfig("prod"), "p1", (p) => ({ ...p, noSuccessMinutes: 0.1 })), k("p1.noSuccessMinutes"), /from 0\.5 to 10080/],
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
