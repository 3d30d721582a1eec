/**
 * Every signal × every channel kind × {off, on}, from the registries (signals/table.ts, channels/registry.ts): each
 * combination is a stack config with the minimal settings the signal needs, sending to a channel of that kind. A
 * valid one runs the way `npm run preview` runs it (the real program under mocks, then the policy pack as Pulumi
 * Deployments runs it, cli/preview/policies.ts) and must give no mandatory violation: a combination the pack
 * refuses must be refused by the config first, with a ConfigError. Identical configs (every "off" but the warning
 * tier's) share one run. A signal that needs Prefect Cloud (its settings' needsCloud) runs on a Cloud stack, every
 * other on a self-hosted server.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { stableJson, thresholdsFile } from "../cli/calibrate/file";
import { propose } from "../cli/calibrate/stats";
import { readThresholdsFile } from "../config/thresholdsFile";
import { CHANNEL_KINDS, ChannelSpec, ChannelType } from "../channels/registry";
import { ConfigError } from "../config/errors";
import { PROJECT, RawConfig, parseStackConfig } from "../config/load";
import { runProgramForEngine } from "../harness/engineCapture";
import { planAlerting } from "../rules/plan";
import { PolicyCheck, checkPolicies } from "../cli/preview/policies";
import { SIGNALS } from "../signals/table";
import type { Signal } from "../signals/signal";
import { SLACK_URL, STACK_VALUES } from "./helpers/stacks";

const STACK = "matrix";
const SELF_HOSTED = "http://127.0.0.1:4200/api";
const k = (key: string) => `${PROJECT}:${key}`;

/**
 * The least each signal needs to be on, sending to `channels`, by signal id. Not a list to iterate: the matrix
 * iterates SIGNALS, and a signal missing here fails the first test.
 */
const ON: Record<string, (channels: string[]) => unknown> = {
    finalFailure: (channels) => ({ enabled: true, channels }),
    successNotice: (channels) => ({ enabled: true, flows: ["products-daily"], channels }),
    repeatedFailure: (channels) => ({ enabled: true, channels }),
    workPoolNotReady: (channels) => ({ enabled: true, channels, workPools: ["etl-pool"] }),
    allPipelinesDown: (channels) => ({ enabled: true, channels, noSuccessMinutes: 360 }),
    lateRuns: (channels) => ({ enabled: true, channels }),
    stuckRuns: (channels) => ({ enabled: true, channels }),
    // Its deployments come from the thresholds file written below.
    slowRuns: (channels) => ({ enabled: true, channels }),
    // Prefect Cloud only (needsCloud): its stack is a Cloud stack.
    sla: (channels) => ({
        channels: { warning: channels },
        deployments: { "orders-load": { deploymentId: "9a8b7c6d-0000-4000-8000-00000000abcd", lateness: 10 } },
    }),
    freshness: (channels) => ({ channels, flows: { "orders-load": {} } }),
    dataQuality: (channels) => ({ events: ["acme.table.empty"], channels }),
    health: (channels) => ({ deployments: ["orders-load"], channels }),
    deliveryFailure: (channels) => ({ enabled: true, channels }),
    watchdog: (channels) => ({ enabled: true, channel: channels[0], intervalMinutes: 5 }),
};

/** The matrix stack's thresholds file (one calibrated deployment under the default route), where the program reads it. */
process.env.PREFECT_ALERTING_THRESHOLDS_DIR = mkdtempSync(join(tmpdir(), "matrix-thresholds-"));
const tenSeconds = Array.from({ length: 10 }, (_, i) => ({ start: new Date(i * 60_000).toISOString(), runSeconds: 10 }));
writeFileSync(
    join(process.env.PREFECT_ALERTING_THRESHOLDS_DIR, `${STACK}.json`),
    stableJson(thresholdsFile(STACK, 10, [{ flow: "orders", deployment: "hourly", routes: ["dlt"], proposal: propose(tenSeconds) }])),
);

