/**
 * Bad-input corpus (issue 5, item 4). Each invalid stack config runs through
 * the real program under mocks and must stop it with exactly one error naming
 * the stack, the config key and the expected form, before a single resource
 * (or invoke) exists. Secrets are sentinels, so the error never echoing them
 * is checked on every case.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../config/errors";
import { PROJECT, RawConfig, parseStackConfig } from "../config/load";
import { runProgram } from "../harness/runProgram";
import { planAlerting } from "../rules/plan";
import { captureOutput } from "./helpers/capture";
import { MARK, sentinelStack, sentinelsIn } from "./helpers/sentinels";
import { editKey } from "./helpers/stacks";

const k = (key: string) => `${PROJECT}:${key}`;
const base = (stack: string): RawConfig => sentinelStack(stack).raw;

/** Sets (or, with undefined, removes) flat config keys; `secret` puts them among the secret keys. */
function set(raw: RawConfig, values: Record<string, string | undefined>, secret = false): RawConfig {
    const next = { ...raw, values: { ...raw.values }, secretKeys: new Set(raw.secretKeys) };
    for (const [key, value] of Object.entries(values)) {
        if (value === undefined) {
            delete next.values[key];
            next.secretKeys.delete(key);
        } else {
            next.values[key] = value;
            if (secret) next.secretKeys.add(key);
        }
    }
    return next;
}
const asPlain = (raw: RawConfig, key: string): RawConfig => ({ ...raw, secretKeys: new Set([...raw.secretKeys].filter((s) => s !== key)) });
const asSecret = (raw: RawConfig, key: string): RawConfig => ({ ...raw, secretKeys: new Set([...raw.secretKeys, key]) });
const pd = (edit: (p: any) => unknown) => editKey(base("prod"), "pagerDuty", edit);
const schedule = (edit: (s: any) => unknown) => pd((p) => ({ ...p, schedule: edit(p.schedule) }));

interface Case {
    title: string;
    raw: () => RawConfig;
    /** The exact config key the error must name. */
    key: string;
    /** The expected form the error must state. */
    expected: RegExp;
}

const SLACK_FORM = /a Slack incoming webhook URL of the form https:\/\/hooks\.slack\.com\/services\//;
const URL_FORM = /an http:\/\/ or https:\/\/ URL/;
const TEAMS_FORM = /a Microsoft Teams webhook URL \(https\)/;

/** The local stack with a heartbeat channel and, when given, a watchdog section. */
const withHeartbeat = (watchdog?: Record<string, unknown>, stack = "local") =>
    editKey(
        editKey(base(stack), "channels", (c) => ({ ...c, heartbeat: { type: "heartbeat" } })),
        "watchdog",
        () => watchdog,
    );

const EMAIL = { type: "email", to: ["oncall@example.com"], from: "alerts@example.com" };
/** dev with its one channel (`alerts`) an e-mail channel, and its API key (null: none) as a secret. */
const withEmail = (spec: Record<string, unknown>, apiKey: string | null = `SG.${MARK}-dev.${MARK}-alertsApiKey`) =>
    editKey(set(base("dev"), { [k("alertsWebhookUrl")]: undefined, [k("alertsApiKey")]: apiKey ?? undefined }, true), "channels", () => ({
        alerts: spec,
    }));

