import { describe, expect, it } from "vitest";
import { Firing, ReplayAutomation, ReplayEvent, replay } from "../backtest/engine";
import { bucketingKey, fnmatch, labelMatches } from "../backtest/match";
import type { EventTriggerSpec } from "../prefect/vocabulary";

/**
 * One case per mechanic of Prefect 3.9.1's trigger engine (server/events/triggers.py), each with the figures the
 * server gives. Times are in seconds from 0; the Proactive loop ticks every 5 s on multiples of 5 s.
 */

const S = 1000;
const FAILED = ["prefect.flow-run.Failed", "prefect.flow-run.Crashed", "prefect.flow-run.TimedOut"];
const COMPLETED = "prefect.flow-run.Completed";
const TAG_DLT = { "prefect.resource.role": "tag", "prefect.resource.id": "prefect.tag.dlt" };
const ANY_RUN = { "prefect.resource.id": "prefect.flow-run.*" };

let n = 0;
/** A flow-run state event at `sec`, of run `run` of flow `flow`, tagged `tags`. */
function ev(sec: number, state: string, opts: { run?: string; flow?: string; tags?: string[]; deployment?: string } = {}): ReplayEvent {
    const run = opts.run ?? "r1";
    const flow = opts.flow ?? "f1";
    return {
        id: `e${++n}`,
        occurred: sec * S,
        event: `prefect.flow-run.${state}`,
        resource: { "prefect.resource.id": `prefect.flow-run.${run}`, "prefect.resource.name": run, "prefect.state-name": state },
        related: [
            { "prefect.resource.id": `prefect.flow.${flow}`, "prefect.resource.role": "flow", "prefect.resource.name": flow },
            ...(opts.deployment
                ? [
                      {
                          "prefect.resource.id": `prefect.deployment.${opts.deployment}`,
                          "prefect.resource.role": "deployment",
                          "prefect.resource.name": opts.deployment,
                      },
                  ]
                : []),
            ...(opts.tags ?? ["dlt"]).map((t) => ({ "prefect.resource.id": `prefect.tag.${t}`, "prefect.resource.role": "tag" })),
        ],
    };
}

function trigger(t: Partial<EventTriggerSpec>): EventTriggerSpec {
    return {
        posture: "Reactive",
        match: ANY_RUN,
        match_related: TAG_DLT,
        after: [],
        expect: FAILED,
        for_each: [],
        threshold: 1,
        within: 0,
        ...t,
    };
}
function auto(key: string, t: Partial<EventTriggerSpec>, more: Partial<ReplayAutomation> = {}): ReplayAutomation {
    return { key, name: key, enabled: true, trigger: trigger(t), arms: [], pausesItself: false, ...more };
}
const W = { start: 0, end: 10_000 * S };
const times = (fs: Firing[], key?: string) => fs.filter((f) => key === undefined || f.automation === key).map((f) => f.at / S);

