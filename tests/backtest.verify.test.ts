import { describe, expect, it } from "vitest";
import type { ReplayEvent } from "../backtest/engine";
import {
    LivedAutomation,
    RecordedFiring,
    formatVerifyReport,
    interestPrefixes,
    toReplayAutomation,
    unpaired,
    verifyHistory,
} from "../backtest/verify";
import { journalEntry, livedAutomations, withServerLifecycle } from "./e2e/automationJournal";

/**
 * The history report's comparison (backtest/verify.ts) and the e2e journal it reads (tests/e2e/automationJournal.ts):
 * automations with lifetimes, replayed over a history, against what Prefect recorded. Times in seconds.
 */

const S = 1000;
const FAILED = "prefect.flow-run.Failed";
const COMPLETED = "prefect.flow-run.Completed";
let n = 0;
function ev(sec: number, event: string, tag = "dlt"): ReplayEvent {
    return {
        id: `e${++n}`,
        occurred: sec * S,
        event,
        resource: { "prefect.resource.id": `prefect.flow-run.r${n}` },
        related: [
            { "prefect.resource.id": "prefect.flow.f1", "prefect.resource.role": "flow" },
            { "prefect.resource.id": `prefect.tag.${tag}`, "prefect.resource.role": "tag" },
        ],
    };
}

/** An automation as Prefect's POST /automations/ answers it (defaults filled in). */
function lived(
    id: string,
    trigger: Record<string, unknown>,
    more: Partial<LivedAutomation> & { enabled?: boolean; actions?: any[]; onTrigger?: any[] } = {},
): LivedAutomation {
    const { enabled, actions, onTrigger, ...rest } = more;
    return {
        id,
        stored: {
            name: `auto ${id}`,
            enabled: enabled ?? true,
            trigger: {
                type: "event",
                posture: "Reactive",
                match: { "prefect.resource.id": "prefect.flow-run.*" },
                match_related: { "prefect.resource.id": "prefect.tag.dlt" },
                after: [],
                expect: [FAILED],
                for_each: [],
                threshold: 1,
                within: 0,
                ...trigger,
            },
            actions: actions ?? [],
            actions_on_trigger: onTrigger ?? [],
            actions_on_resolve: [],
        },
        createdAt: 0,
        switches: [],
        ...rest,
    };
}
const fired = (id: string, ...secs: number[]): RecordedFiring[] => secs.map((s) => ({ automationId: id, at: s * S }));
const row = (report: ReturnType<typeof verifyHistory>, id: string) => report.rows.find((r) => r.id === id)!;

