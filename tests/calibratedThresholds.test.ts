import { describe, expect, it } from "vitest";
import { stableJson, summary, thresholdsFile } from "../cli/calibrate/file";
import { ownerOf, ownerOfDeployment } from "../cli/calibrate/collect";
import { propose } from "../cli/calibrate/stats";
import { calibrationLines } from "../cli/preview/calibration";
import { ConfigError } from "../config/errors";
import { RawConfig, parseStackConfig } from "../config/load";
import { parseThresholds } from "../config/thresholds";
import { coversResources } from "../backtest/match";
import { planAlerting } from "../rules/plan";
import { calibratedFreshnessKey, calibratedFreshnessTrigger } from "../signals/freshness";
import { LATE_EVENT, RUNNING_EVENT, lateWindowSeconds, laterThanUsualTrigger } from "../signals/lateRuns";
import { TERMINAL_EVENTS } from "../signals/stuckRuns";
import { editKey, stackConfig } from "./helpers/stacks";

/** Issue 17: calibrated freshness windows used (opt-in), owners recorded by calibrate and routed to. Plain data, no mocks. */

const at = (s: number) => new Date(Date.UTC(2026, 11, 1) + s * 1000).toISOString();
/** `n` completed runs of 10 s, `gap` seconds apart, each started `late` seconds after its expected start. */
const runs = (n: number, gap: number, late = 4) =>
    Array.from({ length: n }, (_, i) => ({
        expectedStart: at(i * gap),
        start: at(i * gap + late),
        end: at(i * gap + late + 10),
        runSeconds: 10,
    }));

/** Made-up deployment ids, as calibrate records them. */
const EXCHANGE_ID = "0e000000-0000-4000-8000-000000000001";
const HOURLY_ID = "0e000000-0000-4000-8000-000000000002";

/**
 * prod's own freshness entry (exchange-rates-daily-prod, 26 h) calibrated to 1.5 × its daily gap, owned by platform;
 * orders/hourly calibrated to 1.5 h without an owner, its runs starting 100 s late; orders/backfill with too few runs.
 */
function file(stack = "prod") {
    return thresholdsFile(stack, 30, [
        {
            flow: "exchange-rates",
            deployment: "exchange-rates-daily-prod",
            deploymentId: EXCHANGE_ID,
            routes: ["dlt"],
            owner: "platform",
            proposal: propose(runs(20, 86400)),
        },
        { flow: "orders", deployment: "hourly", deploymentId: HOURLY_ID, routes: ["dlt"], proposal: propose(runs(30, 3600, 100)) },
        { flow: "orders", deployment: "backfill", routes: ["dlt"], proposal: propose(runs(2, 600)) },
    ]);
}
const source = (content: unknown, stack = "prod") => ({ path: `thresholds/${stack}.json`, text: stableJson(content) });
const OWNERS = { platform: { channels: ["critical"], runbook: "https://wiki.example.com/runbooks/platform" } };

function prod(freshness: (f: any) => unknown, edit: (raw: RawConfig) => RawConfig = (r) => r): RawConfig {
    return {
        ...edit(
            editKey(
                editKey(stackConfig("prod"), "owners", () => OWNERS),
                "freshness",
                freshness,
            ),
        ),
        thresholds: source(file()),
    };
}
const plan = (raw: RawConfig, signal: string) => planAlerting(parseStackConfig(raw)).automations.filter((a) => a.signal === signal);

