/**
 * Planned quiet (issue 12, part 2): PagerDuty maintenance windows and muted
 * routes. The clock is injected (`now`) into the pure checks and the parser;
 * the program and the preview use the real one, with windows in 2099.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../config/errors";
import { PROJECT, RawConfig, parseStackConfig } from "../config/load";
import { OperationsSettings, operationsProblem } from "../config/operations";
import { planAlerting } from "../rules/plan";
import { describeWindow, duration, muteOf, mutedDescription, planMaintenanceWindows, windowState } from "../rules/quiet";
import { describeMutes } from "../cli/preview/verbose";
import { T, ofType, parentType, plain, runStack } from "./helpers/program";
import { ROOT, editKey, stackConfig } from "./helpers/stacks";

const NOW = new Date("2026-05-01T12:00:00Z");
/** For runs on the real clock in prod: two days ahead, within muteMaxDays (7), on the hour. */
const SOON = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 2 * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
const k = (key: string) => `${PROJECT}:${key}`;

const settings = (over: Partial<OperationsSettings> = {}): OperationsSettings => ({
    maintenance: [],
    maintenanceMaxHours: 24,
    mute: {},
    muteMaxDays: 7,
    environment: "production",
    pagerDutyEnabled: true,
    routeNames: ["dlt", "finance"],
    ...over,
});
const window = (start: string, end: string, description = "Warehouse upgrade") => ({ start, end, description });

function errorOf(fn: () => unknown): ConfigError {
    try {
        fn();
    } catch (e) {
        if (e instanceof ConfigError) return e;
        throw e;
    }
    throw new Error("expected a ConfigError");
}

/** prod with these keys set (JSON) and the clock at `now`. */
function prod(values: Record<string, unknown>, now: Date | undefined = NOW): RawConfig {
    let raw = stackConfig("prod");
    for (const [key, value] of Object.entries(values)) raw = editKey(raw, key, () => value);
    return { ...raw, now };
}