describe("verifyHistory: the replay over each automation's lifetime against Prefect's record", () => {
    const history = [ev(100, FAILED), ev(200, FAILED), ev(300, COMPLETED), ev(400, FAILED), ev(500, FAILED, "other")];

    it("counts firings per automation and agrees where Prefect fired as predicted", () => {
        const report = verifyHistory([lived("a", {})], history, fired("a", 100, 200, 400), 1000 * S);
        expect(row(report, "a")).toMatchObject({ predicted: 3, actual: 3, agree: true });
        expect(report.totals).toEqual({ automations: 1, agreeing: 1, predicted: 3, actual: 3, notSimulated: 0 });
    });

    it("an automation fires only between its creation and its deletion", () => {
        const report = verifyHistory([lived("a", {}, { createdAt: 150 * S, deletedAt: 350 * S })], history, fired("a", 200), 1000 * S);
        expect(row(report, "a")).toMatchObject({ predicted: 1, actual: 1, agree: true });
    });

    it("a Proactive firing predicted within a tick after the deletion counts: the file deleted it once it had fired", () => {
        // No completion for 12 s from its creation at 0 s: fired at 13 s on the server, at the replay's next tick (15 s).
        const stale = (deletedAt: number) =>
            lived("stale", { posture: "Proactive", expect: [COMPLETED], within: 12 }, { deletedAt: deletedAt * S });
        expect(row(verifyHistory([stale(13.5)], history, fired("stale", 13), 1000 * S), "stale")).toMatchObject({
            predicted: 1,
            agree: true,
        });
        expect(row(verifyHistory([stale(9)], history, [], 1000 * S), "stale")).toMatchObject({ predicted: 0, agree: true });
        // Deleted at 13.5 s while its window ran, and Prefect never fired: the firing predicted at 15 s is not counted.
        expect(row(verifyHistory([stale(13.5)], history, [], 1000 * S), "stale")).toMatchObject({ predicted: 0, agree: true });
    });

    it("a disagreement is reported with a reason, never thrown", () => {
        const report = verifyHistory([lived("a", {})], history, fired("a", 100, 200), 1000 * S);
        expect(row(report, "a")).toMatchObject({ predicted: 3, actual: 2, agree: false });
        expect(row(report, "a").reason).toBe("1 predicted only, first 400.0 s after its creation");
        expect(report.totals.agreeing).toBe(0);
    });

    it("names the known causes: just created, about to be deleted, the end of the history, a client's switch", () => {
        const near = verifyHistory(
            [
                lived("new", {}, { createdAt: 95 * S }),
                lived("gone", {}, { deletedAt: 405 * S }),
                lived("switched", {}, { switches: [{ at: 150 * S, enabled: false }] }),
            ],
            history,
            [...fired("new", 200, 400), ...fired("gone", 100, 200), ...fired("switched", 100, 400)],
            1000 * S,
        );
        expect(row(near, "new").reason).toMatch(/^1 predicted only, 5\.0 s after its creation/);
        expect(row(near, "gone").reason).toMatch(/^1 predicted only, 5\.0 s before its deletion/);
        expect(row(near, "switched").reason).toMatch(/switched by a client 1x/);
        const end = verifyHistory([lived("a", {})], history, fired("a", 100, 200), 410 * S);
        expect(row(end, "a").reason).toMatch(/10\.0 s before the end of the history/);
    });

    it("a firing Prefect recorded that the replay does not predict is reported as recorded only", () => {
        const report = verifyHistory([lived("a", {})], history, fired("a", 100, 200, 400, 700), 1000 * S);
        expect(row(report, "a")).toMatchObject({ predicted: 3, actual: 4, agree: false });
        expect(row(report, "a").reason).toMatch(/^1 recorded only/);
    });

    it("a mute timer resumes the automation it arms, and pauses itself; firings of unknown automations are counted apart", () => {
        const muted = lived("muted", {}, { enabled: false });
        const timer = lived(
            "timer",
            { posture: "Proactive", expect: ["never.emitted"], match: { "prefect.resource.id": "timer" }, match_related: {}, within: 150 },
            {
                actions: [{ type: "resume-automation", source: "selected", automation_id: "muted" }],
                onTrigger: [{ type: "pause-automation", source: "inferred" }],
            },
        );
        const report = verifyHistory(
            [muted, timer],
            history,
            [...fired("timer", 150), ...fired("muted", 200, 400), ...fired("x", 5)],
            1000 * S,
        );
        expect(row(report, "timer")).toMatchObject({ predicted: 1, actual: 1, agree: true });
        // The failure at 100 s falls in the mute; those at 200 and 400 s after the timer's resume (150 s + 3 s).
        expect(row(report, "muted")).toMatchObject({ predicted: 2, actual: 2, agree: true });
        expect(report.unknown).toEqual([{ id: "x", name: "?", firings: 1 }]);
    });

    it("what the engine does not model is listed as not simulated, agreeing only if Prefect never fired it", () => {
        const compound = lived("c", {});
        compound.stored.trigger = { type: "compound", triggers: [] };
        const pausesOther = lived("p", {}, { actions: [{ type: "pause-automation", source: "selected", automation_id: "a" }] });
        const report = verifyHistory([compound, pausesOther], history, fired("c", 100), 1000 * S);
        expect(row(report, "c")).toMatchObject({
            predicted: 0,
            actual: 1,
            agree: false,
            reason: "not simulated: a compound trigger (only event triggers are simulated)",
        });
        expect(row(report, "p")).toMatchObject({
            agree: true,
            reason: "not simulated: a pause-automation action the engine does not model",
        });
        expect(report.totals.notSimulated).toBe(2);
    });

    it("the text: one row per automation, the totals, and each disagreement with its reason", () => {
        const report = verifyHistory(
            [lived("a", {}, { origin: "mute" }), lived("b", {}, { origin: "alerting" })],
            history,
            [...fired("a", 100, 200, 400), { automationId: "0rphan00-1111", name: "[freshness] Stale data", at: 5 * S }],
            1000 * S,
        );
        const text = formatVerifyReport(report).split("\n");
        expect(text[1]).toMatch(/^auto b b\s+alerting\s+3\s+0 {2}NO$/);
        expect(text[2]).toMatch(/^auto a a\s+mute\s+3\s+3 {2}yes$/);
        expect(text[3]).toBe(
            "totals: 1/2 automations agree; firings predicted 6, recorded 3; 1 automation(s) the journal did not see fired",
        );
        expect(text.slice(4)).toEqual([
            "disagreements and notes:",
            "  auto b b: 3 vs 0: 3 predicted only, first 100.0 s after its creation",
            "  [freshness] Stale data 0rphan00: fired 1x, never journaled (a create whose answer was lost?)",
        ]);
    });
});