describe("calibrate records the owner", () => {
    it("the team of the deployment's first owner: tag, normalised; none without one", () => {
        expect(ownerOf(["dlt", "Owner: Data Eng", "owner:platform"])).toBe("data-eng");
        expect(ownerOf(["dlt", "co-owner:x"])).toBeUndefined();
        // The flow's owner tag owns its deployments too; the deployment's own tag wins.
        expect(ownerOfDeployment(["dlt"], ["owner:finance"])).toBe("finance");
        expect(ownerOfDeployment(["owner:data-eng"], ["owner:finance"])).toBe("data-eng");
        expect(ownerOfDeployment(["dlt"], ["dlt"])).toBeUndefined();
    });

    it("is written to the file and read back with the freshness window", () => {
        const text = stableJson(file());
        expect(JSON.parse(text).deployments["exchange-rates/exchange-rates-daily-prod"].owner).toBe("platform");
        expect(JSON.parse(text).deployments["orders/hourly"].owner).toBeUndefined();
        const c = parseThresholds("prod", source(file()));
        expect(c.calibrated.map((d) => [d.key, d.owner, d.freshness?.windowSeconds])).toEqual([
            ["exchange-rates/exchange-rates-daily-prod", "platform", 129600],
            ["orders/hourly", undefined, 5400],
        ]);
        expect(c.fixed).toEqual([{ key: "orders/backfill", runs: 2 }]);
    });

    it.each([
        [3, 10],
        [10, 10],
        [13, 15],
        [15, 15],
        [599, 600],
        [601, 660],
        [5401, 5460],
        [129602, 129660],
    ])("a proposed window of %d s is used as %d s: 5 s ticks, whole minutes from 10 min, at least 10 s", (p, w) => {
        const f: any = file();
        f.deployments["orders/hourly"].freshness.proposedWindowSeconds = p;
        expect(parseThresholds("prod", source(f)).calibrated[1].freshness?.windowSeconds).toBe(w);
    });

    it("refuses an owner that is not text with one ConfigError naming the stack, the file and the key", () => {
        const f: any = file();
        f.deployments["orders/hourly"].owner = 7;
        expect(() => parseThresholds("prod", source(f))).toThrow(ConfigError);
        expect(() => parseThresholds("prod", source(f))).toThrow(
            /^Invalid configuration for stack "prod": thresholds\/prod\.json: deployments\.orders\/hourly\.owner: expected the team of/,
        );
    });
});

describe("calibrate's terminal summary", () => {
    it("says each deployment's limit, its proposed freshness window and its owner", () => {
        expect(summary(file())).toEqual([
            "  exchange-rates/exchange-rates-daily-prod: slow after 30 s (median 10 s, MAD 0 s over 20 runs; set by floor); " +
                "stale after 129600 s without a completion; owner platform",
            "  orders/backfill: 2 completed runs, fewer than 10: keeps the stack's fixed values",
            "  orders/hourly: slow after 30 s (median 10 s, MAD 0 s over 30 runs; set by floor); stale after 5400 s without a completion",
        ]);
    });
});