describe("matching (schemas/events.py `matches`, `ResourceSpecification.includes`)", () => {
    it("fnmatch: * ? [seq] [!seq], the whole value, case-sensitive; a lone [ is literal", () => {
        expect(fnmatch("prefect.flow-run.abc", "prefect.flow-run.*")).toBe(true);
        expect(fnmatch("prefect.flow.abc", "prefect.flow-run.*")).toBe(false);
        expect(fnmatch("load-eu", "load-e?")).toBe(true);
        expect(fnmatch("load[eu]", "load[[]eu]")).toBe(true);
        expect(fnmatch("loade", "load[eu]")).toBe(true);
        expect(fnmatch("loadx", "load[!eu]")).toBe(true);
        expect(fnmatch("loade", "load[!eu]")).toBe(false);
        expect(fnmatch("a[b", "a[b")).toBe(true);
        expect(fnmatch("Failed", "failed")).toBe(false);
        expect(fnmatch("team-*", "team-[*]")).toBe(true);
        expect(fnmatch("team-x", "team-[*]")).toBe(false);
    });

    it("a leading ! negates, and a missing label matches nothing, negated or not", () => {
        expect(labelMatches("!prefect.tag.dlt", "prefect.tag.dbt")).toBe(true);
        expect(labelMatches("!prefect.tag.dlt", "prefect.tag.dlt")).toBe(false);
        expect(labelMatches("!prefect.tag.dlt", undefined)).toBe(false);
    });

    it("labels of one object are ANDed on ONE related resource, list values ORed, a list of objects all required", () => {
        const a = auto("a", { within: 0, match_related: [TAG_DLT, { "prefect.resource.role": "deployment" }] });
        const b = auto("b", {
            within: 0,
            match_related: { "prefect.resource.role": "tag", "prefect.resource.id": ["prefect.tag.x", "prefect.tag.dlt"] },
        });
        // Role "flow" and id "prefect.tag.dlt" on two different resources do not make one match.
        const c = auto("c", { within: 0, match_related: { "prefect.resource.role": "flow", "prefect.resource.id": "prefect.tag.dlt" } });
        const fs = replay([a, b, c], [ev(1, "Failed"), ev(2, "Failed", { deployment: "d1" }), ev(3, "Failed", { tags: ["x"] })], W);
        expect(times(fs, "a")).toEqual([2]);
        expect(times(fs, "b")).toEqual([1, 2, 3]);
        expect(times(fs, "c")).toEqual([]);
    });

    it("for_each related:<role>:<label> reads the FIRST related resource of that role; a missing label is ''", () => {
        const e = ev(1, "Failed", { tags: ["a", "b"] });
        expect(bucketingKey(["related:tag:prefect.resource.id", "prefect.resource.id"], e.resource, e.related)).toEqual([
            "prefect.flow-run.r1",
            "prefect.tag.a",
        ]);
        expect(bucketingKey(["related:work-pool:prefect.resource.name", "nope"], e.resource, e.related)).toEqual(["", ""]);
    });
});

describe("Reactive triggers (triggers.py `evaluate`)", () => {
    it("within 0 fires on every matching event, and on nothing else", () => {
        const a = auto("warning", { within: 0 });
        const fs = replay(
            [a],
            [ev(1, "Failed"), ev(2, "Completed"), ev(3, "Crashed"), ev(4, "Failed", { tags: ["other"] }), ev(5, "TimedOut")],
            W,
        );
        expect(times(fs)).toEqual([1, 3, 5]);
        expect(fs.map((f) => f.triggeringEvent?.event)).toEqual([
            "prefect.flow-run.Failed",
            "prefect.flow-run.Crashed",
            "prefect.flow-run.TimedOut",
        ]);
    });

    it("threshold 3 within W fires on the third event, then ignores the bucket's events until its window ends (a cooldown)", () => {
        const a = auto("critical", { threshold: 3, within: 100 });
        const fs = replay(
            [a],
            [10, 20, 30, 40, 50, 109, 111, 120, 130].map((t) => ev(t, "Failed")),
            W,
        );
        // First window [10 - 15 min, 110): fires at 30; events up to 110 are ignored; [110, 210) fires on 111, 120, 130.
        expect(times(fs)).toEqual([30, 130]);
    });

    it("the window tumbles from the first event: events further apart than `within` never add up", () => {
        const a = auto("critical", { threshold: 2, within: 100 });
        expect(times(replay([a], [ev(10, "Failed"), ev(111, "Failed"), ev(250, "Failed")], W))).toEqual([]);
        expect(times(replay([a], [ev(10, "Failed"), ev(109, "Failed")], W))).toEqual([109]);
    });

    it("an event past an expired window opens the next window at itself and may fire at once (case 4)", () => {
        const a = auto("late", { expect: ["prefect.flow-run.Late"], within: 100 });
        const fs = replay([a], [ev(10, "Late"), ev(50, "Late"), ev(110, "Late"), ev(205, "Late"), ev(500, "Late"), ev(560, "Late")], W);
        // 10 fires and the next window is [110, 210): 50 is ignored, 110 fires, the next is [210, 310) so 205 is ignored;
        // 500 fires (past that window) and opens [600, 700), before which 560 is ignored.
        expect(times(fs)).toEqual([10, 110, 500]);
    });

    it("for_each keeps one bucket per key: failures of different flows never add up", () => {
        const a = auto("critical", { threshold: 2, within: 100, for_each: ["related:flow:prefect.resource.id"] });
        const fs = replay([a], [ev(1, "Failed", { flow: "a" }), ev(2, "Failed", { flow: "b" }), ev(3, "Failed", { flow: "a" })], W);
        expect(fs.map((f) => [f.at / S, f.bucket])).toEqual([[3, "prefect.flow.a"]]);
    });

    it("after/expect: a bucket opened by a failure resolves on the first Completed, once; a Completed alone does nothing", () => {
        const a = auto("resolve", { after: FAILED, expect: [COMPLETED], within: 1000, for_each: ["related:flow:prefect.resource.id"] });
        const fs = replay(
            [a],
            [
                ev(1, "Completed"),
                ev(5, "Failed"),
                ev(6, "Failed"),
                ev(8, "Completed"),
                ev(9, "Completed"),
                ev(20, "Failed"),
                ev(1100, "Completed"),
            ],
            W,
        );
        // The second window [20, 1020) expires before the Completed at 1100.
        expect(times(fs)).toEqual([8]);
        expect(fs[0].triggeringEvent?.occurred).toBe(8 * S);
    });
});