describe("operationsProblem (pure, now injected)", () => {
    it("accepts an upcoming window, a window already on, and a mute still ahead", () => {
        expect(
            operationsProblem(
                settings({
                    maintenance: [
                        window("2026-05-01T22:00:00Z", "2026-05-02T02:00:00Z"),
                        window("2026-05-01T11:00:00Z", "2026-05-01T13:00:00Z"),
                    ],
                    mute: { dlt: { until: "2026-05-01T12:01:00Z", reason: "migration" } },
                }),
                NOW,
            ),
        ).toBeUndefined();
    });

    it("refuses a window that has ended, naming it and saying to remove it", () => {
        const problem = operationsProblem(settings({ maintenance: [window("2026-05-01T08:00:00Z", "2026-05-01T12:00:00Z")] }), NOW);
        expect(problem?.path).toEqual(["maintenance", 0, "end"]);
        expect(problem?.expected).toMatch(/has not ended yet \(it ended at 2026-05-01T12:00:00Z, before now, 2026-05-01T12:00:00.000Z\)/);
        expect(problem?.expected).toMatch(/remove it from maintenance$/);
    });

    it("refuses a window longer than maintenanceMaxHours (24 by default), and accepts it when the maximum is raised", () => {
        const long = settings({ maintenance: [window("2026-05-02T00:00:00Z", "2026-05-03T00:30:00Z")] });
        const problem = operationsProblem(long, NOW);
        expect(problem?.path).toEqual(["maintenance", 0, "end"]);
        expect(problem?.expected).toMatch(/at most maintenanceMaxHours \(24 h\) after the start \(this window lasts 24.5 h\)/);
        expect(operationsProblem({ ...long, maintenanceMaxHours: 25 }, NOW)).toBeUndefined();
        // Exactly the maximum is allowed.
        expect(operationsProblem(settings({ maintenance: [window("2026-05-02T00:00:00Z", "2026-05-03T00:00:00Z")] }), NOW)).toBeUndefined();
    });

    it("refuses maintenance without PagerDuty, and two windows with the same times", () => {
        const w = window("2026-05-02T00:00:00Z", "2026-05-02T01:00:00Z");
        expect(operationsProblem(settings({ maintenance: [w], pagerDutyEnabled: false }), NOW)).toMatchObject({
            path: ["maintenance"],
            expected: expect.stringMatching(/^no maintenance windows while pagerDuty.enabled is false/),
        });
        // The same instants written with another offset are the same window.
        const same = window("2026-05-02T02:00:00+02:00", "2026-05-02T03:00:00+02:00", "other");
        expect(operationsProblem(settings({ maintenance: [w, same] }), NOW)).toMatchObject({
            path: ["maintenance", 1],
            expected: expect.stringMatching(/differ from maintenance\[0\]'s/),
        });
    });

    it("a mute that has run out is no problem (it has ended: rules/muteTimers.ts); a mute of an unknown route is refused", () => {
        expect(operationsProblem(settings({ mute: { dlt: { until: "2026-05-01T11:59:00Z", reason: "migration" } } }), NOW)).toBeUndefined();
        expect(operationsProblem(settings({ mute: { dtl: { until: "2026-06-01T00:00:00Z", reason: "typo" } } }), NOW)).toEqual({
            path: ["mute", "dtl"],
            expected: "one of the routes defined under routes (dlt, finance)",
        });
    });
});

describe("the parser judges windows and mutes by the clock it is given", () => {
    const upgrade = { maintenance: [window("2026-05-01T22:00:00Z", "2026-05-02T02:00:00Z")] };

    it("the same window is accepted before it ends and refused after", () => {
        expect(parseStackConfig(prod(upgrade)).maintenance).toEqual([
            { start: "2026-05-01T22:00:00Z", end: "2026-05-02T02:00:00Z", description: "Warehouse upgrade", services: ["critical", "p1"] },
        ]);
        const e = errorOf(() => parseStackConfig(prod(upgrade, new Date("2026-05-02T02:00:01Z"))));
        expect(e.key).toBe(k("maintenance[0].end"));
        expect(e.message).toMatch(
            /^Invalid configuration for stack "prod": prefect-alerting:maintenance\[0\]\.end: expected a window that has not/,
        );
    });

    it("without a clock, the real one: a window in 2099 is fine, one in 2020 is refused", () => {
        expect(
            parseStackConfig(prod({ maintenance: [window("2099-05-01T22:00:00Z", "2099-05-02T02:00:00Z")] }, undefined)).maintenance,
        ).toHaveLength(1);
        expect(
            errorOf(() => parseStackConfig(prod({ maintenance: [window("2020-05-01T22:00:00Z", "2020-05-02T02:00:00Z")] }, undefined))).key,
        ).toBe(k("maintenance[0].end"));
    });

    it("shapes: end before start, services, dates that do not exist, a mute without until or reason", () => {
        const cases: [Record<string, unknown>, string, RegExp][] = [
            [
                { maintenance: [window("2026-05-02T02:00:00Z", "2026-05-02T01:00:00Z")] },
                "maintenance[0].end",
                /^an end after the window's start$/,
            ],
            [
                { maintenance: [{ ...window("2026-05-02T00:00:00Z", "2026-05-02T01:00:00Z"), services: [] }] },
                "maintenance[0].services",
                /at least one/,
            ],
            [
                { maintenance: [{ ...window("2026-05-02T00:00:00Z", "2026-05-02T01:00:00Z"), services: ["p2"] }] },
                "maintenance[0].services[0]",
                /"critical" or "p1"/,
            ],
            [
                { maintenance: [window("2026-02-30T00:00:00Z", "2026-05-02T01:00:00Z")] },
                "maintenance[0].start",
                /ISO 8601 date-time with offset/,
            ],
            [{ maintenance: [window("2026-05-02T00:00:00", "2026-05-02T01:00:00Z")] }, "maintenance[0].start", /with offset/],
            [
                { maintenance: [{ start: "2026-05-02T00:00:00Z", end: "2026-05-02T01:00:00Z" }] },
                "maintenance[0].description",
                /a description/,
            ],
            [
                { mute: { dlt: { reason: "migration" } } },
                "mute.dlt.until",
                /^when the mute ends \(required, so that a mute is never forgotten\)/,
            ],
            [{ mute: { dlt: { until: "2026-06-01T00:00:00Z" } } }, "mute.dlt.reason", /^the reason for the mute/],
            [{ mute: { dlt: { until: "2026-06-01T00:00:00Z", reason: " " } } }, "mute.dlt.reason", /^the reason for the mute/],
            [{ maintenanceMaxHours: 0 }, "maintenanceMaxHours", /^a number of hours from 1 to 720$/],
        ];
        for (const [values, key, expected] of cases) {
            const e = errorOf(() => parseStackConfig(prod(values)));
            expect({ key: e.key, expected: e.expected }, key).toEqual({ key: k(key), expected: expect.stringMatching(expected) });
        }
    });

    it("maintenance on a stack without PagerDuty is refused on the maintenance key", () => {
        const raw = { ...editKey(stackConfig("dev"), "maintenance", () => upgrade.maintenance), now: NOW };
        expect(errorOf(() => parseStackConfig(raw)).key).toBe(k("maintenance"));
    });
});

describe("planning", () => {
    it("one window plan per window, both services by default, named by its instants (not its position)", () => {
        const plans = planMaintenanceWindows([
            { start: "2026-05-01T22:00:00Z", end: "2026-05-02T02:00:00Z", description: "Upgrade", services: ["critical", "p1"] },
            { start: "2026-06-01T20:00:00+02:00", end: "2026-06-01T23:00:00+02:00", description: "Network", services: ["p1"] },
        ]);
        expect(plans).toEqual([
            {
                key: "maintenance-20260501T220000Z-20260502T020000Z",
                description: "Upgrade",
                startTime: "2026-05-01T22:00:00Z",
                endTime: "2026-05-02T02:00:00Z",
                services: ["critical", "p1"],
            },
            {
                key: "maintenance-20260601T180000Z-20260601T210000Z",
                description: "Network",
                startTime: "2026-06-01T20:00:00+02:00",
                endTime: "2026-06-01T23:00:00+02:00",
                services: ["p1"],
            },
        ]);
    });

    it("a shared automation is muted only when every route it watches is muted; one watching no route never", () => {
        const mutes = {
            dlt: { until: "2026-05-03T00:00:00Z", reason: "migration" },
            finance: { until: "2026-05-02T00:00:00Z", reason: "quarter close" },
        };
        expect(muteOf(["dlt"], mutes)).toEqual(mutes.dlt);
        expect(muteOf(["dlt", "orders"], mutes)).toBeUndefined();
        expect(muteOf([], mutes)).toBeUndefined();
        // Until the earliest of them (the first route to come back brings the shared automation back with it); reasons in that order.
        expect(muteOf(["dlt", "finance"], mutes)).toEqual({ until: "2026-05-02T00:00:00Z", reason: "quarter close; migration" });
        expect(mutedDescription("Warning: every final failure.", { until: "2026-05-03T00:00:00Z", reason: "migration." })).toBe(
            "Muted until 2026-05-03T00:00:00Z: migration. Warning: every final failure.",
        );
    });

    it("a muted route's automations are planned disabled with the mute in their description; resolves and others stay on", () => {
        const raw = editKey(prod({ mute: { dlt: { until: "2026-05-02T06:00:00Z", reason: "warehouse migration" } } }), "routes", (r) => ({
            ...r,
            finance: { tags: ["finance"] },
        }));
        const plan = planAlerting(parseStackConfig(raw));
        // Armed resolves are created disabled whatever the mutes (their alert turns them on): not muted.
        expect(plan.automations.filter((a) => a.armedBy).map((a) => [a.key, a.enabled, a.mute])).toEqual([
            ["p1-no-success-resolve", false, undefined],
        ]);
        const off = plan.automations.filter((a) => !a.enabled && !a.armedBy);
        // With a second route the P1 silence is one automation for both routes: finance is not muted, so it stays on.
        expect(off.map((a) => a.key).sort()).toEqual([
            "critical-dlt",
            "late-runs-dlt",
            "stuck-pending-dlt",
            "stuck-running-dlt",
            "warning-dlt",
        ]);
        for (const a of off) {
            expect(a.description).toMatch(/^Muted until 2026-05-02T06:00:00Z: warehouse migration\. /);
            expect(a.mute).toEqual({ until: "2026-05-02T06:00:00Z", reason: "warehouse migration" });
        }
        const on = plan.automations.filter((a) => a.enabled).map((a) => a.key);
        expect(on).toEqual(
            expect.arrayContaining([
                "warning-finance",
                "critical-finance",
                "critical-dlt-resolve",
                "p1-work-pool-not-ready",
                "p1-no-success",
            ]),
        );
        expect(plan.automations.find((a) => a.key === "p1-no-success")?.routes).toEqual(["dlt", "finance"]);
        expect(plan.automations.filter((a) => a.enabled).every((a) => !a.description.includes("Muted"))).toBe(true);
    });

    it("prod's only route muted: its P1 silence too; the work pool P1 (no route) and the resolves stay on", () => {
        const plan = planAlerting(parseStackConfig(prod({ mute: { dlt: { until: "2026-05-02T06:00:00Z", reason: "migration" } } })));
        const state = Object.fromEntries(plan.automations.map((a) => [a.key, a.enabled]));
        expect(state).toMatchObject({ "p1-no-success-dlt": false, "critical-dlt": false, "warning-dlt": false });
        expect(state).toMatchObject({ "p1-work-pool-not-ready": true, "critical-dlt-resolve": true });
        // The silence's resolve is armed by its alert (off until the alert fires), and carries no mute.
        expect(plan.automations.find((a) => a.key === "p1-no-success-dlt-resolve")).toMatchObject({
            enabled: false,
            armedBy: "p1-no-success-dlt",
        });
        expect(plan.automations.find((a) => a.key === "p1-no-success-dlt-resolve")?.mute).toBeUndefined();
    });

    it("without mutes every automation but the armed resolves is enabled and its description unchanged", () => {
        const plain = planAlerting(parseStackConfig(stackConfig("prod")));
        const armed = plain.automations.filter((a) => a.armedBy !== undefined);
        expect(armed.map((a) => [a.key, a.enabled])).toEqual([["p1-no-success-dlt-resolve", false]]);
        const rest = plain.automations.filter((a) => a.armedBy === undefined);
        expect(rest.every((a) => a.enabled && a.mute === undefined && !a.description.startsWith("Muted"))).toBe(true);
    });
});

describe("how the preview says it (now injected)", () => {
    const w = { description: "Warehouse upgrade", startTime: "2026-05-01T10:00:00Z", endTime: "2026-05-01T14:30:00Z" };
    it("active, upcoming, ended", () => {
        expect(windowState(w, NOW)).toBe("active");
        expect(windowState(w, new Date("2026-05-01T09:00:00Z"))).toBe("upcoming");
        expect(windowState(w, new Date("2026-05-01T14:30:00Z"))).toBe("ended");
        expect(describeWindow(w, ["Data Pipelines (prod)"], NOW)).toBe(
            '"Warehouse upgrade": 2026-05-01T10:00:00Z to 2026-05-01T14:30:00Z (4 h 30 min) on "Data Pipelines (prod)": ' +
                "ACTIVE now, ends in 2 h 30 min",
        );
        expect(describeWindow(w, ["A", "B"], new Date("2026-04-29T09:00:00Z"))).toMatch(/ on "A", "B": upcoming, starts in 2 d 1 h$/);
        expect([duration(59_000), duration(3_600_000), duration(90_000_000)]).toEqual(["1 min", "1 h", "1 d 1 h"]);
    });

    it("muted routes: what is disabled, what keeps resolving, what keeps alerting", () => {
        const lines = describeMutes(
            [
                { key: "warning-dlt", routes: ["dlt"], enabled: false },
                { key: "critical-dlt-resolve", routes: ["dlt"], enabled: true, incident: { action: "resolve" } },
                { key: "p1-no-success", routes: ["dlt", "finance"], enabled: true },
                { key: "warning-finance", routes: ["finance"], enabled: true },
            ],
            { dlt: { until: "2026-05-02T06:00:00Z", reason: "migration" } },
        );
        expect(lines.slice(1)).toEqual([
            "  dlt: muted until 2026-05-02T06:00:00Z: migration; disabled: warning-dlt; " +
                "still resolving incidents opened before the mute: critical-dlt-resolve; " +
                "still alerting (shared with routes not muted): p1-no-success",
        ]);
    });
});

describe("the program under mocks", () => {
    it("prod with two maintenance windows: one MaintenanceWindow each over the chosen services' ids, under PagerDutyRouting", async () => {
        vi.resetModules();
        const raw = prod(
            {
                maintenance: [
                    window("2099-05-01T22:00:00Z", "2099-05-02T02:00:00Z"),
                    { ...window("2099-06-01T20:00:00+02:00", "2099-06-01T23:00:00+02:00", "Network change"), services: ["p1"] },
                ],
            },
            undefined,
        );
        const run = await runStack("prod", raw);
        const services = Object.fromEntries(ofType(run, T.service).map((s) => [s.name, s.id]));
        expect(services["critical-service"]).toBeTruthy();
        const windows = ofType(run, "pagerduty:index/maintenanceWindow:MaintenanceWindow").sort((a, b) => a.name.localeCompare(b.name));
        expect(windows.map((w) => [w.name, plain(w)])).toEqual([
            [
                "maintenance-20990501T220000Z-20990502T020000Z",
                {
                    description: "Warehouse upgrade",
                    startTime: "2099-05-01T22:00:00Z",
                    endTime: "2099-05-02T02:00:00Z",
                    services: [services["critical-service"], services["p1-service"]],
                },
            ],
            [
                "maintenance-20990601T180000Z-20990601T210000Z",
                {
                    description: "Network change",
                    startTime: "2099-06-01T20:00:00+02:00",
                    endTime: "2099-06-01T23:00:00+02:00",
                    services: [services["p1-service"]],
                },
            ],
        ]);
        for (const w of windows) expect(parentType(w)).toBe("alerting:index:PagerDutyRouting");
    });

    it("prod without maintenance creates no MaintenanceWindow; every automation is sent enabled: true but the armed resolve", async () => {
        vi.resetModules();
        const run = await runStack("prod");
        expect(ofType(run, "pagerduty:index/maintenanceWindow:MaintenanceWindow")).toEqual([]);
        const disabled = ofType(run, T.automation).filter((a) => plain(a).enabled !== true);
        expect(disabled.map((a) => a.name)).toEqual(["p1-no-success-dlt-resolve"]);
    });

    it("a muted route: its automations are sent enabled: false with the mute in the description, the others enabled: true", async () => {
        vi.resetModules();
        const raw = editKey(prod({ mute: { dlt: { until: SOON, reason: "warehouse migration" } } }, undefined), "routes", (r) => ({
            ...r,
            finance: { tags: ["finance"] },
        }));
        const run = await runStack("prod", raw);
        const enabled = Object.fromEntries(ofType(run, T.automation).map((a) => [a.name, plain(a).enabled]));
        expect(
            Object.keys(enabled)
                .filter((n) => enabled[n] === false)
                .sort(),
        ).toEqual(["critical-dlt", "late-runs-dlt", "p1-no-success-resolve", "stuck-pending-dlt", "stuck-running-dlt", "warning-dlt"]);
        // The armed resolve is off by design (its alert turns it on), not muted: its description says so.
        expect(plain(ofType(run, T.automation).find((a) => a.name === "p1-no-success-resolve")!).description).toMatch(/^Armed by /);
        expect(enabled["p1-no-success"]).toBe(true);
        expect(Object.values(enabled).filter((v) => v === true).length).toBeGreaterThan(0);
        expect(enabled["warning-finance"]).toBe(true);
        expect(enabled["p1-work-pool-not-ready"]).toBe(true);
        const warning = ofType(run, T.automation).find((a) => a.name === "warning-dlt")!;
        expect(plain(warning).description).toMatch(new RegExp(`^Muted until ${SOON}: warehouse migration\\. Warning: `));
    });
});

describe("the offline preview", () => {
    const dir = mkdtempSync(join(tmpdir(), "quiet-preview-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("lists the windows (upcoming, with now) and the muted automations with the reason; the pack passes (exit 0)", async () => {
        const file = join(dir, "Pulumi.prod.yaml");
        writeFileSync(
            file,
            readFileSync(resolve(ROOT, "Pulumi.prod.yaml"), "utf8") +
                [
                    "  prefect-alerting:maintenance:",
                    '    - start: "2099-05-01T22:00:00Z"',
                    '      end: "2099-05-02T02:00:00Z"',
                    "      description: Warehouse upgrade",
                    "  prefect-alerting:mute:",
                    "    dlt:",
                    `      until: "${SOON}"`,
                    "      reason: warehouse migration",
                    "",
                ].join("\n"),
        );
        const r = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
            execFile(
                resolve(ROOT, "node_modules/.bin/tsx"),
                ["cli/index.ts", "preview", "--verbose", file],
                { cwd: ROOT, timeout: 120_000 },
                (error, stdout, stderr) => done({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
            ),
        );
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(
            new RegExp(
                String.raw`PagerDuty maintenance windows \(no incidents on these services while one is on; ` +
                    String.raw`now is \d{4}-\d\d-\d\dT[\d:.]+Z\)\n` +
                    String.raw` {2}"Warehouse upgrade": 2099-05-01T22:00:00Z to 2099-05-02T02:00:00Z \(4 h\) ` +
                    String.raw`on "Data Pipelines \(prod\)", "Data Pipelines P1 \(prod\)": upcoming, starts in \d+ d`,
            ),
        );
        expect(r.stdout).toContain(
            "  [prod] Pipeline failed (dlt)   (WarningTier)   MUTED\n" + `    Muted until ${SOON}: warehouse migration. Warning: `,
        );
        expect(r.stdout).toContain(`    muted: created disabled (enabled: false) until ${SOON}, reason: warehouse migration\n`);
        expect(r.stdout).toContain(`\n  dlt: muted until ${SOON}: warehouse migration; disabled: warning-dlt, critical-dlt, `);
        expect(r.stdout).toMatch(new RegExp(`\n  timer "\\[prod\\] Mute ends ${SOON}": fires \\d+ s after it is created \\(in \\d+ d`));
        expect(r.stdout).toMatch(/Policy pack \(\d+ policies, as Pulumi Deployments runs it\): 0 mandatory/);
    }, 120_000);
});