describe("freshness with calibrated windows", () => {
    it("is opt-in: without freshness.calibrated the plan is the stack's fixed entry alone", () => {
        const fixed = plan(
            prod((f) => f),
            "freshness",
        );
        expect(fixed.map((a) => [a.key, a.trigger.within, a.channels])).toEqual([
            ["freshness-deployment-exchange-rates-daily-prod", 93600, ["alerts"]],
        ]);
        expect(
            plan(
                prod((f) => f),
                "freshness",
            ),
        ).toEqual(plan({ ...prod((f) => f), thresholds: undefined }, "freshness"));
    });

    it("plans one automation per calibrated deployment, its own window, to its owner's channels; the fixed entry of its name stays", () => {
        const planned = plan(
            prod((f) => ({ ...f, calibrated: true })),
            "freshness",
        );
        expect(
            planned.map((a) => ({
                key: a.key,
                tier: a.tier,
                within: a.trigger.within,
                channels: a.channels,
                owner: a.owner,
                routes: a.routes,
            })),
        ).toEqual([
            // For the other flows' deployments of that name: it leaves the calibrated one out (see below).
            {
                key: "freshness-deployment-exchange-rates-daily-prod",
                tier: "warning",
                within: 93600,
                channels: ["alerts"],
                owner: undefined,
                routes: [],
            },
            {
                key: "freshness-calibrated-exchange-rates-exchange-rates-daily-prod",
                tier: "warning",
                within: 129600,
                channels: ["critical"],
                owner: "platform",
                routes: [],
            },
            {
                key: "freshness-calibrated-orders-hourly",
                tier: "warning",
                within: 5400,
                channels: ["alerts"],
                owner: undefined,
                routes: ["dlt"],
            },
        ]);
        const [fixed, owned, hourly] = planned;
        expect(fixed.trigger.match_related).toEqual([
            { "prefect.resource.role": "deployment", "prefect.resource.name": "exchange-rates-daily-prod" },
            { "prefect.resource.role": "deployment", "prefect.resource.id": `!prefect.deployment.${EXCHANGE_ID}` },
        ]);
        expect(owned.runbook).toBe("https://wiki.example.com/runbooks/platform");
        expect(hourly.name).toBe("[prod] Stale data: deployment orders/hourly");
        expect(hourly.description).toBe(
            "Warning: no Completed run of deployment orders/hourly within 90 minutes (1.5 × the longest gap between completions, 1 hour; " +
                "median gap 1 hour, over 30 runs); thresholds/prod.json (also when it never completed since this automation was created).",
        );
        expect(hourly.message.subject).toBe("Stale data: no Completed run of deployment orders/hourly for 90 minutes");
        expect(hourly.incident).toMatchObject({ action: "trigger" });
        expect(hourly.incident!.dedupKey).toContain("freshness/calibrated/orders/hourly");
    });

    it("keeps every fixed entry; a calibrated deployment takes the severity and channels of the entry of its name", () => {
        const planned = plan(
            prod((f) => ({
                ...f,
                calibrated: true,
                deployments: {
                    hourly: { maxAgeHours: 2, severity: "critical", channels: ["critical", "pager"] },
                    other: { maxAgeHours: 3 },
                },
            })),
            "freshness",
        );
        expect(planned.map((a) => [a.key, a.tier, a.trigger.within, a.channels, a.incident?.action])).toEqual([
            ["freshness-deployment-hourly", "critical", 7200, ["critical", "pager"], "trigger"],
            ["freshness-deployment-hourly-resolve", "critical", 60, ["pager"], "resolve"],
            ["freshness-deployment-other", "warning", 10800, ["alerts"], "trigger"],
            ["freshness-calibrated-exchange-rates-exchange-rates-daily-prod", "warning", 129600, ["critical"], "trigger"],
            ["freshness-calibrated-orders-hourly", "critical", 5400, ["critical", "pager"], "trigger"],
            // The pager channel resolves the incident when the deployment completes again (an armed resolve).
            ["freshness-calibrated-orders-hourly-resolve", "critical", 60, ["pager"], "resolve"],
        ]);
    });

    it("its trigger: the deployment's own Completed run opens a window of its calibrated length, on that flow and deployment", () => {
        expect(calibratedFreshnessTrigger({ flow: "orders", deployment: "hourly" }, 5400)).toEqual({
            posture: "Proactive",
            match: { "prefect.resource.id": "prefect.flow-run.*" },
            match_related: [
                { "prefect.resource.role": "flow", "prefect.resource.name": "orders" },
                { "prefect.resource.role": "deployment", "prefect.resource.name": "hourly" },
            ],
            after: ["prefect.flow-run.Completed"],
            expect: ["prefect.flow-run.Completed"],
            for_each: [],
            threshold: 1,
            within: 5400,
        });
        expect(calibratedFreshnessKey({ flow: "Orders", deployment: "hourly v2" })).toMatch(
            /^freshness-calibrated-orders-hourly-v2-[0-9a-f]{8}$/,
        );
    });

    it("the preview says which deployments use calibrated windows and which entries keep fixed ones", () => {
        const on = parseStackConfig(
            prod((f) => ({ ...f, calibrated: true, deployments: { ...f.deployments, other: { maxAgeHours: 3 } } })),
        );
        expect(calibrationLines(on).slice(5)).toEqual([
            "Freshness: 2 deployment(s) on calibrated windows, 2 entr(ies) on fixed maxAgeHours",
            "  calibrated  exchange-rates/exchange-rates-daily-prod: stale after 36 hours (1.5 × the longest gap between completions, " +
                "24 hours; median gap 24 hours, over 20 runs) (severity and channels of freshness.deployments.exchange-rates-daily-prod, " +
                "which leaves it out) [owner platform]",
            "  calibrated  orders/hourly: stale after 90 minutes (1.5 × the longest gap between completions, 1 hour; " +
                "median gap 1 hour, over 30 runs)",
            "  fixed       deployment exchange-rates-daily-prod: stale after 26 hours " +
                "(other than exchange-rates/exchange-rates-daily-prod)",
            "  fixed       deployment other: stale after 3 hours",
            "Late runs: calibrated lateness unused (2 measured; lateRuns.calibrated is off)",
        ]);
        expect(calibrationLines(parseStackConfig(prod((f) => f))).slice(5)).toEqual([
            "Freshness: calibrated windows unused (2 proposed; freshness.calibrated is off)",
            "Late runs: calibrated lateness unused (2 measured; lateRuns.calibrated is off)",
        ]);
    });
});