describe("Proactive triggers (triggers.py `proactive_evaluation`, evaluated on the 5 s loop)", () => {
    const terminal = [COMPLETED, ...FAILED, "prefect.flow-run.Cancelled"];
    const stuck = (within: number) =>
        auto("stuck", {
            posture: "Proactive",
            after: ["prefect.flow-run.Running"],
            expect: terminal,
            for_each: ["prefect.resource.id"],
            within,
        });

    it("after Running, expect an end, per run: one that ends in time is quiet, a stuck one fires once at the tick past its window", () => {
        const fs = replay(
            [stuck(60)],
            [ev(2, "Running", { run: "ok" }), ev(30, "Completed", { run: "ok" }), ev(3, "Running", { run: "stuck" })],
            W,
        );
        expect(fs.map((f) => [f.at / S, f.bucket, f.triggeringEvent?.event])).toEqual([
            [65, "prefect.flow-run.stuck", "prefect.flow-run.Running"],
        ]);
    });

    it("the tick grid moves the firing, not the count", () => {
        const fs = replay([stuck(60)], [ev(3, "Running", { run: "stuck" })], W, { tickPhaseMs: 2000 });
        expect(times(fs)).toEqual([67]);
    });

    it("an expect-only event seen before its window opens is held and counted by that window (automation_held_events.py)", () => {
        // Same instant: the Completed sorts first, so it is held; the window the Running opens at 3 counts it.
        const done = ev(3, "Completed", { run: "r" });
        const fs = replay([stuck(60)], [done, ev(3, "Running", { run: "r" })], W);
        expect(times(fs)).toEqual([]);
    });

    it("no after, no for_each: windows from the first evaluation; a window holding the event is dropped and the next has no bucket", () => {
        const a = auto("fresh", { posture: "Proactive", expect: [COMPLETED], within: 60 });
        // Never completed: W after load, then every W.
        expect(times(replay([a], [], { start: 0, end: 200 * S }))).toEqual([60, 120, 180]);
        // A completion at 30 (inside [0, 60)): dropped at 60, no bucket until 120, fires at 180: 2W-3W after it.
        expect(times(replay([a], [ev(30, "Completed")], { start: 0, end: 300 * S }))).toEqual([180, 240, 300]);
    });

    it("the same event in after and expect (a heartbeat): first alert W after the last one, then every 2W", () => {
        const a = auto("p1", { posture: "Proactive", after: [COMPLETED], expect: [COMPLETED], within: 60 });
        const fs = replay([a], [ev(10, "Completed"), ev(50, "Completed")], { start: 0, end: 400 * S });
        // Load at 0: window [0, 60); 10 restarts it at [10, 70); 50 restarts at [50, 110); fires at 110, then 230, 350.
        expect(times(fs)).toEqual([110, 230, 350]);
        expect(fs[0].triggeringEvent?.occurred).toBe(50 * S);
    });

    it("for_each without after never fires: every bucket is opened by the expected event itself and dropped", () => {
        const a = auto("fresh", { posture: "Proactive", expect: [COMPLETED], within: 60, for_each: ["related:flow:prefect.resource.id"] });
        expect(times(replay([a], [ev(10, "Completed"), ev(500, "Completed")], W))).toEqual([]);
    });

    it("threshold 2: one expected event in the window is not enough", () => {
        const a = auto("two", { posture: "Proactive", expect: [COMPLETED], within: 60, threshold: 2 });
        expect(times(replay([a], [ev(10, "Completed")], { start: 0, end: 60 * S }))).toEqual([60]);
        expect(times(replay([a], [ev(10, "Completed"), ev(20, "Completed")], { start: 0, end: 60 * S }))).toEqual([]);
    });

    it("a Proactive within 0 is Prefect's 10 s", () => {
        const a = auto("timer", { posture: "Proactive", expect: ["never"], match: {}, match_related: {}, within: 0 });
        expect(times(replay([a], [], { start: 0, end: 30 * S }))).toEqual([10, 20, 30]);
    });
});

