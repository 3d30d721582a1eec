import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderSample } from "../alert/templates";
import { stableJson, thresholdsFile } from "../cli/calibrate/file";
import { calibrationLines } from "../cli/preview/calibration";
import { DURATION_RULE, durationStats, freshnessStats, latenessStats, mad, median, propose, quantile } from "../cli/calibrate/stats";
import { ConfigError } from "../config/errors";
import { RawConfig, parseStackConfig } from "../config/load";
import { parseThresholds } from "../config/thresholds";
import { unknownTemplateNames } from "../prefect/vocabulary";
import { coversResources } from "../backtest/match";
import { RECOVERY_WINDOW_SECONDS } from "../alert/triggers";
import { planAlerting } from "../rules/plan";
import { slowRunMessage, slowRunTrigger, slowRuns } from "../signals/slowRuns";
import { RUNNING_EVENT } from "../signals/lateRuns";
import { PER_RUN, TERMINAL_EVENTS } from "../signals/stuckRuns";
import { editKey, stackConfig } from "./helpers/stacks";

const durations = fc.array(fc.double({ min: 0, max: 1e5, noNaN: true }), { minLength: 1, maxLength: 60 });
const at = (s: number) => new Date(Date.UTC(2026, 11, 1) + s * 1000).toISOString();
/** `n` completed runs of `seconds` each, started on the hour, `late` seconds after their expected start. */
const runs = (seconds: number[], late = 0) =>
    seconds.map((d, i) => ({ expectedStart: at(i * 3600), start: at(i * 3600 + late), end: at(i * 3600 + late + d), runSeconds: d }));

describe("calibration statistics (pure)", () => {
    it("quantiles, median and MAD on known samples", () => {
        expect(median([3, 1, 2])).toBe(2);
        expect(median([4, 1, 2, 3])).toBe(2.5);
        expect(quantile([0, 10], 0.95)).toBeCloseTo(9.5);
        expect(mad([1, 1, 2, 2, 4, 6, 9])).toBe(1);
        expect(Number.isNaN(median([]))).toBe(true);
    });

    it("the limit is never below any term of the rule, and names the term that set it", () => {
        fc.assert(
            fc.property(durations, (xs) => {
                const s = durationStats(xs)!;
                const m = median(xs);
                expect(s.limitSeconds).toBeGreaterThanOrEqual(DURATION_RULE.floorSeconds);
                expect(s.limitSeconds).toBeGreaterThanOrEqual(Math.round(DURATION_RULE.factor * m * 10) / 10 - 1e-9);
                expect(s.limitSeconds + 0.05).toBeGreaterThanOrEqual(m + DURATION_RULE.k * DURATION_RULE.madScale * mad(xs));
                expect(Number.isInteger(s.limitSeconds)).toBe(true);
                if (s.limitFrom === "floor") expect(s.limitSeconds).toBe(DURATION_RULE.floorSeconds);
                if (s.limitFrom === "factor × median")
                    expect(s.limitSeconds).toBe(Math.ceil(Math.round(DURATION_RULE.factor * m * 10) / 10));
            }),
        );
    });

    it("does not depend on the order of the runs", () => {
        fc.assert(
            fc.property(durations, fc.integer(), (xs, seed) => {
                const shuffled = [...xs].sort((a, b) => ((a * 7919 + seed) % 13) - ((b * 7919 + seed) % 13));
                expect(durationStats(shuffled)).toEqual(durationStats(xs));
            }),
        );
    });

    it("is robust: fewer than half the runs hanging for hours does not move the limit past twice its clean value", () => {
        fc.assert(
            fc.property(
                fc.array(fc.double({ min: 8, max: 12, noNaN: true }), { minLength: 11, maxLength: 40 }),
                fc.double({ min: 3600, max: 86400, noNaN: true }),
                fc.double({ min: 0, max: 0.3, noNaN: true }),
                (clean, hang, share) => {
                    const outliers = Math.floor(clean.length * share);
                    const dirty = [...clean.slice(outliers), ...Array(outliers).fill(hang)];
                    expect(durationStats(dirty)!.limitSeconds).toBeLessThanOrEqual(2 * durationStats(clean)!.limitSeconds);
                },
            ),
        );
    });

    it("runs of about 10 s get the 30 s floor (3× the median); a spread-out deployment gets median + k·MAD", () => {
        const steady = durationStats([9.8, 10, 10.1, 10.3, 9.9, 10, 10.2, 10, 9.7, 10.1])!;
        expect(steady).toMatchObject({ medianSeconds: 10, limitSeconds: 30, limitFrom: "floor" });
        const spread = durationStats([60, 120, 90, 300, 100, 80, 110, 95, 70, 130])!;
        expect(spread.medianSeconds).toBe(97.5);
        expect(spread.limitFrom).toBe("median + k·MAD");
        expect(spread.limitSeconds).toBe(Math.ceil(97.5 + 5 * 1.4826 * 20));
    });

    it("proposes no limit below the minimum number of runs, but still reports lateness and gaps", () => {
        const few = propose(runs([10, 11, 12], 5));
        expect(few.runs).toBe(3);
        expect(few.duration).toBeUndefined();
        expect(few.lateness).toEqual({ medianSeconds: 5, p95Seconds: 5, maxSeconds: 5 });
        expect(few.freshness).toEqual({ medianGapSeconds: 3601, maxGapSeconds: 3601, proposedWindowSeconds: 5402 });
        expect(propose(runs(Array(10).fill(10))).duration?.limitSeconds).toBe(30);
    });

    it("lateness is start − expected start, never negative; freshness needs two completions", () => {
        expect(latenessStats([-3, 0, 10])).toEqual({ medianSeconds: 0, p95Seconds: 9, maxSeconds: 10 });
        expect(freshnessStats([100])).toBeUndefined();
        expect(freshnessStats([300, 100, 200])).toEqual({ medianGapSeconds: 100, maxGapSeconds: 100, proposedWindowSeconds: 150 });
    });

    it("falls back to end − start when Prefect's total_run_time is 0", () => {
        const r = propose(Array.from({ length: 10 }, (_, i) => ({ start: at(i * 100), end: at(i * 100 + 42), runSeconds: 0 })));
        expect(r.duration?.medianSeconds).toBe(42);
    });
});

