import { describe, expect, it } from "vitest";
import { longestGap, percentile, tally } from "../scripts/bench/loadTally";

describe("the load benchmark's tally", () => {
    const runs = [
        { id: "a", outcome: "failed" as const, at: 1000 },
        { id: "b", outcome: "failed" as const, at: 2000 },
        { id: "c", outcome: "failed" as const, at: 3000 },
        { id: "d", outcome: "completed" as const, at: 3500 },
    ];

    it("counts each failed run's messages: lost, doubled, stray, and latency to the first", () => {
        const t = tally(
            runs,
            [
                { runId: "a", at: 1300 },
                { runId: "b", at: 2100 },
                { runId: "b", at: 2900 },
                { runId: "d", at: 3600 },
            ],
            1000,
            4000,
        );
        expect(t).toMatchObject({ expected: 3, delivered: 3, lost: ["c"], doubled: ["b"], stray: 1 });
        expect(t.latencies).toEqual([300, 100]);
    });

    it("blind time is the longest stretch without a message, up to the end of the window", () => {
        expect(longestGap([1300, 2100], 1000, 6000)).toBe(3900);
        expect(longestGap([], 0, 500)).toBe(500);
        expect(longestGap([100, 900, 950], 0, 1000)).toBe(800);
    });

    it("percentiles are nearest-rank", () => {
        expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
        expect(percentile([5, 1, 4, 2, 3], 95)).toBe(5);
        expect(Number.isNaN(percentile([], 50))).toBe(true);
    });
});