/** A channel of each kind, with the secrets and settings it needs when used, by kind. */
interface KindSample {
    channels: Record<string, ChannelSpec>;
    secrets: Record<string, string>;
    config?: Record<string, unknown>;
}
const TEAMS_URL =
    "https://placeholder.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/matrix/triggers/manual/paths/invoke";
const SAMPLES: Record<ChannelType, KindSample> = {
    slack: { channels: { target: { type: "slack", slackChannel: "#matrix" } }, secrets: { [k("targetWebhookUrl")]: SLACK_URL } },
    webhook: { channels: { target: { type: "webhook" } }, secrets: { [k("targetWebhookUrl")]: "https://receiver.example/target" } },
    teams: { channels: { target: { type: "teams" } }, secrets: { [k("targetWebhookUrl")]: TEAMS_URL } },
    heartbeat: {
        channels: { target: { type: "heartbeat" } },
        secrets: { [k("targetWebhookUrl")]: "https://hc-ping.example/matrix-check" },
    },
    email: {
        channels: { target: { type: "email", to: ["oncall@example.com", "data-team@example.com"], from: "alerts@example.com" } },
        secrets: { [k("targetApiKey")]: "SG.matrixkey0.not-a-real-sendgrid-key" },
    },
    // Both services, so neither is left unpaged (pagerduty-services-paged).
    pagerduty: {
        channels: { targetCritical: { type: "pagerduty", service: "critical" }, targetP1: { type: "pagerduty", service: "p1" } },
        secrets: { "pagerduty:token": "pd-token" },
        config: {
            pagerDuty: {
                enabled: true,
                schedule: { rotationStart: "2026-01-05T09:00:00Z", users: ["oncall@example.com"] },
                teamLead: "lead@example.com",
                manager: "manager@example.com",
            },
        },
    },
};

/** The stack's own failure alerts (the warning tier), unless the warning tier is the signal under test. */
const BASE = { name: "base", spec: { type: "webhook" } as ChannelSpec, secret: { [k("baseWebhookUrl")]: "https://receiver.example/base" } };

interface Combination {
    signal: Signal;
    kind: ChannelType;
    on: boolean;
    raw: RawConfig;
}

function combination(signal: Signal, kind: ChannelType, on: boolean): Combination {
    const sample = SAMPLES[kind];
    const targets = Object.keys(sample.channels);
    const sections: Record<string, unknown> = {
        channels: { [BASE.name]: BASE.spec, ...sample.channels },
        // The warning tier is on by default: it alerts on the base channel, or is the signal under test.
        warning:
            signal.configKey === "warning" ? (on ? ON[signal.id](targets) : { enabled: false }) : { enabled: true, channels: [BASE.name] },
        ...(on && signal.configKey !== "warning" ? { [signal.configKey]: ON[signal.id](targets) } : {}),
        ...(on ? sample.config : {}),
    };
    // Prefect Cloud when the signal says it needs it (SLAs), a self-hosted server otherwise.
    const cloud = on && signal.settings?.needsCloud?.(sections[signal.configKey]) !== undefined;
    const secrets = { ...BASE.secret, ...(on ? sample.secrets : {}), ...(cloud ? { "prefect:apiKey": "pnu_matrixkey" } : {}) };
    const values: Record<string, string> = { ...(cloud ? STACK_VALUES.dev : { "prefect:endpoint": SELF_HOSTED }), ...secrets };
    for (const [key, value] of Object.entries(sections)) values[k(key)] = JSON.stringify(value);
    const thresholds = readThresholdsFile(STACK);
    return { signal, kind, on, raw: { project: PROJECT, stack: STACK, values, secretKeys: new Set(Object.keys(secrets)), thresholds } };
}

const combinations = SIGNALS.flatMap((signal) =>
    CHANNEL_KINDS.flatMap((kind) => [false, true].map((on) => combination(signal, kind.type, on))),
);