/** A thresholds file with one calibrated deployment (median 10 s, limit 30 s, 30 runs) and one with too few runs. */
function sampleFile(stack = "dev") {
    return thresholdsFile(stack, 30, [
        { flow: "orders", deployment: "hourly", routes: ["dlt"], proposal: propose(runs(Array(30).fill(10))) },
        { flow: "orders", deployment: "backfill", routes: ["dlt"], proposal: propose(runs([100, 200])) },
    ]);
}
const source = (content: unknown, stack = "dev") => ({
    path: `thresholds/${stack}.json`,
    text: typeof content === "string" ? content : stableJson(content),
});

function configError(f: () => unknown): ConfigError {
    try {
        f();
    } catch (e) {
        if (e instanceof ConfigError) return e;
        throw e;
    }
    throw new Error("expected a ConfigError");
}

describe("thresholds/<stack>.json", () => {
    it("is written deterministically: sorted keys, the rule and sample sizes in it, the same bytes for the same runs", () => {
        const text = stableJson(sampleFile());
        expect(text).toBe(stableJson(JSON.parse(text)));
        expect(Object.keys(JSON.parse(text))).toEqual(["deployments", "rule", "stack"]);
        expect(JSON.parse(text).rule).toEqual({ factor: 2, floorSeconds: 30, k: 5, madScale: 1.4826, minRuns: 10, runsRead: 30 });
        expect(text.endsWith("}\n")).toBe(true);
    });

    it("reads back as calibrated deployments and deployments on fixed values", () => {
        expect(parseThresholds("dev", source(sampleFile()))).toEqual({
            path: "thresholds/dev.json",
            calibrated: [
                {
                    key: "orders/hourly",
                    flow: "orders",
                    deployment: "hourly",
                    routes: ["dlt"],
                    runs: 30,
                    medianSeconds: 10,
                    limitSeconds: 30,
                    freshness: { medianGapSeconds: 3600, maxGapSeconds: 3600, windowSeconds: 5400 },
                    lateness: { medianSeconds: 0, p95Seconds: 0, maxSeconds: 0 },
                },
            ],
            fixed: [{ key: "orders/backfill", runs: 2 }],
        });
        expect(parseThresholds("dev", undefined)).toEqual({ calibrated: [], fixed: [] });
    });

    const hourly = (edit: (d: any) => void) => {
        const f: any = sampleFile();
        edit(f.deployments["orders/hourly"]);
        return f;
    };
    it.each([
        ["not JSON", "{ nope", /thresholds\/dev\.json: expected JSON as `npm run calibrate` writes it/],
        [
            "a limit under 10 s",
            hourly((d) => (d.duration.limitSeconds = 5)),
            /deployments\.orders\/hourly\.duration\.limitSeconds: expected a whole number of seconds from 10/,
        ],
        ["a limit as text", hourly((d) => (d.duration.limitSeconds = "30")), /limitSeconds: expected a whole number of seconds/],
        ["an unknown key", hourly((d) => (d.limit = 30)), /deployments\.orders\/hourly: expected no key limit/],
        [
            "a key that is not <flow>/<deployment>",
            hourly((d) => (d.flow = "other")),
            /deployments\.orders\/hourly: expected the key "<flow>\/<deployment>"/,
        ],
        [
            "a file without its rule",
            (() => {
                const { rule: _, ...f } = sampleFile();
                return f;
            })(),
            /thresholds\/dev\.json: rule: expected an object as npm run calibrate writes it \(found undefined\)/,
        ],
        ["another stack's file", sampleFile("prod"), /stack: expected "dev" \(this file was calibrated for stack "prod"/],
    ])("refuses %s with one ConfigError naming the stack and the file", (_, content, message) => {
        const e = configError(() => parseThresholds("dev", source(content)));
        expect(e.stack).toBe("dev");
        expect(e.message).toMatch(/^Invalid configuration for stack "dev": thresholds\/dev\.json/);
        expect(e.message).toMatch(message);
    });

    it("a bad file stops the stack's config before any plan (parseStackConfig)", () => {
        const raw: RawConfig = { ...withSlowRuns(), thresholds: source("[]") };
        expect(configError(() => parseStackConfig(raw)).key).toBe("thresholds/dev.json: (the file)");
    });
});

function withSlowRuns(section: unknown = { enabled: true, channels: ["alerts"] }): RawConfig {
    return { ...editKey(stackConfig("dev"), "slowRuns", () => section), thresholds: source(sampleFile()) };
}
const planned = (raw: RawConfig) => planAlerting(parseStackConfig(raw)).automations.filter((a) => a.signal === "slowRuns");

describe("the slowRuns signal", () => {
    it("is in the table, off by default", () => {
        expect(slowRuns.settings.key).toBe("slowRuns");
        expect(planned({ ...stackConfig("dev"), thresholds: source(sampleFile()) })).toEqual([]);
    });

    it("plans one automation per calibrated deployment, none for those on fixed values or without a file", () => {
        const [a, ...rest] = planned(withSlowRuns());
        expect(rest).toEqual([]);
        expect(a).toMatchObject({ key: "slow-runs-orders-hourly", tier: "warning", channels: ["alerts"], routes: ["dlt"] });
        expect(a.name).toBe("[dev] Slow run (orders/hourly)");
        expect(a.description).toMatch(/more than 30 seconds \(median 10 seconds, limit 30 seconds over 30 runs; thresholds\/dev\.json\)/);
        expect(planned({ ...withSlowRuns(), thresholds: undefined })).toEqual([]);
        expect(planned(withSlowRuns({ enabled: true, channels: ["alerts"], routes: ["dlt"], severity: "critical" }))[0].tier).toBe(
            "critical",
        );
    });

    it("its trigger: the run's own Running opens a window of its limit that a terminal state closes, on that deployment only", () => {
        expect(slowRunTrigger({ flow: "orders", deployment: "hourly", limitSeconds: 30 })).toEqual({
            posture: "Proactive",
            match: { "prefect.resource.id": "prefect.flow-run.*" },
            match_related: [
                { "prefect.resource.role": "flow", "prefect.resource.name": "orders" },
                { "prefect.resource.role": "deployment", "prefect.resource.name": "hourly" },
            ],
            after: [RUNNING_EVENT],
            expect: TERMINAL_EVENTS,
            for_each: [PER_RUN],
            threshold: 1,
            within: 30,
        });
    });

    it("its message says how many times its usual time, with the statistics, in Prefect's own template names", () => {
        const d = parseThresholds("dev", source(sampleFile())).calibrated[0];
        const m = slowRunMessage(d, false);
        expect(unknownTemplateNames(m.subject + m.body)).toEqual([]);
        expect(renderSample(m.subject, "http://127.0.0.1:4200")).toMatch(/^Slow run: \S.* has run 3× its usual time$/);
        expect(m.body).toContain("has run 3× its usual time (median 10 seconds, limit 30 seconds over 30 runs) and has not ended");
        expect(slowRunMessage({ ...d, medianSeconds: 12, limitSeconds: 30 }, true).subject).toMatch(
            /^CRITICAL: .* has run 2\.5× its usual time$/,
        );
    });

    it("the preview lists calibrated deployments and those on fixed values", () => {
        const cfg = parseStackConfig(withSlowRuns());
        expect(calibrationLines(cfg)).toEqual([
            "",
            "Calibration (thresholds/dev.json): 1 deployment(s) calibrated, 1 on the stack's fixed values",
            "  calibrated  orders/hourly: slow after 30 seconds (median 10 seconds, limit 30 seconds over 30 runs)",
            "  fixed       orders/backfill: 2 completed run(s), too few to calibrate",
            "Freshness: calibrated windows unused (1 proposed; freshness.calibrated is off)",
            "Late runs: calibrated lateness unused (1 measured; lateRuns.calibrated is off)",
        ]);
        expect(calibrationLines(parseStackConfig(stackConfig("dev")))).toEqual([]);
    });
});

/**
 * slowRuns.resolveWhenEnded on prod (channels alerts and pager): orders/hourly owned by data-eng (its own PagerDuty
 * service), billing/daily unowned. One resolve automation for the section, to both PagerDuty channels, never chat.
 */
describe("slowRuns.resolveWhenEnded", () => {
    const HOURLY = "0e000000-0000-4000-8000-0000000000c1";
    const DAILY = "0e000000-0000-4000-8000-0000000000d2";
    const file = (ids: boolean) =>
        thresholdsFile("prod", 30, [
            {
                flow: "orders",
                deployment: "hourly",
                ...(ids ? { deploymentId: HOURLY } : {}),
                owner: "data-eng",
                routes: ["dlt"],
                proposal: propose(runs(Array(30).fill(10))),
            },
            {
                flow: "billing",
                deployment: "daily",
                ...(ids ? { deploymentId: DAILY } : {}),
                routes: ["dlt"],
                proposal: propose(runs(Array(30).fill(10))),
            },
        ]);
    const prod = (section: Record<string, unknown>, ids = true, channels = ["alerts", "pager"]): RawConfig => ({
        ...editKey(
            editKey(stackConfig("prod"), "owners", () => ({
                "data-eng": { channels: ["critical"], pagerDutyService: "Data Eng" },
            })),
            "slowRuns",
            () => ({ enabled: true, channels, ...section }),
        ),
        thresholds: source(file(ids), "prod"),
    });
    const resolves = (raw: RawConfig) => planned(raw).filter((a) => a.incident?.action === "resolve");

    it("is off by default: no resolve, the alerts unchanged", () => {
        expect(resolves(prod({}))).toEqual([]);
        expect(planned(prod({ resolveWhenEnded: true })).filter((a) => a.incident?.action === "trigger")).toEqual(planned(prod({})));
    });

    it("one automation for the section, to the section's and the owner's PagerDuty channels, never chat", () => {
        const alerts = planned(prod({ resolveWhenEnded: true }));
        expect(alerts.map((a) => [a.key, a.channels])).toEqual([
            ["slow-runs-billing-daily", ["alerts", "pager"]],
            ["slow-runs-orders-hourly", ["critical", "pagerOwner-data-eng"]],
            ["slow-run-resolve", ["pager", "pagerOwner-data-eng"]],
        ]);
        const [billing, , resolve] = alerts;
        expect(resolve.name).toBe("[prod] Slow run ended");
        // The alert's key (the stuck-run key, per run): its resolve closes the incident the alert opened.
        expect(resolve.incident).toEqual({ ...billing.incident, action: "resolve" });
        expect(resolve.armedBy).toBeUndefined();
    });

    it("its trigger: Reactive, a run's own Running then any terminal state, for_each the run, on the watched deployments by id", () => {
        const [, , resolve] = planned(prod({ resolveWhenEnded: true }));
        expect(resolve.trigger).toEqual({
            posture: "Reactive",
            match: { "prefect.resource.id": "prefect.flow-run.*" },
            match_related: [
                {
                    "prefect.resource.role": "deployment",
                    "prefect.resource.id": [`prefect.deployment.${HOURLY}`, `prefect.deployment.${DAILY}`],
                },
            ],
            after: [RUNNING_EVENT],
            expect: TERMINAL_EVENTS,
            for_each: [PER_RUN],
            threshold: 1,
            within: RECOVERY_WINDOW_SECONDS,
        });
        // Judged as the server judges it: a run of either watched deployment, not another flow's `daily`.
        const run = (id: string, flow = "billing") => [
            { "prefect.resource.id": `prefect.flow.${flow}`, "prefect.resource.role": "flow", "prefect.resource.name": flow },
            { "prefect.resource.id": `prefect.deployment.${id}`, "prefect.resource.role": "deployment", "prefect.resource.name": "daily" },
        ];
        const covers = (related: Record<string, string>[]) =>
            coversResources(resolve.trigger.match, resolve.trigger.match_related, { "prefect.resource.id": "prefect.flow-run.x" }, related);
        expect([covers(run(DAILY)), covers(run(HOURLY, "orders")), covers(run("0e000000-0000-4000-8000-0000000000e3", "other"))]).toEqual([
            true,
            true,
            false,
        ]);
    });

    it("a file without deployment ids: by flow and deployment names (a superset; extra resolves are dropped by PagerDuty)", () => {
        const [resolve] = resolves(prod({ resolveWhenEnded: true }, false));
        expect(resolve.trigger.match_related).toEqual([
            { "prefect.resource.role": "flow", "prefect.resource.name": ["billing", "orders"] },
            { "prefect.resource.role": "deployment", "prefect.resource.name": ["daily", "hourly"] },
        ]);
    });

    it("no PagerDuty channel anywhere: no resolve (chat never gets one)", () => {
        expect(resolves(editKey(prod({ resolveWhenEnded: true }, true, ["alerts"]), "owners", () => ({})))).toEqual([]);
    });
});
