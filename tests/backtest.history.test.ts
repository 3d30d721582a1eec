import { describe, expect, it } from "vitest";
import { relatedResources, stateEvents } from "../backtest/history";

/**
 * The rebuild of `prefect.flow-run.<State>` events from a run's state history (server/models/events.py); the e2e
 * suite (tests/e2e/backtest.e2e.ts) checks the rebuilt events equal the server's real ones.
 */

describe("rebuilding flow-run events from state history", () => {
    it("related resources in the server's order: flow, deployment, work queue, work pool, task run, sorted tags, creator", () => {
        const related = relatedResources({
            flow: { id: "f", name: "orders", tags: ["team-a"] },
            deployment: { id: "d", name: "orders-daily", tags: ["dlt", "team-a"] },
            workQueue: { id: "q", name: "default" },
            workPool: { id: "p", name: "pool", type: "process" },
            runTags: ["zeta", "dlt"],
            createdBy: { id: "d", type: "DEPLOYMENT", display_value: "orders-daily" },
        });
        expect(related.map((r) => `${r["prefect.resource.role"]} ${r["prefect.resource.id"]}`)).toEqual([
            "flow prefect.flow.f",
            "deployment prefect.deployment.d",
            "work-queue prefect.work-queue.q",
            "work-pool prefect.work-pool.p",
            "tag prefect.tag.dlt",
            "tag prefect.tag.team-a",
            "tag prefect.tag.zeta",
            "creator prefect.deployment.d",
        ]);
        expect(related[3]["prefect.work-pool.type"]).toBe("process");
        expect(related[0]["prefect.resource.name"]).toBe("orders");
        // A run without deployment, queue or creator: the flow and its own tags only.
        expect(relatedResources({ flow: { id: "f", name: "orders" }, runTags: [] })).toEqual([
            { "prefect.resource.id": "prefect.flow.f", "prefect.resource.role": "flow", "prefect.resource.name": "orders" },
        ]);
    });

    it("one event per state, id and time of the state, the run count rising with each RUNNING-type state", () => {
        const states = [
            { id: "s3", name: "Retrying", type: "RUNNING", timestamp: "2026-12-07T01:00:03.5Z", message: null },
            { id: "s1", name: "Running", type: "RUNNING", timestamp: "2026-12-07T01:00:01Z", message: null },
            { id: "s2", name: "AwaitingRetry", type: "SCHEDULED", timestamp: "2026-12-07T01:00:02.000001Z", message: "retry" },
        ];
        const events = stateEvents({ id: "r", name: "brave-fox" }, states, []);
        expect(events.map((e) => [e.id, e.event, e.resource["prefect.run-count"], e.resource["prefect.state-timestamp"]])).toEqual([
            ["s1", "prefect.flow-run.Running", "1", "2026-12-07T01:00:01+00:00"],
            ["s2", "prefect.flow-run.AwaitingRetry", "1", "2026-12-07T01:00:02.000001+00:00"],
            ["s3", "prefect.flow-run.Retrying", "2", "2026-12-07T01:00:03.500000+00:00"],
        ]);
        expect(events[1].resource).toMatchObject({
            "prefect.resource.id": "prefect.flow-run.r",
            "prefect.resource.name": "brave-fox",
            "prefect.state-message": "retry",
            "prefect.state-type": "SCHEDULED",
        });
        expect(events[0].occurred).toBe(Date.parse("2026-12-07T01:00:01Z"));
    });
});