describe("slowRuns to the deployment's owner", () => {
    const slow = (owners: unknown) =>
        plan(
            prod(
                (f) => f,
                (r) =>
                    editKey(
                        editKey(r, "owners", () => owners),
                        "slowRuns",
                        () => ({ enabled: true, channels: ["alerts", "pager"] }),
                    ),
            ),
            "slowRuns",
        );
    it("an owned deployment's alert goes to its team's chat channels (the section's pager kept), the rest as the section sends", () => {
        expect(slow(OWNERS).map((a) => [a.key, a.channels, a.owner, a.routes])).toEqual([
            ["slow-runs-exchange-rates-exchange-rates-daily-prod", ["critical", "pager"], "platform", []],
            ["slow-runs-orders-hourly", ["alerts", "pager"], undefined, ["dlt"]],
        ]);
    });
    it("an owner the stack does not know: the section's channels", () => {
        expect(slow({ "data-eng": { channels: ["critical"] } }).map((a) => a.channels)).toEqual([
            ["alerts", "pager"],
            ["alerts", "pager"],
        ]);
    });
});

describe("lateRuns with calibrated lateness", () => {
    const late = (section: Record<string, unknown> = {}) =>
        plan(
            prod(
                (f) => f,
                (r) => editKey(r, "lateRuns", (l) => ({ ...l, ...section })),
            ),
            "lateRuns",
        );
    const NOT_CALIBRATED = [
        { "prefect.resource.role": "deployment", "prefect.resource.id": `!prefect.deployment.${EXCHANGE_ID}` },
        { "prefect.resource.role": "deployment", "prefect.resource.id": `!prefect.deployment.${HOURLY_ID}` },
    ];

    it("is opt-in: without lateRuns.calibrated the plan does not change with the file", () => {
        expect(late()).toEqual(plan({ ...prod((f) => f), thresholds: undefined }, "lateRuns"));
        expect(late().map((a) => a.key)).toEqual(["late-runs-dlt", "late-runs-owner-platform"]);
    });

    it("the limit: 1.5 × the latest start, whole 5 s ticks, at least 10 s", () => {
        expect([0, 4, 7, 100, 101].map(lateWindowSeconds)).toEqual([10, 10, 15, 150, 155]);
    });

    it("plans one automation per calibrated deployment, to its owner's channels; the route's and owners' skip them by id", () => {
        const planned = late({ calibrated: true });
        expect(planned.map((a) => [a.key, a.trigger.posture, a.trigger.within, a.channels, a.owner, a.routes])).toEqual([
            ["late-runs-dlt", "Reactive", 3600, ["alerts"], undefined, ["dlt"]],
            ["late-runs-owner-platform", "Reactive", 3600, ["critical"], "platform", []],
            ["late-runs-calibrated-exchange-rates-exchange-rates-daily-prod", "Proactive", 10, ["critical"], "platform", []],
            ["late-runs-calibrated-orders-hourly", "Proactive", 150, ["alerts"], undefined, ["dlt"]],
        ]);
        const [route, owned] = planned;
        expect(route.trigger.match_related).toEqual([
            { "prefect.resource.role": "tag", "prefect.resource.id": "prefect.tag.dlt" },
            { "prefect.resource.role": "deployment" },
            ...NOT_CALIBRATED,
        ]);
        expect(owned.trigger.match_related).toEqual([
            { "prefect.resource.role": "tag", "prefect.resource.id": "prefect.tag.owner:platform" },
            { "prefect.resource.role": "deployment" },
            ...NOT_CALIBRATED,
        ]);
        expect(planned[3].name).toBe("[prod] Late run later than usual (orders/hourly)");
        expect(planned[3].description).toBe(
            "Warning: a run of deployment orders/hourly still not started 150 seconds after it was marked Late (1.5 × its latest " +
                "start, 100 seconds late, over 30 runs; thresholds/prod.json). One alert per run.",
        );
        expect(planned[3].message.body).toContain("has not started 150 seconds after it was marked Late (its runs started at most");
    });

    it("with a paging channel: an armed resolve per calibrated deployment, on its next run to start", () => {
        const planned = late({ calibrated: true, channels: ["alerts", "pager"] });
        const resolve = planned.find((a) => a.key === "late-runs-calibrated-orders-hourly-resolve")!;
        expect(resolve).toMatchObject({ channels: ["pager"], armedBy: "late-runs-calibrated-orders-hourly" });
        expect(resolve.incident?.action).toBe("resolve");
        expect(resolve.trigger).toMatchObject({ posture: "Reactive", after: [], expect: [RUNNING_EVENT] });
    });

    it("its trigger: the run's own Late event opens a window that its Running (or an end) closes", () => {
        expect(laterThanUsualTrigger({ flow: "orders", deployment: "hourly" }, 150)).toEqual({
            posture: "Proactive",
            match: { "prefect.resource.id": "prefect.flow-run.*" },
            match_related: [
                { "prefect.resource.role": "flow", "prefect.resource.name": "orders" },
                { "prefect.resource.role": "deployment", "prefect.resource.name": "hourly" },
            ],
            after: [LATE_EVENT],
            expect: [RUNNING_EVENT, ...TERMINAL_EVENTS],
            for_each: ["prefect.resource.id"],
            threshold: 1,
            within: 150,
        });
    });

    it("the preview lists the deployments on calibrated lateness", () => {
        const lines = calibrationLines(
            parseStackConfig(
                prod(
                    (f) => f,
                    (r) => editKey(r, "lateRuns", (l) => ({ ...l, calibrated: true })),
                ),
            ),
        );
        expect(lines.slice(-3)).toEqual([
            "Late runs: 2 deployment(s) on calibrated lateness (the route's late-run automations skip them by id), the rest " +
                "alert when Prefect marks a run Late",
            "  calibrated  exchange-rates/exchange-rates-daily-prod: alert when still not started 10 seconds after marked Late " +
                "(latest start 4 seconds late over 20 runs) [owner platform]",
            "  calibrated  orders/hourly: alert when still not started 150 seconds after marked Late (latest start 100 seconds late " +
                "over 30 runs)",
        ]);
    });
});

