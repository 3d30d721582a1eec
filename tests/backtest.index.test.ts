import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ReplayAutomation, ReplayEvent, replay } from "../backtest/engine";
import type { Labels } from "../prefect/vocabulary";

/**
 * The replay offers each event only to the automations it can interest (an index of `expect` and `after` by exact
 * name and by pattern, then of literal related ids such as a route's tag). Property: on random automations and
 * histories it fires exactly as the straightforward replay that offers every event to every automation
 * (`unindexed`): the same firings, times, buckets and events, in the same order.
 */

const S = 1000;
/** Exact names, fnmatch patterns (`*`, `?`, `[seq]`, `[!seq]`) and a lone `[` (a literal). */
const PATTERNS = [
    "prefect.flow-run.Failed",
    "prefect.flow-run.Completed",
    "prefect.flow-run.Running",
    "prefect.flow-run.*",
    "prefect.flow-run.[CF]*",
    "prefect.flow-run.[!C]*",
    "prefect.flow-run.[CF]ailed",
    "prefect.flow-run.Runnin?",
    "prefect.work-pool.*",
    "prefect.work-pool.not-ready",
    "prefect.work-pool.[",
];
const NAMES = [
    "prefect.flow-run.Failed",
    "prefect.flow-run.Completed",
    "prefect.flow-run.Running",
    "prefect.flow-run.Crashed",
    "prefect.work-pool.not-ready",
    "prefect.work-pool.ready",
    "prefect.work-pool.[",
];
const RUNS = ["r1", "r2", "r3"];
const TAGS = ["dlt", "x", "y"];
const tag = (t: string) => ({ "prefect.resource.role": "tag", "prefect.resource.id": `prefect.tag.${t}` });
/** Related specs: none, a route's tag (a literal id, indexed), several ids, a pattern, a negation, a list of objects. */
const RELATED: (Labels | Labels[])[] = [
    {},
    tag("dlt"),
    { "prefect.resource.id": ["prefect.tag.dlt", "prefect.tag.x"] },
    { "prefect.resource.id": "prefect.tag.*" },
    { "prefect.resource.id": "!prefect.tag.dlt" },
    { "prefect.resource.role": "flow" },
    [{ "prefect.resource.role": "flow" }, tag("x")],
    [tag("dlt"), tag("y")],
];

const automation = (i: number) =>
    fc
        .record({
            proactive: fc.boolean(),
            expect: fc.subarray(PATTERNS, { maxLength: 3 }),
            after: fc.oneof(fc.constant([] as string[]), fc.subarray(PATTERNS, { maxLength: 2 })),
            threshold: fc.integer({ min: 1, max: 3 }),
            within: fc.constantFrom(0, 10, 60, 300),
            perRun: fc.boolean(),
            related: fc.constantFrom(...RELATED),
            enabled: fc.boolean(),
            enabledAt: fc.option(fc.integer({ min: 0, max: 1500 }), { nil: undefined }),
            arms: fc.subarray(["a0", "a1", "a2", "a3", "a4", "a5"], { maxLength: 2 }),
            pausesItself: fc.boolean(),
        })
        .map((a): ReplayAutomation => ({
            key: `a${i}`,
            name: `a${i}`,
            enabled: a.enabled,
            ...(a.enabledAt === undefined ? {} : { enabledAt: a.enabledAt * S }),
            arms: a.arms,
            pausesItself: a.pausesItself,
            trigger: {
                posture: a.proactive ? "Proactive" : "Reactive",
                match: { "prefect.resource.id": ["prefect.flow-run.*", "prefect.work-pool.*"] },
                match_related: a.related,
                after: a.after,
                expect: a.expect,
                for_each: a.perRun ? ["prefect.resource.id"] : [],
                threshold: a.threshold,
                within: a.within,
            },
        }));

const history = fc.array(
    fc.record({
        sec: fc.integer({ min: 0, max: 2000 }),
        name: fc.constantFrom(...NAMES),
        run: fc.constantFrom(...RUNS),
        tags: fc.subarray(TAGS),
        flow: fc.boolean(),
    }),
    { maxLength: 60 },
);

const events = (h: { sec: number; name: string; run: string; tags: string[]; flow: boolean }[]): ReplayEvent[] =>
    h.map((e, i) => ({
        id: `e${i}`,
        occurred: e.sec * S,
        event: e.name,
        resource: { "prefect.resource.id": e.name.startsWith("prefect.work-pool") ? "prefect.work-pool.p1" : `prefect.flow-run.${e.run}` },
        related: [...(e.flow ? [{ "prefect.resource.id": "prefect.flow.f1", "prefect.resource.role": "flow" }] : []), ...e.tags.map(tag)],
    }));

describe("the replay's index by event name", () => {
    it("fires exactly as the replay that offers every event to every automation", () => {
        const automations = fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => automation(i))));
        let fired = 0;
        fc.assert(
            fc.property(automations, history, (as, h) => {
                const W = { start: 0, end: 2500 * S };
                const indexed = replay(as, events(h), W);
                expect(indexed).toEqual(replay(as, events(h), W, { unindexed: true }));
                fired += indexed.length;
            }),
            { numRuns: 400 },
        );
        // The histories are not all silent: the comparison covers real firings.
        expect(fired).toBeGreaterThan(400);
    });
});
