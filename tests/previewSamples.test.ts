import { describe, expect, it } from "vitest";
import { SAMPLE_CONTEXT, renderSample } from "../alert/templates";
import { sampleFor } from "../cli/preview/samples";
import { successMessage } from "../signals/successNotice";
import { workPoolNotReadyTrigger } from "../signals/workPoolNotReady";

describe("the preview's samples", () => {
    it("an automation that watches a named work pool is shown with that pool, its link on the stack's UI base", () => {
        const trigger = workPoolNotReadyTrigger(["local-pool", "etl[*]"]);
        const { context, what } = sampleFor({ name: "[local] P1 work pool not ready", trigger }, []);
        expect(what).toBe("a sample event of local-pool");
        const pool = (context as typeof SAMPLE_CONTEXT).work_pool;
        expect(pool.name).toBe("local-pool");
        expect(renderSample("{{ work_pool|ui_url }}", "http://127.0.0.1:4200", context)).toBe(
            "http://127.0.0.1:4200/work-pools/work-pool/local-pool",
        );
    });

    it("a run's automation keeps the sample failed run and the sample pool", () => {
        const { what } = sampleFor(
            { name: "x", trigger: { posture: "Reactive", expect: ["prefect.flow-run.Failed"], match: {} } as any },
            [],
        );
        expect(what).toBe("a sample failed run and work pool");
    });

    it("the success notice's text says the run's state, as its laid-out fields do", () => {
        const body = successMessage().body;
        const { context } = sampleFor(
            { name: "n", trigger: { posture: "Reactive", expect: ["prefect.flow-run.Completed"], match: {} } as any },
            [],
        );
        expect(renderSample(body, "http://ui", context)).toContain("*State*: Completed at 2026-11-30 06:03:12");
    });
});