describe("pausing, resuming and mutes (actions.py pause-/resume-automation; models/automations.py keeps buckets)", () => {
    const p1 = () => auto("p1", { posture: "Proactive", after: [COMPLETED], expect: [COMPLETED], within: 60 }, { arms: ["resolve"] });
    const resolve = () => auto("resolve", { expect: [COMPLETED], within: 60 }, { enabled: false, pausesItself: true });

    it("an armed resolve is off until its alert fires, resolves on the first clearing event after that, then pauses itself", () => {
        const fs = replay([p1(), resolve()], [ev(30, "Completed"), ev(100, "Completed"), ev(120, "Completed")], { start: 0, end: 150 * S });
        // p1 fires at 90 (W after 30) and resumes the resolve at 93; the Completed at 100 resolves; the one at 120 finds it paused.
        expect(fs.map((f) => [f.automation, f.at / S])).toEqual([
            ["p1", 90],
            ["resolve", 100],
        ]);
    });

    it("the resume takes effect after the action delay: a clearing event in between is not seen", () => {
        const fs = replay(
            [p1(), resolve()],
            [ev(30, "Completed"), ev(91, "Completed")],
            { start: 0, end: 120 * S },
            { actionDelayMs: 3000 },
        );
        expect(times(fs, "resolve")).toEqual([]);
        const quick = replay(
            [p1(), resolve()],
            [ev(30, "Completed"), ev(91, "Completed")],
            { start: 0, end: 120 * S },
            { actionDelayMs: 0 },
        );
        expect(times(quick, "resolve")).toEqual([91]);
    });

    it("a muted automation (enabledAt) sees nothing before its mute ends", () => {
        const a = auto("warning", { within: 0 }, { enabled: false, enabledAt: 50 * S });
        expect(times(replay([a], [ev(10, "Failed"), ev(60, "Failed")], W))).toEqual([60]);
    });

    it("a paused Proactive trigger keeps its buckets, but the sweep deletes one that ended more than 60 s before it is resumed", () => {
        // "stuck" pauses itself on its first firing; "warning" resumes it on a failure.
        const stuckA = auto(
            "stuck",
            {
                posture: "Proactive",
                after: ["prefect.flow-run.Running"],
                expect: [COMPLETED],
                within: 20,
                for_each: ["prefect.resource.id"],
            },
            { pausesItself: true },
        );
        const warning = auto("warning", { within: 0 }, { arms: ["stuck"] });
        const history = (failAt: number) => [
            ev(5, "Running", { run: "a" }),
            ev(10, "Running", { run: "b" }),
            ev(failAt, "Failed", { run: "c" }),
        ];
        // a fires at 25 and pauses at 28; b's window ends at 30 while paused. Resumed at 60: b fires then.
        expect(times(replay([stuckA, warning], history(57), { start: 0, end: 400 * S }), "stuck")).toEqual([25, 60]);
        // Resumed at 100: b's bucket (ended 30) was swept at 90, so it never fires.
        expect(times(replay([stuckA, warning], history(97), { start: 0, end: 400 * S }), "stuck")).toEqual([25]);
    });

    it("only firings inside the window are returned", () => {
        const a = auto("warning", { within: 0 });
        expect(times(replay([a], [ev(5, "Failed"), ev(15, "Failed"), ev(25, "Failed")], { start: 10 * S, end: 20 * S }))).toEqual([15]);
    });
});