describe("two deployments whose names differ only in punctuation", () => {
    it("share an automation key: the first (in key order) gets the calibrated automation, as for slowRuns", () => {
        const twins = thresholdsFile("prod", 30, [
            { flow: "a-b", deployment: "c", routes: ["dlt"], proposal: propose(runs(12, 600, 30)) },
            { flow: "a", deployment: "b-c", routes: ["dlt"], proposal: propose(runs(12, 600, 30)) },
        ]);
        const raw = editKey(
            editKey(stackConfig("prod"), "freshness", (f) => ({ ...f, calibrated: true })),
            "lateRuns",
            (l) => ({ ...l, calibrated: true }),
        );
        const all = planAlerting(parseStackConfig({ ...raw, thresholds: source(twins) })).automations;
        const keys = all.map((a) => a.key).filter((k) => k.includes("calibrated"));
        expect(keys).toEqual(["late-runs-calibrated-a-b-c", "freshness-calibrated-a-b-c"]);
        expect(all.find((a) => a.key === "freshness-calibrated-a-b-c")!.name).toBe("[prod] Stale data: deployment a-b/c");
    });
});

/**
 * Names are unique per flow only: orders/prod is calibrated, billing/prod is not. Each automation is judged as the
 * server judges it (backtest/match.ts coversResources, a port of events.py `covers_resources`) on an event of a run of
 * each deployment: the fixed automations must still watch billing/prod.
 */