/**
 * A kind a signal cannot use: a delivery-failure fallback of the same kind as the alerts it watches (the base's); a
 * heartbeat channel for anything but the watchdog, and anything but a heartbeat channel for the watchdog.
 */
const refusedByDesign = (c: Combination) =>
    c.on &&
    ((c.signal.watchesAutomations === true && c.kind === BASE.spec.type) ||
        (c.signal.settings?.pings === true) !== (c.kind === "heartbeat"));

type Outcome = { error: unknown } | { check: PolicyCheck; sentTo: string[] };

/** One program run and pack check per distinct config. */
const outcomes = new Map<string, Outcome>();
const keyOf = (raw: RawConfig) => JSON.stringify(Object.entries(raw.values).sort());

async function outcomeOf(c: Combination): Promise<Outcome> {
    let cfg;
    try {
        cfg = parseStackConfig(c.raw);
    } catch (error) {
        return { error };
    }
    const plan = planAlerting(cfg);
    const sentTo = plan.automations.filter((a) => a.signal === c.signal.id).flatMap((a) => a.channels);
    vi.resetModules();
    const { resources } = await runProgramForEngine({ stack: STACK, values: c.raw.values, secretKeys: [...c.raw.secretKeys] });
    return { check: await checkPolicies(resources, cfg.environment), sentTo };
}

const label = (c: Combination) => `${c.signal.id} × ${c.kind} ${c.on ? "on" : "off"}`;

describe("the signal × channel kind matrix", () => {
    beforeAll(async () => {
        for (const c of combinations) {
            const key = keyOf(c.raw);
            if (!outcomes.has(key)) outcomes.set(key, await outcomeOf(c));
        }
        if (process.env.MATRIX_REPORT) console.log(`matrix: ${combinations.length} combinations, ${outcomes.size} distinct configs`);
    }, 600_000);

    it("has the minimal settings of every signal of the table and a sample of every kind of the registry", () => {
        expect(Object.keys(ON).sort()).toEqual(SIGNALS.map((s) => s.id).sort());
        expect(Object.keys(SAMPLES).sort()).toEqual(CHANNEL_KINDS.map((k) => k.type).sort());
        expect(combinations).toHaveLength(SIGNALS.length * CHANNEL_KINDS.length * 2);
    });

    it("runs the SLA combinations on Prefect Cloud and the others self-hosted, as each signal's needsCloud says", () => {
        const cloudy = combinations.filter((c) => c.raw.values["prefect:endpoint"] === undefined).map(label);
        expect(cloudy.length).toBeGreaterThan(0);
        for (const c of combinations) expect(cloudy.includes(label(c)), label(c)).toBe(c.on && c.signal.settings?.needsCloud !== undefined);
    });

    it.each(combinations.map((c) => [label(c), c] as const))("%s", (_, c) => {
        const outcome = outcomes.get(keyOf(c.raw))!;
        const targets = Object.keys(SAMPLES[c.kind].channels);
        if (refusedByDesign(c)) {
            expect("error" in outcome, "refused").toBe(true);
            const error = (outcome as { error: unknown }).error;
            expect(error).toBeInstanceOf(ConfigError);
            expect((error as ConfigError).key.startsWith(k(c.signal.configKey))).toBe(true);
            return;
        }
        if ("error" in outcome) throw outcome.error;
        expect(outcome.check.lines.slice(1), outcome.check.lines.join("\n")).toEqual(
            outcome.check.lines.slice(1).filter((l) => !l.startsWith("  BLOCKED")),
        );
        expect(outcome.check.mandatory).toBe(0);
        // On, the signal really sends to the kind; off, nothing of it does.
        if (c.on) expect(targets.filter((t) => outcome.sentTo.includes(t)).length).toBeGreaterThan(0);
        else expect(outcome.sentTo.filter((t) => targets.includes(t))).toEqual([]);
    });
});
