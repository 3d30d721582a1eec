import { describe, expect, it } from "vitest";
import { SentRun, expectedAlerts, heartbeatView, longestGap, percentile, tally } from "../scripts/bench/loadTally";

describe("the load benchmark's tally", () => {
    const runs: SentRun[] = [
        { id: "a", kind: "failed", flowId: "f1", at: 1000 },
        { id: "b", kind: "failed", flowId: "f1", at: 2000 },
        { id: "c", kind: "failed", flowId: "f2", at: 3000 },
        { id: "d", kind: "completed", flowId: "f2", at: 3500 },
        { id: "e", kind: "retried-completed", flowId: "f1", at: 3600 },
        { id: "g", kind: "retried-failed", flowId: "f1", at: 3700 },
        { id: "l", kind: "late", flowId: "f2", at: 3800 },
        { id: "s", kind: "stuck", flowId: "f2", at: 3900 },
        { id: "x", kind: "failed-across", flowId: "f3", at: 3950 },
    ];

    it("warning: each final failure (a retry that finally failed, a run failed across a fault): once each; others stray", () => {
        const t = tally(
            "warning",
            runs,
            [
                { runId: "a", at: 1300 },
                { runId: "b", at: 2100 },
                { runId: "b", at: 2900 },
                { runId: "d", at: 3600 },
                { runId: "e", at: 3700 },
                { runId: "g", at: 3750 },
                { runId: "x", at: 4000 },
                { runId: "not-ours", at: 3800 },
            ],
            1000,
            4000,
        );
        expect(t).toMatchObject({ expected: 5, delivered: 7, lost: ["c"], doubled: ["b"], stray: 2 });
        expect(t.strayKinds).toEqual({ completed: 1, "retried-completed": 1 });
        expect(t.latencies).toEqual([300, 100, 50, 50]);
    });

    it("late and stuck: one alert per late or stuck run, nothing for the runs that ended", () => {
        expect(expectedAlerts("late", runs, 3)).toEqual([{ key: "l", at: 3800 }]);
        expect(expectedAlerts("stuck", runs, 3)).toEqual([{ key: "s", at: 3900 }]);
        const t = tally("stuck", runs, [{ runId: "a", at: 5000 }], 1000, 6000);
        expect(t).toMatchObject({ expected: 1, lost: ["s"], stray: 1, strayKinds: { failed: 1 } });
    });

    it("repeated failures: one alert per flow that reached the threshold, keyed by flow, due at the failure that reached it", () => {
        // f1: a, b, g are final failures (the retry that completed does not count); f2: only c.
        expect(expectedAlerts("critical", runs, 3)).toEqual([{ key: "f1", at: 3700 }]);
        expect(expectedAlerts("critical", runs, 4)).toEqual([]);
        // Runs failed across a fault are on a route of their own: they do not add to their flow's count.
        const across: SentRun[] = ["x1", "x2", "x3"].map((id, n) => ({ id, kind: "failed-across", flowId: "f4", at: 5000 + n }));
        expect(expectedAlerts("critical", [...runs, ...across], 3)).toEqual([{ key: "f1", at: 3700 }]);
        const t = tally(
            "critical",
            runs,
            [
                { runId: "g", at: 3800 },
                { runId: "b", at: 3900 },
                { runId: "c", at: 4000 },
            ],
            1000,
            5000,
        );
        // Two messages for flow f1 (named by different runs) are one alert doubled; f2 never reached the threshold.
        expect(t).toMatchObject({ expected: 1, lost: [], doubled: ["f1"], stray: 1, strayKinds: { failed: 1 } });
        expect(t.latencies).toEqual([100]);
    });

    it("blind time is the longest stretch without a message, up to the end of the window", () => {
        expect(longestGap([1300, 2100], 1000, 6000)).toBe(3900);
        expect(longestGap([], 0, 500)).toBe(500);
        expect(longestGap([100, 900, 950], 0, 1000)).toBe(800);
    });

    it("the heartbeat: the gap around a fault, the longest, and how long a monitor would show the check down", () => {
        // Period 10, grace 5: pings at 0, 10, 20, then none until 60 (a fault at 25).
        const v = heartbeatView([0, 10, 20, 60, 70], 5, 25, 80, 10, 5);
        expect(v).toEqual({ pings: 4, faultGapMs: 40, longestGapMs: 40, downMs: 25 });
        // Steady pings: nothing down, the fault gap is one period.
        expect(heartbeatView([0, 10, 20, 30], 0, 15, 30, 10, 5)).toEqual({ pings: 3, faultGapMs: 10, longestGapMs: 10, downMs: 0 });
        // No ping after the fault: the gap runs to the window's end.
        expect(heartbeatView([0, 10], 0, 12, 50, 10, 5)).toMatchObject({ faultGapMs: 40, downMs: 25 });
    });

    it("percentiles are nearest-rank", () => {
        expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
        expect(percentile([5, 1, 4, 2, 3], 95)).toBe(5);
        expect(Number.isNaN(percentile([], 50))).toBe(true);
    });
});