describe("a deployment name shared by two flows, one calibrated", () => {
    const ORDERS_PROD = "0e000000-0000-4000-8000-0000000000a1";
    const BILLING_PROD = "0e000000-0000-4000-8000-0000000000b2";
    const shared = (ids: boolean) =>
        thresholdsFile("prod", 30, [
            {
                flow: "orders",
                deployment: "prod",
                ...(ids ? { deploymentId: ORDERS_PROD } : {}),
                routes: ["dlt"],
                proposal: propose(runs(20, 3600, 60)),
            },
        ]);
    const raw = (ids: boolean) => ({
        ...editKey(
            editKey(stackConfig("prod"), "lateRuns", (l) => ({ ...l, calibrated: true })),
            "freshness",
            (f) => ({ ...f, calibrated: true, deployments: { prod: { maxAgeHours: 2, severity: "critical" } } }),
        ),
        thresholds: source(shared(ids)),
    });
    /** A run event of `<flow>/prod` as Prefect emits it: the run, and related its flow, deployment and tag. */
    const runOf = (flow: string, id: string): { resource: Record<string, string>; related: Record<string, string>[] } => ({
        resource: { "prefect.resource.id": "prefect.flow-run.0e000000-0000-4000-8000-00000000ffff" },
        related: [
            { "prefect.resource.id": `prefect.flow.${flow}-id`, "prefect.resource.role": "flow", "prefect.resource.name": flow },
            { "prefect.resource.id": `prefect.deployment.${id}`, "prefect.resource.role": "deployment", "prefect.resource.name": "prod" },
            { "prefect.resource.id": "prefect.tag.dlt", "prefect.resource.role": "tag" },
        ],
    });
    const watches = (a: { trigger: { match: any; match_related: any } }, run: ReturnType<typeof runOf>) =>
        coversResources(a.trigger.match, a.trigger.match_related, run.resource, run.related);
    const orders = runOf("orders", ORDERS_PROD);
    const billing = runOf("billing", BILLING_PROD);

    it("late runs: the route's automation skips orders/prod alone, by id; billing/prod is still watched", () => {
        const planned = plan(raw(true), "lateRuns");
        const route = planned.find((a) => a.key === "late-runs-dlt")!;
        const mine = planned.find((a) => a.key === "late-runs-calibrated-orders-prod")!;
        expect([watches(route, billing), watches(route, orders)]).toEqual([true, false]);
        expect([watches(mine, billing), watches(mine, orders)]).toEqual([false, true]);
    });

    it("freshness: the fixed entry prod stays for billing/prod, leaving orders/prod to its calibrated window (its severity)", () => {
        const planned = plan(raw(true), "freshness");
        const fixed = planned.find((a) => a.key === "freshness-deployment-prod")!;
        const mine = planned.find((a) => a.key === "freshness-calibrated-orders-prod")!;
        expect([watches(fixed, billing), watches(fixed, orders)]).toEqual([true, false]);
        expect([watches(mine, billing), watches(mine, orders)]).toEqual([false, true]);
        expect([fixed.tier, mine.tier]).toEqual(["critical", "critical"]);
    });

    it("a file without deployment ids (older calibrate): nothing skipped or replaced, and the preview says to re-run calibrate", () => {
        const lateRoute = plan(raw(false), "lateRuns").find((a) => a.key === "late-runs-dlt")!;
        const fixed = plan(raw(false), "freshness").find((a) => a.key === "freshness-deployment-prod")!;
        expect([watches(lateRoute, billing), watches(lateRoute, orders)]).toEqual([true, true]);
        expect([watches(fixed, billing), watches(fixed, orders)]).toEqual([true, true]);
        expect(fixed.trigger.match_related).toEqual({ "prefect.resource.role": "deployment", "prefect.resource.name": "prod" });
        const lines = calibrationLines(parseStackConfig(raw(false)));
        expect(lines.filter((l) => l.includes("re-run npm run calibrate to record deployment ids"))).toEqual([
            "  orders/prod: no deployment id in the file, so the fixed automations still watch it too (a possible duplicate " +
                "alert): re-run npm run calibrate to record deployment ids",
            "  orders/prod: no deployment id in the file, so the fixed automations still watch it too (a possible duplicate " +
                "alert): re-run npm run calibrate to record deployment ids",
        ]);
        expect(calibrationLines(parseStackConfig(raw(true))).some((l) => l.includes("re-run"))).toBe(false);
    });

    it("the id is recorded in the file, read back lower-case, and refused when it is not a UUID", () => {
        expect(JSON.parse(stableJson(shared(true))).deployments["orders/prod"].deploymentId).toBe(ORDERS_PROD);
        const upper = shared(true);
        upper.deployments["orders/prod"].deploymentId = ORDERS_PROD.toUpperCase();
        expect(parseThresholds("prod", source(upper)).calibrated[0].deploymentId).toBe(ORDERS_PROD);
        const bad = shared(true);
        bad.deployments["orders/prod"].deploymentId = "orders/prod";
        expect(() => parseThresholds("prod", source(bad))).toThrow(ConfigError);
        expect(() => parseThresholds("prod", source(bad))).toThrow(/deployments\.orders\/prod\.deploymentId.*UUID/);
    });
});
