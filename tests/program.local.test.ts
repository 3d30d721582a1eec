import { beforeAll, describe, expect, it } from "vitest";
import type { ProgramRun } from "../harness/runProgram";
import { T, ofType, plain, runStack } from "./helpers/program";

let run: ProgramRun;
beforeAll(async () => {
    run = await runStack("local");
});

describe("local stack under mocks", () => {
    it("uses custom-webhook blocks on loopback for every channel, PagerDuty included", () => {
        const blocks = ofType(run, T.block)
            .map(plain)
            .sort((a, b) => a.name.localeCompare(b.name));
        expect(blocks.map((b) => [b.name, b.typeSlug])).toEqual([
            ["local-alerts", "custom-webhook"],
            ["local-critical", "custom-webhook"],
            ["local-info", "custom-webhook"],
            ["local-pager", "custom-webhook"],
        ]);
        const pager = JSON.parse(blocks[3].data);
        expect(pager).toEqual({
            name: "local-pager",
            url: "{{webhook_url}}",
            method: "POST",
            json_data: { subject: "{{subject}}", body: "{{body}}", name: "{{name}}" },
            timeout: 10,
            secrets: { webhook_url: "http://127.0.0.1:8787/pager" },
        });
    });

    it("creates no PagerDuty or AWS resources", () => {
        expect(run.resources.filter((r) => /^(pagerduty|aws):/.test(r.type))).toEqual([]);
    });

    it("announces completed products-daily runs on the info channel only", () => {
        const notice = plain(ofType(run, T.automation).find((a) => a.name === "success-notice")!);
        const info = ofType(run, T.block).find((b) => b.name === "block-info")!;
        expect(notice.actions.map((a: any) => a.blockDocumentId)).toEqual([info.id]);
        expect(notice.trigger.event.expects).toEqual(["prefect.flow-run.Completed"]);
        expect(JSON.parse(notice.trigger.event.matchRelated)).toEqual({
            "prefect.resource.role": "flow",
            "prefect.resource.name": "products-daily",
        });
    });

    it("has the warning, critical and both P1 automations", () => {
        expect(
            ofType(run, T.automation)
                .map((a) => a.name)
                .sort(),
        ).toEqual(["critical-dlt", "p1-no-success-dlt", "p1-work-pool-not-ready", "success-notice", "warning-dlt"]);
    });
});