describe("the pieces", () => {
    it("unpaired: firings within the tolerance pair up, the rest is left on its side", () => {
        expect(unpaired([10, 20, 50], [12, 35, 51], 5)).toEqual({ predicted: [20], actual: [35] });
        expect(unpaired([], [1], 5)).toEqual({ predicted: [], actual: [1] });
    });

    it("toReplayAutomation: a disabled automation waits to be resumed; an enabled one starts at its creation", () => {
        const off = toReplayAutomation(lived("x", {}, { enabled: false, createdAt: 7 }));
        const on = toReplayAutomation(lived("y", {}, { createdAt: 7 }));
        expect(off).toMatchObject({ key: "x", enabled: false, arms: [], pausesItself: false });
        expect("enabledAt" in off).toBe(false);
        expect(on).toMatchObject({ key: "y", enabled: true, enabledAt: 7 });
    });

    it("interestPrefixes: the events worth reading, or all of them when a trigger expects anything", () => {
        const auto = (expect: string[], after: string[] = []) => toReplayAutomation(lived("x", { expect, after })) as any;
        expect(interestPrefixes([auto([FAILED, COMPLETED]), auto(["prefect.flow-run.*"], ["prefect.work-pool.ready"])])).toEqual([
            "prefect.flow-run.",
            "prefect.work-pool.ready",
        ]);
        expect(interestPrefixes([auto([FAILED]), auto([])])).toBeUndefined();
        expect(interestPrefixes([auto(["!prefect.log.*"])])).toBeUndefined();
    });
});

describe("the e2e automation journal", () => {
    const api = "http://127.0.0.1:1/api";
    const id = "0b8e2a7e-1111-4222-8333-944455556666";
    const stored = { id, name: "warning", created: "2026-01-01T00:00:10.000000Z", enabled: true, trigger: { type: "event" } };

    it("journals a creation with Prefect's own time, a deletion, an enabled switch; nothing else", () => {
        expect(journalEntry(api, "POST", "/automations/", {}, stored, 99)).toMatchObject({
            kind: "created",
            id,
            at: Date.parse("2026-01-01T00:00:10Z"),
        });
        expect(journalEntry(api, "DELETE", `/automations/${id}`, undefined, undefined, 99)).toEqual({ kind: "deleted", api, id, at: 99 });
        expect(journalEntry(api, "PATCH", `/automations/${id}`, { enabled: false }, undefined, 99)).toEqual({
            kind: "switched",
            api,
            id,
            at: 99,
            enabled: false,
        });
        expect(journalEntry(api, "POST", "/automations/filter", {}, [stored], 99)).toBeUndefined();
        expect(journalEntry(api, "GET", `/automations/${id}`, undefined, stored, 99)).toBeUndefined();
        expect(journalEntry(api, "DELETE", `/deployments/${id}`, undefined, undefined, 99)).toBeUndefined();
    });

    it("withServerLifecycle: an automation the journal missed comes from the server's created/deleted events", () => {
        const journaled = livedAutomations([JSON.stringify(journalEntry(api, "POST", "/automations/", {}, stored, 0))], api);
        const orphan = { ...stored, id: "orphan", name: "lost answer" };
        const lifecycle = (event: string, a: typeof stored, occurred: string) => ({
            event: `prefect.automation.${event}`,
            occurred,
            resource: { "prefect.resource.id": `prefect.automation.${a.id}` },
            payload: a,
        });
        const all = withServerLifecycle(journaled, [
            lifecycle("deleted", orphan, "2026-01-01T00:01:00Z"),
            lifecycle("created", stored, "2026-01-01T00:00:10Z"),
            lifecycle("created", orphan, "2026-01-01T00:00:20Z"),
        ]);
        expect(all[0]).toBe(journaled[0]);
        expect(all.slice(1)).toEqual([
            {
                id: "orphan",
                stored: orphan,
                createdAt: Date.parse("2026-01-01T00:00:20Z"),
                deletedAt: Date.parse("2026-01-01T00:01:00Z"),
                switches: [],
                origin: "not journaled",
            },
        ]);
    });

    it("livedAutomations: one server's automations with their lifetimes", () => {
        const lines = [
            JSON.stringify({ ...journalEntry(api, "POST", "/automations/", {}, stored, 0), origin: "mute" }),
            JSON.stringify(journalEntry("http://other/api", "POST", "/automations/", {}, { ...stored, id: "other" }, 0)),
            JSON.stringify(journalEntry(api, "PATCH", `/automations/${id}`, { enabled: false }, undefined, 20_000)),
            JSON.stringify(journalEntry(api, "DELETE", `/automations/${id}`, undefined, undefined, 30_000)),
            JSON.stringify(journalEntry(api, "DELETE", `/automations/${id}`, undefined, undefined, 40_000)),
            "",
        ];
        expect(livedAutomations(lines, api)).toEqual([
            {
                id,
                stored,
                createdAt: Date.parse(stored.created),
                deletedAt: 30_000,
                switches: [{ at: 20_000, enabled: false }],
                origin: "mute",
            },
        ]);
    });
});