const cases: Case[] = [
    // The watchdog and its heartbeat channel: each only with the other.
    {
        title: "a heartbeat channel used by a tier (an alert there would count as a heartbeat)",
        raw: () => editKey(withHeartbeat(), "warning", (w) => ({ ...w, channels: ["alerts", "heartbeat"] })),
        key: k("warning.channels[1]"),
        expected: /a channel that is not of type "heartbeat" \(channel "heartbeat" is a heartbeat monitor's ping URL/,
    },
    {
        title: "a heartbeat channel used by a signal's own section",
        raw: () => editKey(withHeartbeat(), "lateRuns", () => ({ enabled: true, channels: ["heartbeat"] })),
        key: k("lateRuns.channels[0]"),
        expected: /a channel that is not of type "heartbeat"/,
    },
    {
        title: "a watchdog whose channel is not a heartbeat channel",
        raw: () => withHeartbeat({ enabled: true, channel: "alerts" }),
        key: k("watchdog.channel"),
        expected: /a channel of type "heartbeat" .*channel "alerts" is webhook/,
    },
    {
        title: "a watchdog enabled without a channel",
        raw: () => withHeartbeat({ enabled: true }),
        key: k("watchdog.channel"),
        expected: /the name of a channel of type "heartbeat" when watchdog.enabled is true/,
    },
    {
        title: "a watchdog naming a channel that does not exist",
        raw: () => withHeartbeat({ enabled: true, channel: "pinger" }),
        key: k("watchdog.channel"),
        expected: /one of the channels defined under channels \(alerts, critical, pager, info, heartbeat\)/,
    },
    {
        title: "a watchdog interval under Prefect's 10 s Proactive minimum",
        raw: () => withHeartbeat({ enabled: true, channel: "heartbeat", intervalMinutes: 0.1 }),
        key: k("watchdog.intervalMinutes"),
        expected: /a number of minutes from 0.25 to 1440 \(a Proactive window: Prefect refuses one under 10 s\)/,
    },
    {
        title: "a heartbeat ping URL that is not http(s)",
        raw: () =>
            set(
                withHeartbeat({ enabled: true, channel: "heartbeat" }),
                { [k("heartbeatWebhookUrl")]: `ftp://hc-ping.example/${MARK}` },
                true,
            ),
        key: k("heartbeatWebhookUrl"),
        expected: /an http:\/\/ or https:\/\/ ping URL of a heartbeat monitor/,
    },
    {
        title: "a heartbeat ping URL missing",
        raw: () => withHeartbeat({ enabled: true, channel: "heartbeat" }),
        key: k("heartbeatWebhookUrl"),
        expected: /a secret heartbeat ping URL \(ping URL of heartbeat channel "heartbeat"\); set it with: .*--secret heartbeatWebhookUrl/,
    },
    // An e-mail channel (channels/email.ts): its settings, then its API key.
    {
        title: "an e-mail channel without to",
        raw: () => withEmail({ type: "email", from: "alerts@example.com" }),
        key: k("channels.alerts.to"),
        expected: /a list of one or more e-mail addresses/,
    },
    {
        title: "an e-mail channel with an empty to",
        raw: () => withEmail({ ...EMAIL, to: [] }),
        key: k("channels.alerts.to"),
        expected: /a list of one or more e-mail addresses/,
    },
    {
        title: "an e-mail channel with a bad address in to",
        raw: () => withEmail({ ...EMAIL, to: ["oncall@example.com", `${MARK}-no-at-sign`] }),
        key: k("channels.alerts.to[1]"),
        expected: /an e-mail address such as "data-oncall@example.com"/,
    },
    {
        title: "an e-mail channel with a display name as from",
        raw: () => withEmail({ ...EMAIL, from: `Alerts <alerts@example.com>` }),
        key: k("channels.alerts.from"),
        expected: /the sender's e-mail address such as/,
    },
    {
        title: "an e-mail channel's API key missing",
        raw: () => withEmail(EMAIL, null),
        key: k("alertsApiKey"),
        expected:
            /a secret SendGrid API key \(SendGrid API key of channel "alerts"\); set it with: pulumi config set --secret alertsApiKey/,
    },
    {
        title: "an e-mail channel's API key as plain config",
        raw: () => asPlain(withEmail(EMAIL), k("alertsApiKey")),
        key: k("alertsApiKey"),
        expected: /a secret value, not plain config; set it with: pulumi config set --secret alertsApiKey/,
    },
    {
        title: "an e-mail channel's API key not of SendGrid's form",
        raw: () => withEmail(EMAIL, `Bearer ${MARK}-key`),
        key: k("alertsApiKey"),
        expected: /a SendGrid API key of the form SG.<id>.<secret>/,
    },
    {
        title: "an e-mail API key for a channel that does not exist",
        raw: () => set(withEmail(EMAIL), { [k("mailApiKey")]: `SG.${MARK}-typo.${MARK}-typo` }, true),
        key: k("mailApiKey"),
        expected: /a <channel>ApiKey key for an email channel defined under channels \(alerts\)/,
    },
    // Secret URLs and tokens (the bad values are sentinels: the message must not echo them).
    {
        title: "Slack webhook over http://",
        raw: () => set(base("dev"), { [k("alertsWebhookUrl")]: `http://hooks.slack.com/services/T00000000/B00000000/${MARK}http` }),
        key: k("alertsWebhookUrl"),
        expected: SLACK_FORM,
    },
    {
        title: "non-Slack host on a Slack channel",
        raw: () => set(base("prod"), { [k("criticalWebhookUrl")]: `https://hooks.example.com/services/T00000000/B00000000/${MARK}host` }),
        key: k("criticalWebhookUrl"),
        expected: SLACK_FORM,
    },
    {
        title: "Slack URL with a trailing space",
        raw: () => set(base("dev"), { [k("alertsWebhookUrl")]: `https://hooks.slack.com/services/T00000000/B00000000/${MARK}space ` }),
        key: k("alertsWebhookUrl"),
        expected: SLACK_FORM,
    },
    {
        title: "Teams webhook on the local loopback receiver",
        raw: () =>
            editKey(set(base("local"), { [k("alertsWebhookUrl")]: `http://127.0.0.1:8787/${MARK}-teams` }), "channels", (c) => ({
                ...c,
                alerts: { type: "teams" },
            })),
        key: k("alertsWebhookUrl"),
        expected: TEAMS_FORM,
    },
    {
        title: "Teams path on a look-alike host",
        raw: () =>
            editKey(
                set(base("dev"), { [k("alertsWebhookUrl")]: `https://contoso.webhook.office.com.example.net/webhookb2/${MARK}` }),
                "channels",
                () => ({ alerts: { type: "teams" } }),
            ),
        key: k("alertsWebhookUrl"),
        expected: TEAMS_FORM,
    },
    {
        title: "webhook with an ftp:// scheme",
        raw: () => set(base("local"), { [k("criticalWebhookUrl")]: `ftp://127.0.0.1/${MARK}-ftp` }),
        key: k("criticalWebhookUrl"),
        expected: URL_FORM,
    },
    {
        title: "webhook that is not a URL",
        raw: () => set(base("local"), { [k("infoWebhookUrl")]: `${MARK}-not-a-url` }),
        key: k("infoWebhookUrl"),
        expected: URL_FORM,
    },
    {
        title: "webhook URL with a leading space",
        raw: () => set(base("local"), { [k("pagerWebhookUrl")]: ` http://127.0.0.1:8787/${MARK}-space` }),
        key: k("pagerWebhookUrl"),
        expected: URL_FORM,
    },
    {
        title: "empty Slack secret",
        raw: () => set(base("dev"), { [k("alertsWebhookUrl")]: "" }),
        key: k("alertsWebhookUrl"),
        expected: /a secret Slack incoming webhook URL .*pulumi config set --secret alertsWebhookUrl/,
    },
    {
        title: "blank Prefect Cloud API key",
        raw: () => set(base("dev"), { "prefect:apiKey": "   " }),
        key: "prefect:apiKey",
        expected: /a secret token \(Prefect Cloud API key/,
    },
    {
        title: "webhook secret missing",
        raw: () => set(base("local"), { [k("infoWebhookUrl")]: undefined }),
        key: k("infoWebhookUrl"),
        expected: /a secret webhook URL \(webhook URL of channel "info"\)/,
    },
    {
        title: "Slack URL given as plain config",
        raw: () => asPlain(base("dev"), k("alertsWebhookUrl")),
        key: k("alertsWebhookUrl"),
        expected: /a secret value, not plain config/,
    },
    {
        title: "PagerDuty token given as plain config",
        raw: () => asPlain(base("prod"), "pagerduty:token"),
        key: "pagerduty:token",
        expected: /a secret value, not plain config .*pulumi config set --secret pagerduty:token/,
    },
    {
        title: "a plain setting stored as a secret",
        raw: () => asSecret(base("prod"), k("critical")),
        key: k("critical"),
        expected: /a plain \(non-secret\) value/,
    },

    // Numbers out of range.
    {
        title: "zero threshold",
        raw: () => editKey(base("prod"), "critical", (c) => ({ ...c, threshold: 0 })),
        key: k("critical.threshold"),
        expected: /a whole number of failures from 2 to 100/,
    },
    {
        title: "negative threshold",
        raw: () => editKey(base("prod"), "critical", (c) => ({ ...c, threshold: -3 })),
        key: k("critical.threshold"),
        expected: /a whole number of failures from 2 to 100/,
    },
    {
        title: "fractional threshold",
        raw: () => editKey(base("prod"), "critical", (c) => ({ ...c, threshold: 2.5 })),
        key: k("critical.threshold"),
        expected: /a whole number of failures from 2 to 100/,
    },
    {
        title: "threshold as words",
        raw: () => editKey(base("prod"), "critical", (c) => ({ ...c, threshold: "three" })),
        key: k("critical.threshold"),
        expected: /a whole number of failures from 2 to 100/,
    },
    {
        title: "window of zero hours",
        raw: () => editKey(base("prod"), "critical", (c) => ({ ...c, windowHours: 0 })),
        key: k("critical.windowHours"),
        expected: /a number of hours from 0\.1 to 720/,
    },
    {
        title: "window over 30 days",
        raw: () => editKey(base("prod"), "critical", (c) => ({ ...c, windowHours: 721 })),
        key: k("critical.windowHours"),
        expected: /a number of hours from 0\.1 to 720/,
    },
    {
        title: "P1 silence under Prefect's 10 s minimum",
        raw: () => editKey(base("prod"), "p1", (p) => ({ ...p, noSuccessMinutes: 0.1 })),
        key: k("p1.noSuccessMinutes"),
        expected:
            /a number of minutes from 0\.5 to 10080 \(a Proactive trigger's window: Prefect refuses one under 10 s, and 0 never fires\)/,
    },
    {
        title: "negative escalation delay",
        raw: () => pd((p) => ({ ...p, escalation: { ...p.escalation, onCallAckMinutes: -15 } })),
        key: k("pagerDuty.escalation.onCallAckMinutes"),
        expected: /a whole number of minutes from 1 to 1440/,
    },
    {
        title: "ten repeats of the escalation ladder",
        raw: () => pd((p) => ({ ...p, escalation: { ...p.escalation, repeat: 10 } })),
        key: k("pagerDuty.escalation.repeat"),
        expected: /a whole number of repeats from 0 to 9/,
    },
    {
        title: "rotation turn of zero hours",
        raw: () => schedule((s) => ({ ...s, turnLengthHours: 0 })),
        key: k("pagerDuty.schedule.turnLengthHours"),
        expected: /a whole number of hours from 1 to 2160/,
    },
    {
        title: "recovery window of 3 days",
        raw: () => editKey(base("prod"), "secretsManager", (s) => ({ ...s, recoveryWindowInDays: 3 })),
        key: k("secretsManager.recoveryWindowInDays"),
        expected: /0 or a whole number of days from 7 to 30/,
    },

    // References between settings.
    {
        title: "unknown channel in the warning tier",
        raw: () => editKey(base("dev"), "warning", (w) => ({ ...w, channels: ["alert"] })),
        key: k("warning.channels[0]"),
        expected: /one of the channels defined under channels \(alerts\)/,
    },
    {
        title: "unknown channel in the P1 tier",
        raw: () => editKey(base("prod"), "p1", (p) => ({ ...p, channels: ["critical", "pagerP2"] })),
        key: k("p1.channels[1]"),
        expected: /one of the channels defined under channels \(alerts, critical, pager, pagerP1\)/,
    },
    {
        title: "unknown route in the critical tier",
        raw: () => editKey(base("prod"), "critical", (c) => ({ ...c, routes: ["etl"] })),
        key: k("critical.routes[0]"),
        expected: /one of the routes defined under routes \(dlt\)/,
    },
    {
        title: "PagerDuty channel while PagerDuty is off",
        raw: () => pd((p) => ({ ...p, enabled: false })),
        key: k("critical.channels[1]"),
        expected: /a channel that is not PagerDuty while pagerDuty\.enabled is false/,
    },
    {
        title: "warning tier on without channels",
        raw: () => editKey(base("dev"), "warning", () => ({ enabled: true })),
        key: k("warning.channels"),
        expected: /at least one channel name/,
    },
    {
        title: "empty channel list",
        raw: () => editKey(base("prod"), "critical", (c) => ({ ...c, channels: [] })),
        key: k("critical.channels"),
        expected: /at least one channel name/,
    },

    // Duplicates.
    {
        title: "the same channel twice in a tier",
        raw: () => editKey(base("prod"), "critical", (c) => ({ ...c, channels: ["critical", "critical"] })),
        key: k("critical.channels"),
        expected: /a list of channel names without duplicates/,
    },
    {
        title: "the same tag twice in a route",
        raw: () => editKey(base("dev"), "routes", () => ({ dlt: { tags: ["dlt", "dlt"] } })),
        key: k("routes.dlt.tags"),
        expected: /a list of tags without duplicates/,
    },
    {
        title: "the same on-call user twice",
        raw: () => schedule((s) => ({ ...s, users: ["oncall-one@example.com", "oncall-one@example.com"] })),
        key: k("pagerDuty.schedule.users"),
        expected: /without duplicates/,
    },
    {
        title: "the same work pool twice",
        raw: () => editKey(base("prod"), "p1", (p) => ({ ...p, workPools: ["default-work-pool", "default-work-pool"] })),
        key: k("p1.workPools"),
        expected: /a list of work pool names without duplicates/,
    },
    {
        title: "two channel names that differ only in case (same block name)",
        raw: () =>
            editKey(
                editKey(
                    set(
                        base("dev"),
                        {
                            [k("alertsTeamWebhookUrl")]: base("dev").values[k("alertsWebhookUrl")],
                            [k("alertsTEAMWebhookUrl")]: base("dev").values[k("alertsWebhookUrl")],
                        },
                        true,
                    ),
                    "channels",
                    () => ({
                        alertsTeam: { type: "slack", slackChannel: "#data-alerts" },
                        alertsTEAM: { type: "slack", slackChannel: "#data-alerts-2" },
                    }),
                ),
                "warning",
                (w) => ({ ...w, channels: ["alertsTeam", "alertsTEAM"] }),
            ),
        key: k("channels.alertsTEAM"),
        expected: /a channel name that differs from "alertsTeam" by more than letter case/,
    },
    {
        title: "the same name for both PagerDuty services",
        raw: () => pd((p) => ({ ...p, p1ServiceName: p.serviceName })),
        key: k("pagerDuty.p1ServiceName"),
        expected: /a name different from pagerDuty\.serviceName/,
    },

    // PagerDuty.
    {
        title: "PagerDuty on without its token",
        raw: () => set(base("prod"), { "pagerduty:token": undefined }),
        key: "pagerduty:token",
        expected: /a secret token \(PagerDuty REST API token/,
    },
    {
        title: "the PagerDuty API key the old Apprise block needed, still set",
        raw: () => set(base("prod"), { [k("pagerDutyApiKey")]: "pd-api-key" }, true),
        key: k("pagerDutyApiKey"),
        expected: /no pagerDutyApiKey: pagerduty channels send Events API v2 themselves .* remove it: pulumi config rm pagerDutyApiKey/,
    },
    {
        title: "PagerDuty on without on-call users",
        raw: () => schedule((s) => ({ ...s, users: [] })),
        key: k("pagerDuty.schedule.users"),
        expected: /at least one PagerDuty user/,
    },
    {
        title: "PagerDuty on without a team lead",
        raw: () => pd(({ teamLead: _, ...p }) => p),
        key: k("pagerDuty.teamLead"),
        expected: /the team lead's PagerDuty e-mail or user id/,
    },
    {
        title: "PagerDuty on without a manager",
        raw: () => pd(({ manager: _, ...p }) => p),
        key: k("pagerDuty.manager"),
        expected: /the manager's PagerDuty e-mail or user id/,
    },
    {
        title: "PagerDuty on without a schedule",
        raw: () => pd(({ schedule: _, ...p }) => p),
        key: k("pagerDuty.schedule"),
        expected: /an on-call schedule with rotationStart and users/,
    },
    {
        title: "PagerDuty channel for an unknown service",
        raw: () => editKey(base("prod"), "channels", (c) => ({ ...c, pager: { type: "pagerduty", service: "p2" } })),
        key: k("channels.pager.service"),
        expected: /"critical" or "p1"/,
    },
    {
        title: "on-call e-mail without a domain",
        raw: () => schedule((s) => ({ ...s, users: ["oncall-one@example", "oncall-two@example.com"] })),
        key: k("pagerDuty.schedule.users[0]"),
        expected: /a PagerDuty user as an e-mail address or a user id/,
    },
    {
        title: "manager e-mail with a space",
        raw: () => pd((p) => ({ ...p, manager: "data manager@example.com" })),
        key: k("pagerDuty.manager"),
        expected: /a PagerDuty user as an e-mail address or a user id/,
    },
    {
        title: "team lead as a lower-case user id",
        raw: () => pd((p) => ({ ...p, teamLead: "pabc123" })),
        key: k("pagerDuty.teamLead"),
        expected: /a PagerDuty user as an e-mail address or a user id/,
    },
    {
        title: "misspelled time zone",
        raw: () => schedule((s) => ({ ...s, timeZone: "Europe/Londn" })),
        key: k("pagerDuty.schedule.timeZone"),
        expected: /an IANA time zone such as "Europe\/London"/,
    },
    {
        title: "UTC offset instead of a time zone",
        raw: () => schedule((s) => ({ ...s, timeZone: "+01:00" })),
        key: k("pagerDuty.schedule.timeZone"),
        expected: /an IANA time zone/,
    },
    {
        title: "rotation start without an offset",
        raw: () => schedule((s) => ({ ...s, rotationStart: "2026-01-05T09:00:00" })),
        key: k("pagerDuty.schedule.rotationStart"),
        expected: /an ISO 8601 date-time with offset/,
    },
    {
        title: "rotation start on a day that does not exist",
        raw: () => schedule((s) => ({ ...s, rotationStart: "2026-02-30T09:00:00Z" })),
        key: k("pagerDuty.schedule.rotationStart"),
        expected: /an ISO 8601 date-time with offset/,
    },
    {
        title: "rotation start in words",
        raw: () => schedule((s) => ({ ...s, rotationStart: "next Monday 9am" })),
        key: k("pagerDuty.schedule.rotationStart"),
        expected: /an ISO 8601 date-time with offset/,
    },

    // Keys and shapes.
    {
        title: "misspelled top-level key",
        raw: () => set(base("prod"), { [k("critcal")]: '{"enabled":true}' }),
        key: k("critcal"),
        // The retired pagerDutyApiKey is refused on its own, never offered as a known key.
        expected: /a known key \((?![^)]*pagerDutyApiKey)[^)]*<channel>WebhookUrl, <channel>ApiKey\).*did you mean "critical"\?/,
    },
    {
        title: "misspelled nested key",
        raw: () => editKey(base("dev"), "warning", (w) => ({ ...w, chanels: w.channels })),
        key: k("warning.chanels"),
        expected: /one of the settings enabled, routes, channels, repeatMinutes \(did you mean "channels"\?\)/,
    },
    {
        title: "misspelled key two levels down",
        raw: () => schedule(({ timeZone, ...s }) => ({ ...s, timezone: timeZone })),
        key: k("pagerDuty.schedule.timezone"),
        expected: /one of the settings name, timeZone, rotationStart, turnLengthHours, users \(did you mean "timeZone"\?\)/,
    },
    {
        title: "misspelled provider key",
        raw: () => set(base("dev"), { "prefect:workspace": "00000000-0000-0000-0000-000000000000" }),
        key: "prefect:workspace",
        expected: /a known provider key \(prefect:accountId, .*prefect:workspaceId\) \(did you mean "prefect:workspaceId"\?\)/,
    },
    {
        title: "route with no criteria",
        raw: () => editKey(base("dev"), "routes", () => ({ dlt: {} })),
        key: k("routes.dlt"),
        expected: /a route with at least one of tags, flows or deployments/,
    },
    {
        title: "an empty routes map (the warning tier would watch nothing)",
        raw: () => editKey(base("prod"), "routes", () => ({})),
        key: k("routes"),
        expected: /at least one route \(or no routes key, for the default dlt tag route\)/,
    },
    {
        title: "route with only empty lists",
        raw: () => editKey(base("dev"), "routes", () => ({ dlt: { tags: [], flows: [] } })),
        key: k("routes.dlt"),
        expected: /a route with at least one of tags, flows or deployments/,
    },
    {
        title: "wildcard flow name",
        raw: () => editKey(base("local"), "successNotice", (s) => ({ ...s, flows: ["products-*"] })),
        key: k("successNotice.flows[0]"),
        expected: /flow name without a leading "!" or trailing "\*"/,
    },
    {
        title: "negated tag",
        raw: () => editKey(base("dev"), "routes", () => ({ dlt: { tags: ["!dlt"] } })),
        key: k("routes.dlt.tags[0]"),
        expected: /tag without a leading "!"/,
    },
    {
        title: "unknown setting inside a channel (names that kind's settings)",
        raw: () => editKey(base("dev"), "channels", () => ({ alerts: { type: "slack", slackChannel: "#data-alerts", url: "x" } })),
        key: k("channels.alerts.url"),
        expected: /one of the settings type, slackChannel\.?$/,
    },
    {
        title: "unknown channel type",
        raw: () => editKey(base("dev"), "channels", () => ({ alerts: { type: "sms" } })),
        key: k("channels.alerts.type"),
        expected: /a channel with type "slack", "webhook", "pagerduty", "teams", "heartbeat" or "email"/,
    },
    {
        title: "Slack channel without #",
        raw: () => editKey(base("dev"), "channels", () => ({ alerts: { type: "slack", slackChannel: "data-alerts" } })),
        key: k("channels.alerts.slackChannel"),
        expected: /a Slack channel name such as "#data-alerts"/,
    },
    {
        title: "channel name with a hyphen",
        raw: () => editKey(base("dev"), "channels", (c) => ({ ...c, "data-alerts": { type: "slack", slackChannel: "#x" } })),
        key: k("channels.data-alerts"),
        expected: /a name of 1 to 40 letters and digits starting with a lower-case letter/,
    },
    {
        title: "channels as a single name",
        raw: () => set(base("dev"), { [k("channels")]: "alerts" }),
        key: k("channels"),
        expected: /a map of channel name to channel/,
    },
    {
        title: "unknown environment",
        raw: () => set(base("prod"), { [k("environment")]: "prod" }),
        key: k("environment"),
        expected: /"development", "staging" or "production"/,
    },
    {
        title: "enabled as text",
        raw: () => editKey(base("dev"), "warning", (w) => ({ ...w, enabled: "yes" })),
        key: k("warning.enabled"),
        expected: /true or false/,
    },
    {
        title: "success notices on without flows",
        raw: () => editKey(base("local"), "successNotice", (s) => ({ ...s, flows: [] })),
        key: k("successNotice.flows"),
        expected: /at least one flow name when successNotice\.enabled is true/,
    },
    {
        title: "a freshness entry with no channels (none of its own, none for the section)",
        raw: () => editKey(base("prod"), "freshness", () => ({ deployments: { "exchange-rates-daily-prod": { maxAgeHours: 26 } } })),
        key: k("freshness.deployments.exchange-rates-daily-prod.channels"),
        expected: /channel names here, or for every entry under freshness\.channels/,
    },
    {
        title: "freshness on calibrated windows without the section's channels",
        raw: () => editKey(base("prod"), "freshness", () => ({ calibrated: true })),
        key: k("freshness.channels"),
        expected: /channel names: calibrated is on, and calibrated deployments send here/,
    },
    {
        title: "freshness.calibrated not a boolean",
        raw: () => editKey(base("prod"), "freshness", (f) => ({ ...f, calibrated: "yes" })),
        key: k("freshness.calibrated"),
        expected: /true or false/,
    },
    {
        title: "a freshness entry's own channel that does not exist, named where it is written",
        raw: () => editKey(base("prod"), "freshness", (f) => ({ ...f, flows: { "orders-hourly": { channels: ["alerts", "pagr"] } } })),
        key: k("freshness.flows.orders-hourly.channels[1]"),
        expected: /one of the channels defined under channels \(alerts, critical, pager, pagerP1\)/,
    },
    {
        title: "a data-quality event in Prefect's reserved namespace",
        raw: () => editKey(base("dev"), "dataQuality", () => ({ events: ["prefect.flow-run.Completed"], channels: ["alerts"] })),
        key: k("dataQuality.events[0]"),
        expected: /an event name outside Prefect's reserved namespaces prefect\.\* and prefect-cloud\.\*/,
    },
    {
        title: "a data-quality payload field that is not an identifier",
        raw: () => editKey(base("dev"), "dataQuality", () => ({ events: ["acme.table.empty"], channels: ["alerts"], fields: ["rows}}"] })),
        key: k("dataQuality.fields[0]"),
        expected: /a payload field name such as "rows_loaded"/,
    },
    {
        title: "health P1 channels naming a channel that does not exist, named where it is written",
        raw: () => editKey(base("local"), "health", () => ({ deployments: ["d"], channels: ["alerts"], p1Channels: ["pager", "nope"] })),
        key: k("health.p1Channels[1]"),
        expected: /one of the channels defined under channels/,
    },
    {
        title: "P1 on without a signal",
        raw: () => editKey(base("prod"), "p1", ({ workPools: _, noSuccessMinutes: __, ...p }) => p),
        key: k("p1"),
        expected: /at least one P1 signal when p1\.enabled is true/,
    },
    {
        title: "a stuck-run window under Prefect's 10 s Proactive floor",
        raw: () => editKey(base("dev"), "stuckRuns", () => ({ enabled: true, channels: ["alerts"], stuckAfterMinutes: 0.1 })),
        key: k("stuckRuns.stuckAfterMinutes"),
        expected: /a number of minutes from 0\.25 to 10080 \(how long a run may stay Running: a Proactive trigger's window/,
    },
    {
        // Every channel an automation of the stack sends to counts, not the tiers' alone: late runs go to Slack here.
        title: "a Slack fallback for failed deliveries while late runs go to Slack (the tiers use a webhook)",
        raw: () => {
            let raw = editKey(base("dev"), "channels", (c) => ({
                ...c,
                hook: { type: "webhook" },
                fallback: { type: "slack", slackChannel: "#alerting-meta" },
            }));
            raw = editKey(raw, "warning", () => ({ enabled: true, channels: ["hook"] }));
            raw = editKey(raw, "lateRuns", () => ({ enabled: true, channels: ["alerts"] }));
            return editKey(raw, "deliveryFailure", () => ({ enabled: true, channels: ["fallback"] }));
        },
        key: k("deliveryFailure.channels[0]"),
        expected: /a fallback channel of another kind than the channels the stack's alerts go to \(webhook, slack\).*"fallback" is slack/,
    },
    {
        title: "late runs with a severity that is not warning or critical",
        raw: () => editKey(base("dev"), "lateRuns", () => ({ enabled: true, channels: ["alerts"], severity: "p1" })),
        key: k("lateRuns.severity"),
        expected: /"warning" or "critical"/,
    },

    // Prefect and AWS.
    {
        title: "non-UUID Prefect Cloud workspace id",
        raw: () => set(base("dev"), { "prefect:workspaceId": "my-workspace" }),
        key: "prefect:workspaceId",
        expected: /the Prefect Cloud account \/ workspace id \(a UUID\)/,
    },
    {
        title: "Prefect Cloud without an account id",
        raw: () => set(base("prod"), { "prefect:accountId": undefined }),
        key: "prefect:accountId",
        expected: /a UUID/,
    },
    {
        title: "Prefect endpoint without a scheme",
        raw: () => set(base("local"), { "prefect:endpoint": "127.0.0.1:4200/api" }),
        key: "prefect:endpoint",
        expected: /the Prefect API URL/,
    },
    {
        title: "webhook secret for a channel that does not exist",
        raw: () => set(base("dev"), { [k("alertWebhookUrl")]: `https://hooks.slack.com/services/T00000000/B00000000/${MARK}typo` }, true),
        key: k("alertWebhookUrl"),
        expected: /a <channel>WebhookUrl key for a slack, webhook, teams or heartbeat channel defined under channels \(alerts\)/,
    },
    {
        title: "webhook URL of an unused channel committed as plain config",
        raw: () =>
            editKey(
                set(base("dev"), { [k("infoWebhookUrl")]: `https://hooks.slack.com/services/T00000000/B00000000/${MARK}plain` }),
                "channels",
                (c) => ({ ...c, info: { type: "slack", slackChannel: "#data-info" } }),
            ),
        key: k("infoWebhookUrl"),
        expected: /a secret value, not plain config/,
    },
    {
        title: "Secrets Manager on without aws:region",
        raw: () => set(base("prod"), { "aws:region": undefined }),
        key: "aws:region",
        expected: /an AWS region such as "eu-west-1" when secretsManager\.enabled is true/,
    },
    {
        title: "a placeholder (all-zero) Prefect Cloud account id",
        raw: () => set(base("dev"), { "prefect:accountId": "00000000-0000-0000-0000-000000000000" }),
        key: "prefect:accountId",
        expected: new RegExp(
            "not a placeholder such as 00000000-0000-0000-0000-000000000000; " +
                "set both: pulumi config set prefect:accountId <account uuid> and pulumi config set prefect:workspaceId <workspace uuid>",
        ),
    },
    {
        title: "an all-zero Prefect Cloud workspace id written without dashes",
        raw: () => set(base("prod"), { "prefect:workspaceId": "00000000000000000000000000000000" }),
        key: "prefect:workspaceId",
        expected: /the Prefect Cloud account \/ workspace id \(a UUID\)/,
    },

    // Namespaces and provider credentials (issue 8, item 4).
    {
        title: "a misspelled project namespace",
        raw: () => set(base("dev"), { "prefect_alerting:critical": '{"enabled":true,"channels":["alerts"]}' }),
        key: "prefect_alerting:critical",
        expected: new RegExp(
            "a key in one of the namespaces prefect-alerting, prefect, pagerduty, aws, pulumi " +
                '\\(did you mean "prefect-alerting:critical"\\?\\)',
        ),
    },
    {
        title: "a key without a namespace",
        raw: () => set(base("dev"), { critical: '{"enabled":true}' }),
        key: "critical",
        expected: /a key with a namespace, <namespace>:<name>.* \(did you mean "prefect-alerting:critical"\?\)/,
    },
    {
        title: "a misspelled provider namespace",
        raw: () => set(base("prod"), { "pagerduty2:token": `${MARK}-pd` }, true),
        key: "pagerduty2:token",
        expected: /a key in one of the namespaces .* \(did you mean "pagerduty:token"\?\)/,
    },
    {
        title: "Prefect basic-auth key in plain config",
        raw: () => set(base("local"), { "prefect:basicAuthKey": `${MARK}-basic-auth` }),
        key: "prefect:basicAuthKey",
        expected: new RegExp(
            "a secret value, not plain config \\(the prefect provider's credential basicAuthKey\\); " +
                "set it with: pulumi config set --secret prefect:basicAuthKey <value>",
        ),
    },
    {
        title: "AWS secret key in plain config",
        raw: () => set(base("prod"), { "aws:secretKey": `${MARK}-aws-secret` }),
        key: "aws:secretKey",
        expected: /a secret value, not plain config \(the aws provider's credential secretKey\)/,
    },

    // Values the providers would truncate or refuse (issue 8, item 5).
    {
        title: "an escalation delay of 1.5 minutes",
        raw: () => pd((p) => ({ ...p, escalation: { ...p.escalation, teamLeadAckMinutes: 1.5 } })),
        key: k("pagerDuty.escalation.teamLeadAckMinutes"),
        expected: /a whole number of minutes from 1 to 1440 \(PagerDuty escalation delays are whole minutes\)/,
    },
    {
        title: "a P1 escalation delay of 2.5 minutes, written as text",
        raw: () => pd((p) => ({ ...p, escalation: { ...p.escalation, p1AckMinutes: "2.5" } })),
        key: k("pagerDuty.escalation.p1AckMinutes"),
        expected: /a whole number of minutes from 1 to 60 \(PagerDuty escalation delays are whole minutes\)/,
    },
    {
        title: "a P1 silence window of zero (Proactive within 0)",
        raw: () => editKey(base("prod"), "p1", (p) => ({ ...p, noSuccessMinutes: 0 })),
        key: k("p1.noSuccessMinutes"),
        expected: /Prefect refuses one under 10 s, and 0 never fires/,
    },
    {
        title: "a threshold written as text, out of range",
        raw: () => editKey(base("prod"), "critical", (c) => ({ ...c, threshold: "1" })),
        key: k("critical.threshold"),
        expected: /a whole number of failures from 2 to 100/,
    },
    {
        title: "a route name over 40 characters",
        raw: () => editKey(base("dev"), "routes", () => ({ [`d${"l".repeat(40)}`]: { tags: ["dlt"] } })),
        key: k(`routes.d${"l".repeat(40)}`),
        expected: /a name of 1 to 40 letters and digits starting with a lower-case letter/,
    },
    {
        title: "an empty stack file (no config: at all)",
        raw: () => ({ project: PROJECT, stack: "dev", values: {}, secretKeys: new Set<string>() }),
        key: k("channels"),
        expected: /Pulumi\.dev\.yaml sets no prefect-alerting: channels or tiers \(an empty file, or no config: section\)/,
    },
    {
        title: "secret name prefix with a space",
        raw: () => editKey(base("prod"), "secretsManager", (s) => ({ ...s, prefix: "prod prefect" })),
        key: k("secretsManager.prefix"),
        expected: /a secret name prefix such as "prod\/prefect"/,
    },
    // Prefect Cloud SLAs (signals/sla.ts).
    {
        title: "SLAs on a self-hosted Prefect server",
        raw: () => editKey(base("local"), "slas", () => slaSection({ lateness: 10 })),
        key: k("slas"),
        expected: /only in Prefect Cloud.*lateRuns.*stuckRuns.*freshness/,
    },
    {
        title: "an SLA deployment id that is a name, not a UUID",
        raw: () => editKey(base("prod"), "slas", () => slaSection({ deploymentId: "orders-load/prod", lateness: 10 })),
        key: k("slas.deployments.orders-load.deploymentId"),
        expected: /the deployment's id, a UUID/,
    },
    {
        title: "an SLA deployment without any SLA",
        raw: () => editKey(base("prod"), "slas", () => slaSection({ severity: "critical" })),
        key: k("slas.deployments.orders-load"),
        expected: /at least one SLA: timeToCompletion, frequency, lateness or freshness/,
    },
    {
        title: "an SLA lateness of zero minutes",
        raw: () => editKey(base("prod"), "slas", () => slaSection({ lateness: 0 })),
        key: k("slas.deployments.orders-load.lateness"),
        expected: /a number of minutes from 1 to 43200/,
    },
    {
        title: "an SLA severity Prefect's tiers do not have",
        raw: () => editKey(base("prod"), "slas", () => slaSection({ lateness: 10, severity: "high" })),
        key: k("slas.deployments.orders-load.severity"),
        expected: /"warning", "critical" or "p1"/,
    },
    {
        title: "a critical SLA with no channels for critical violations",
        raw: () => editKey(base("prod"), "slas", () => slaSection({ lateness: 10, severity: "critical" })),
        key: k("slas.channels.critical"),
        expected: /at least one channel name for critical SLA violations/,
    },
    {
        title: "an SLA channel that does not exist",
        raw: () => editKey(base("prod"), "slas", () => ({ ...slaSection({ lateness: 10 }), channels: { warning: ["alerst"] } })),
        key: k("slas.channels.warning[0]"),
        expected: /one of the channels defined under channels/,
    },
    {
        title: "two SLA entries for one deployment id",
        raw: () =>
            editKey(base("prod"), "slas", () => {
                const one = slaSection({ lateness: 10 });
                return { ...one, deployments: { ...one.deployments, "orders-load-again": { ...one.deployments["orders-load"] } } };
            }),
        key: k("slas.deployments.orders-load-again.deploymentId"),
        expected: /a deployment id not already used by "orders-load"/,
    },
    {
        title: "a freshness SLA without its window",
        raw: () => editKey(base("prod"), "slas", () => slaSection({ freshness: { expectedEvent: "acme.table.loaded" } })),
        key: k("slas.deployments.orders-load.freshness.withinMinutes"),
        expected: /a number of minutes from 1 to 43200/,
    },
    // Maintenance windows and mutes (issue 12): judged by the real clock here, so the dates are far in the past or future.
    {
        title: "a maintenance window that has ended",
        raw: () =>
            editKey(base("prod"), "maintenance", () => [
                { start: "2020-05-01T22:00:00Z", end: "2020-05-02T02:00:00Z", description: "old" },
            ]),
        key: k("maintenance[0].end"),
        expected: /a window that has not ended yet \(it ended at 2020-05-02T02:00:00Z, .*remove it from maintenance/,
    },
    {
        title: "a maintenance window that ends before it starts",
        raw: () =>
            editKey(base("prod"), "maintenance", () => [{ start: "2099-05-02T02:00:00Z", end: "2099-05-01T22:00:00Z", description: "x" }]),
        key: k("maintenance[0].end"),
        expected: /an end after the window's start/,
    },
    {
        title: "a maintenance window longer than maintenanceMaxHours",
        raw: () =>
            editKey(
                editKey(base("prod"), "maintenanceMaxHours", () => "6"),
                "maintenance",
                () => [{ start: "2099-05-01T22:00:00Z", end: "2099-05-02T06:00:00Z", description: "long" }],
            ),
        key: k("maintenance[0].end"),
        expected: /an end at most maintenanceMaxHours \(6 h\) after the start \(this window lasts 8 h\)/,
    },
    {
        title: "maintenance on a stack without PagerDuty",
        raw: () =>
            editKey(base("dev"), "maintenance", () => [{ start: "2099-05-01T22:00:00Z", end: "2099-05-02T02:00:00Z", description: "x" }]),
        key: k("maintenance"),
        expected: /no maintenance windows while pagerDuty.enabled is false/,
    },
    {
        title: "a production mute that ends further ahead than muteMaxDays",
        raw: () => editKey(base("prod"), "mute", () => ({ dlt: { until: "2099-01-01T00:00:00Z", reason: "migration" } })),
        key: k("mute.dlt.until"),
        expected:
            /an until at most muteMaxDays \(7 d\) from now in a production stack \(this mute ends at 2099-01-01T00:00:00Z, .*muteMaxDays/,
    },
    {
        title: "muteMaxDays out of range",
        raw: () => editKey(base("prod"), "muteMaxDays", () => "400"),
        key: k("muteMaxDays"),
        expected: /a number of days from 1 to 365/,
    },
    {
        title: "a mute without until",
        raw: () => editKey(base("prod"), "mute", () => ({ dlt: { reason: "migration" } })),
        key: k("mute.dlt.until"),
        expected: /when the mute ends \(required, so that a mute is never forgotten\)/,
    },
    {
        title: "a mute without reason",
        raw: () => editKey(base("prod"), "mute", () => ({ dlt: { until: "2099-01-01T00:00:00Z" } })),
        key: k("mute.dlt.reason"),
        expected: /the reason for the mute/,
    },
    {
        title: "a mute of a route that does not exist",
        raw: () => editKey(base("prod"), "mute", () => ({ dtl: { until: "2099-01-01T00:00:00Z", reason: "migration" } })),
        key: k("mute.dtl"),
        expected: /one of the routes defined under routes \(dlt\)/,
    },
    // Owners (issue 18): names in the one form tags are matched in, channels that exist and do not page, a known default.
    {
        title: "an owner name not in normal form",
        raw: () => editKey(base("prod"), "owners", () => ({ Data_Eng: { channels: ["alerts"] } })),
        key: k("owners.Data_Eng"),
        expected: /an owner name in normal form: lower-case letters and digits, words joined by "-" .* \(did you mean "data-eng"\?\)/,
    },
    {
        title: "an owner's channel that does not exist",
        raw: () => editKey(base("prod"), "owners", () => ({ "data-eng": { channels: ["alrets"] } })),
        key: k("owners.data-eng.channels[0]"),
        expected: /one of the channels defined under channels \(alerts, critical, pager, pagerP1\)/,
    },
    {
        title: "an owner's channel that pages",
        raw: () => editKey(base("prod"), "owners", () => ({ "data-eng": { channels: ["alerts", "pager"] } })),
        key: k("owners.data-eng.channels[1]"),
        expected: /a chat channel: an owner's pages go through the critical tier's PagerDuty channels/,
    },
    {
        title: "an owner without channels",
        raw: () => editKey(base("prod"), "owners", () => ({ "data-eng": { runbook: "https://wiki.example.com/data-eng" } })),
        key: k("owners.data-eng.channels"),
        expected: /a list of channel names/,
    },
    {
        title: "an owner's runbook that is not a URL",
        raw: () => editKey(base("prod"), "owners", () => ({ "data-eng": { channels: ["alerts"], runbook: "wiki/data-eng" } })),
        key: k("owners.data-eng.runbook"),
        expected: /a runbook URL such as "https:\/\/wiki\.example\.com\/runbooks\/orders"/,
    },
    {
        title: "a route's runbook with a brace",
        raw: () => editKey(base("prod"), "routes", () => ({ dlt: { tags: ["dlt"], runbook: "https://wiki.example.com/{{ flow.name }}" } })),
        key: k("routes.dlt.runbook"),
        expected: /a runbook URL .*no spaces, quotes, braces, \| or >/,
    },
    // Runbooks per deployment: a key names a deployment as Prefect can (one "/" at most, none of its banned characters).
    {
        title: "a deployment runbook key with a doubled '/'",
        raw: () => editKey(base("prod"), "runbooks", () => ({ deployments: { "orders//nightly": "https://wiki.example.com/orders" } })),
        key: k("runbooks.deployments.orders//nightly"),
        expected: /a deployment as "<flow>\/<deployment>" or "<deployment>" .* \(did you mean "orders\/nightly"\?\)/,
    },
    {
        title: "a deployment runbook key with two '/'",
        raw: () => editKey(base("prod"), "runbooks", () => ({ deployments: { "a/b/c": "https://wiki.example.com/orders" } })),
        key: k("runbooks.deployments.a/b/c"),
        expected:
            /a deployment as "<flow>\/<deployment>" or "<deployment>" \(Prefect names: no "\/", %, &, < or > inside a name\)(?! \(did)/,
    },
    {
        title: "a deployment runbook that is not a URL",
        raw: () => editKey(base("prod"), "runbooks", () => ({ deployments: { orders: "wiki/orders" } })),
        key: k("runbooks.deployments.orders"),
        expected: /a runbook URL such as "https:\/\/wiki\.example\.com\/runbooks\/orders"/,
    },
    {
        title: "runbooks with an unknown key",
        raw: () => editKey(base("prod"), "runbooks", () => ({ deployment: { orders: "https://wiki.example.com/orders" } })),
        key: k("runbooks.deployment"),
        expected: /did you mean "deployments"\?/,
    },
    {
        title: "a default owner written otherwise than the owner",
        raw: () =>
            editKey(
                editKey(base("prod"), "owners", () => ({ "data-eng": { channels: ["alerts"] } })),
                "defaultOwner",
                () => "Data Eng",
            ),
        key: k("defaultOwner"),
        expected: /one of the owners \(data-eng\) \(did you mean "data-eng"\?\)/,
    },
    {
        title: "a misspelt default owner",
        raw: () =>
            editKey(
                editKey(base("prod"), "owners", () => ({ "data-eng": { channels: ["alerts"] }, platform: { channels: ["critical"] } })),
                "defaultOwner",
                () => "platfrom",
            ),
        key: k("defaultOwner"),
        expected: /one of the owners \(data-eng, platform\) \(did you mean "platform"\?\)/,
    },
    {
        title: "an owner's PagerDuty service while PagerDuty is off",
        raw: () => editKey(base("local"), "owners", () => ({ "data-eng": { channels: ["alerts"], pagerDutyService: "Data Eng" } })),
        key: k("owners.data-eng.pagerDutyService"),
        expected: /no PagerDuty service while pagerDuty.enabled is false/,
    },
    {
        title: "an owner's PagerDuty service named like the stack's",
        raw: () => editKey(base("prod"), "owners", () => ({ "data-eng": { channels: ["alerts"], pagerDutyService: "Data Pipelines" } })),
        key: k("owners.data-eng.pagerDutyService"),
        expected: /a PagerDuty service name of the team's own, not the one of the stack \("Data Pipelines"\)/,
    },
    {
        title: "a team's on-call without a PagerDuty service of its own",
        raw: () =>
            editKey(base("prod"), "owners", () => ({ "data-eng": { channels: ["alerts"], onCall: { users: ["eng-one@example.com"] } } })),
        key: k("owners.data-eng.onCall"),
        expected: /no onCall without the team's own pagerDutyService/,
    },
    {
        title: "a team's on-call with nobody on it",
        raw: () =>
            editKey(base("prod"), "owners", () => ({
                "data-eng": { channels: ["alerts"], pagerDutyService: "Data Eng", onCall: { users: [] } },
            })),
        key: k("owners.data-eng.onCall.users"),
        expected: /at least one PagerDuty user \(e-mail or id\)/,
    },
    {
        title: "a team's on-call user written as a name",
        raw: () =>
            editKey(base("prod"), "owners", () => ({
                "data-eng": { channels: ["alerts"], pagerDutyService: "Data Eng", onCall: { users: ["eng-one@example.com", "Jane Doe"] } },
            })),
        key: k("owners.data-eng.onCall.users[1]"),
        expected: /a PagerDuty user as an e-mail address or a user id such as "PABC123"/,
    },
    {
        title: "a team's on-call lead written as a name",
        raw: () =>
            editKey(base("prod"), "owners", () => ({
                "data-eng": { channels: ["alerts"], pagerDutyService: "Data Eng", onCall: { users: ["PENG001"], lead: "jane" } },
            })),
        key: k("owners.data-eng.onCall.lead"),
        expected: /a PagerDuty user as an e-mail address or a user id such as "PABC123"/,
    },
    {
        title: "a team's on-call with an unknown key",
        raw: () =>
            editKey(base("prod"), "owners", () => ({
                "data-eng": { channels: ["alerts"], pagerDutyService: "Data Eng", onCall: { users: ["PENG001"], manager: "PMGR001" } },
            })),
        key: k("owners.data-eng.onCall.manager"),
        expected: /one of the settings users, lead/,
    },
    {
        title: "a default owner with a PagerDuty service of its own (the stack's critical service would page nobody)",
        raw: () =>
            editKey(
                editKey(base("prod"), "owners", () => ({ platform: { channels: ["alerts"], pagerDutyService: "Platform" } })),
                "defaultOwner",
                () => "platform",
            ),
        key: k("owners.platform.pagerDutyService"),
        expected: /no PagerDuty service of its own for the default owner \("platform"\): it takes the stack's routes/,
    },
    {
        title: "a default owner with no owners",
        raw: () => editKey(base("prod"), "defaultOwner", () => "platform"),
        key: k("defaultOwner"),
        expected: /one of the owners \(none defined\)/,
    },
];

/** An slas section with one deployment, `orders-load`, whose entry is `entry` (a valid id unless it sets one). */
function slaSection(entry: Record<string, unknown>) {
    return {
        channels: { warning: ["alerts"] },
        deployments: { "orders-load": { deploymentId: "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c", ...entry } },
    };
}

/** Runs the real program once, counting every resource and invoke it registers, with its output captured. */
async function runCounting(raw: RawConfig) {
    vi.resetModules();
    const resources: string[] = [];
    const invokes: string[] = [];
    const out = await captureOutput(() =>
        runProgram({
            stack: raw.stack,
            values: raw.values,
            secretKeys: [...raw.secretKeys],
            // Enough provider state for a wrongly accepted config to run to the end and be counted.
            newResource: async ({ type, name, inputs }) => {
                resources.push(`${type} ${name}`);
                return { id: `${name}-id`, state: { ...inputs, integrationKey: `${MARK}-${name}`, arn: `arn:${name}` } };
            },
            call: (token, inputs) => {
                invokes.push(token);
                return { id: "PMOCKUSER", email: inputs.email };
            },
        }),
    );
    return { out, resources, invokes };
}

const MESSAGE = /^Invalid configuration for stack "([^"]+)": (\S+): expected (.+)\.$/s;

describe.each(cases.map((c) => [c.title, c] as const))("%s", (_title, c) => {
    const raw = c.raw();
    const secrets = [...raw.secretKeys].map((key) => ({ label: key, value: raw.values[key] ?? "" })).filter((s) => s.value.includes(MARK));
    const valuesWithMark = Object.entries(raw.values)
        .filter(([, v]) => v.includes(MARK))
        .map(([label, value]) => ({ label, value }));

    it("the parser refuses it with one ConfigError naming stack, key and expected form", () => {
        let error: unknown;
        try {
            parseStackConfig(raw);
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(ConfigError);
        const e = error as ConfigError;
        expect({ stack: e.stack, key: e.key }).toEqual({ stack: raw.stack, key: c.key });
        expect(e.expected).toMatch(c.expected);
        expect(e.message).toMatch(MESSAGE);
        expect(sentinelsIn(e.message, [...secrets, ...valuesWithMark])).toEqual([]);
    });

    describe("the real program", () => {
        let outcome: { message: string; name: string; printed: string; resources: string[]; invokes: string[] };
        beforeAll(async () => {
            const { out, resources, invokes } = await runCounting(raw);
            const error = out.error as Error | undefined;
            outcome = { message: error?.message ?? "", name: error?.constructor.name ?? "no error", printed: out.text, resources, invokes };
        });

        it("stops with that one message and prints nothing else", () => {
            const [, stack, key] = MESSAGE.exec(outcome.message) ?? [];
            expect({ stack, key }).toEqual({ stack: raw.stack, key: c.key });
            expect(outcome.message).toMatch(c.expected);
            // RunError: Pulumi reports it without a stack trace.
            expect(outcome.name).toBe("RunError");
            expect(outcome.printed).toBe("");
            expect(sentinelsIn(outcome.message, [...secrets, ...valuesWithMark])).toEqual([]);
        });

        it("registers zero resources and makes no invokes", () => {
            expect(outcome.resources).toEqual([]);
            expect(outcome.invokes).toEqual([]);
        });
    });
});

describe("the committed stacks, unchanged, through the same harness", () => {
    // What each case changes is what is refused: the stacks it starts from run to the end, silently, with every tier's automations.
    it.each(["dev", "prod", "local"])("%s runs to the end, prints nothing and registers its blocks and automations", async (stack) => {
        const { out, resources } = await runCounting(base(stack));
        expect(out.error).toBeUndefined();
        expect(out.text).toBe("");
        const cfg = parseStackConfig(base(stack));
        const automations = resources.filter((r) => r.startsWith("prefect:index/automation:Automation "));
        const blocks = resources.filter((r) => r.startsWith("prefect:index/block:Block "));
        expect(blocks).toHaveLength(cfg.channels.length);
        expect(automations.map((r) => r.split(" ")[1]).sort()).toEqual(
            planAlerting(cfg)
                .automations.map((a) => a.key)
                .sort(),
        );
    });
});
