import { beforeAll, describe, expect, it } from "vitest";
import type { ProgramRun } from "../harness/runProgram";
import { isSecretMarker } from "../harness/runProgram";
import { T, ofType, parentType, plain, runStack } from "./helpers/program";
import { SLACK_URL } from "./helpers/stacks";
import { WEBHOOK_URL_SECRET } from "../channels/webhook";

let run: ProgramRun;
beforeAll(async () => {
    run = await runStack("dev");
});

describe("dev stack under mocks", () => {
    it("registers the warning tier only: one Slack block, one automation", () => {
        const types = run.resources
            .filter((r) => r.custom)
            .map((r) => r.type)
            .sort();
        expect(types).toEqual([T.automation, T.block]);
        expect(
            run.resources
                .filter((r) => !r.custom)
                .map((r) => r.type)
                .sort(),
        ).toEqual(["alerting:index:NotificationChannels", "alerting:index:WarningTier"]);
    });

    it("a disabled PagerDuty, critical tier or mirror leaves none of their resources", () => {
        expect(run.resources.filter((r) => /^(pagerduty|aws):/.test(r.type))).toEqual([]);
        expect(run.invokes).toEqual([]);
    });

    it("the block is a custom-webhook posting Block Kit, the URL only in its secrets, parented to the channels component", () => {
        const [block] = ofType(run, T.block);
        expect(plain(block)).toMatchObject({ name: "dev-alerts", typeSlug: "custom-webhook" });
        expect(isSecretMarker(block.rawInputs.data)).toBe(true);
        // The rendered Block Kit JSON is the body as is; `url` only names the secret that holds the Slack URL.
        expect(JSON.parse(plain(block).data)).toEqual({
            name: "dev-alerts",
            url: `{{${WEBHOOK_URL_SECRET}}}`,
            method: "POST",
            headers: { "Content-Type": "application/json" },
            form_data: "{{body}}",
            timeout: 10,
            secrets: { [WEBHOOK_URL_SECRET]: SLACK_URL },
        });
        expect(plain(block).data.split(SLACK_URL)).toHaveLength(2);
        expect(parentType(block)).toBe("alerting:index:NotificationChannels");
    });

    it("the automation is what Prefect needs to fire on a dlt-tagged run ending Failed, Crashed or TimedOut, and nothing else", () => {
        const [automation] = ofType(run, T.automation);
        const a = plain(automation);
        expect(parentType(automation)).toBe("alerting:index:WarningTier");
        expect(a.enabled).toBe(true);
        expect(a.trigger).toEqual({
            event: {
                posture: "Reactive",
                match: JSON.stringify({ "prefect.resource.id": "prefect.flow-run.*" }),
                matchRelated: JSON.stringify({ "prefect.resource.role": "tag", "prefect.resource.id": "prefect.tag.dlt" }),
                afters: [],
                expects: ["prefect.flow-run.Failed", "prefect.flow-run.Crashed", "prefect.flow-run.TimedOut"],
                forEaches: [],
                threshold: 1,
                within: 0,
            },
        });
        expect(a.actions).toHaveLength(1);
        expect(a.actions[0]).toMatchObject({ type: "send-notification", blockDocumentId: ofType(run, T.block)[0].id });
        // The run's page links the Block Kit button, on the stack's own UI (Prefect Cloud's workspace pages: alert/links.ts).
        expect(a.actions[0].body).toContain(
            '{% set url = (("https://app.prefect.cloud/account/0b5e7f2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b/workspace/' +
                '6c7d8e9f-0a1b-4c2d-9e3f-4a5b6c7d8e9f/runs/flow-run/" ~ (flow_run.id | string))) | string %}',
        );
        expect(a.actions[0].body).not.toContain("ui_url");
        expect(a.actions[0].body).toContain('"url":{{ (url) | tojson }}');
        expect(a.actions[0].body).not.toContain("flow_run_url");
    });

    it("exports block and automation ids, nothing secret", () => {
        expect(run.outputs.automations).toEqual({ "warning-dlt": ofType(run, T.automation)[0].id });
        expect(run.outputs.blocks).toEqual({ alerts: { name: "dev-alerts", type: "custom-webhook", id: ofType(run, T.block)[0].id } });
        expect(JSON.stringify(run.outputs)).not.toContain("hooks.slack.com");
    });
});
