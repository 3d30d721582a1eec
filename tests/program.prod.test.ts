import { beforeAll, describe, expect, it } from "vitest";
import type { ProgramRun } from "../harness/runProgram";
import { isSecretMarker } from "../harness/runProgram";
import { EVENTS_API_URL, ROUTING_KEY_SECRET } from "../channels/pagerduty";
import { WEBHOOK_URL_SECRET } from "../channels/webhook";
import { T, ofType, parentType, plain, runStack } from "./helpers/program";
import { SLACK_URL } from "./helpers/stacks";

let run: ProgramRun;
beforeAll(async () => {
    run = await runStack("prod");
});

const byName = (type: string, name: string) => ofType(run, type).find((r) => r.name === name)!;

describe("prod stack under mocks", () => {
    it("has all three tiers, PagerDuty and the Secrets Manager mirror", () => {
        const components = run.resources
            .filter((r) => !r.custom)
            .map((r) => r.type)
            .sort();
        expect(components).toEqual([
            "alerting:index:CriticalTier",
            "alerting:index:NotificationChannels",
            "alerting:index:P1Tier",
            "alerting:index:PagerDutyRouting",
            "alerting:index:SecretsMirror",
            "alerting:index:WarningTier",
        ]);
        const automations = ofType(run, T.automation)
            .map((a) => [a.name, parentType(a)])
            .sort();
        expect(automations).toEqual([
            ["critical-dlt", "alerting:index:CriticalTier"],
            // Each signal that opens a PagerDuty incident has its resolve automation, in the same tier.
            ["critical-dlt-resolve", "alerting:index:CriticalTier"],
            ["freshness-deployment-exchange-rates-daily-prod", "alerting:index:WarningTier"],
            ["late-runs-dlt", "alerting:index:WarningTier"],
            ["p1-no-success-dlt", "alerting:index:P1Tier"],
            ["p1-no-success-dlt-resolve", "alerting:index:P1Tier"],
            ["p1-work-pool-not-ready", "alerting:index:P1Tier"],
            ["p1-work-pool-not-ready-resolve", "alerting:index:P1Tier"],
            ["stuck-pending-dlt", "alerting:index:WarningTier"],
            ["stuck-running-dlt", "alerting:index:WarningTier"],
            ["warning-dlt", "alerting:index:WarningTier"],
        ]);
    });

    it("the critical trigger counts 3 final failures per flow within 24 h", () => {
        const e = plain(byName(T.automation, "critical-dlt")).trigger.event;
        expect(e).toMatchObject({ posture: "Reactive", threshold: 3, within: 86400, forEaches: ["related:flow:prefect.resource.id"] });
        expect(e.expects).toEqual(["prefect.flow-run.Failed", "prefect.flow-run.Crashed", "prefect.flow-run.TimedOut"]);
    });

    it("critical alerts go to the critical Slack channel and the PagerDuty block", () => {
        const actions = plain(byName(T.automation, "critical-dlt")).actions;
        const blockId = (channel: string) => byName(T.block, `block-${channel}`).id;
        expect(actions.map((a: any) => a.blockDocumentId)).toEqual([blockId("critical"), blockId("pager")]);
        // The critical Slack channel: Block Kit through a custom-webhook, its URL a block secret.
        const slackBlock = plain(byName(T.block, "block-critical"));
        expect(slackBlock.typeSlug).toBe("custom-webhook");
        expect(JSON.parse(slackBlock.data)).toMatchObject({ form_data: "{{body}}", secrets: { [WEBHOOK_URL_SECRET]: SLACK_URL } });
        // The PagerDuty block posts an Events API v2 event, the routing key (the critical service's integration key) a block secret.
        const pagerBlock = plain(byName(T.block, "block-pager"));
        expect(pagerBlock.typeSlug).toBe("custom-webhook");
        expect(JSON.parse(pagerBlock.data)).toMatchObject({
            url: `{{${WEBHOOK_URL_SECRET}}}`,
            form_data: `{"routing_key":"{{${ROUTING_KEY_SECRET}}}",{{body}}}`,
            secrets: { [WEBHOOK_URL_SECRET]: EVENTS_API_URL, [ROUTING_KEY_SECRET]: "mock-integration-key-critical-service-events-v2" },
        });
        // What the critical tier sends there: a trigger at critical severity, deduplicated per flow.
        expect(actions[1].body).toContain('"event_action":"trigger",');
        expect(actions[1].body).toContain('"severity":"critical"');
        expect(actions[1].body).toContain("prefect/prod/flow/{{ flow.id }}");
    });

    it("the Events API v2 integration key feeds the Prefect block and Secrets Manager, secret at every step", () => {
        const integration = byName(T.integration, "critical-service-events-v2");
        expect(plain(integration).type).toBe("events_api_v2_inbound_integration");
        const key = "mock-integration-key-critical-service-events-v2";
        const block = byName(T.block, "block-pager");
        expect(isSecretMarker(block.rawInputs.data)).toBe(true);
        expect(JSON.parse(plain(block).data).secrets[ROUTING_KEY_SECRET]).toBe(key);
        // Only in the block's secrets: nowhere else in its data.
        expect(plain(block).data.split(key)).toHaveLength(2);
        const version = byName(T.secretVersion, "pagerduty-integration-key");
        expect(isSecretMarker(version.rawInputs.secretString)).toBe(true);
        expect(plain(version).secretString).toBe(key);
        const p1Block = byName(T.block, "block-pagerP1");
        expect(JSON.parse(plain(p1Block).data).secrets[ROUTING_KEY_SECRET]).toBe("mock-integration-key-p1-service-events-v2");
    });

    it("the critical escalation ladder: on-call schedule, team lead after 15 min, manager 30 min later", () => {
        const policy = plain(byName(T.escalation, "critical-escalation"));
        const schedule = byName(T.schedule, "on-call");
        expect(policy.name).toBe("Data pipelines critical (prod)");
        expect(policy.numLoops).toBe(2);
        expect(policy.rules).toEqual([
            { escalationDelayInMinutes: 15, targets: [{ type: "schedule_reference", id: schedule.id }] },
            { escalationDelayInMinutes: 30, targets: [{ type: "user_reference", id: "PMOCKTEAMLEAD" }] },
            { escalationDelayInMinutes: 30, targets: [{ type: "user_reference", id: "PMOCKDATAMANAGER" }] },
        ]);
        const service = plain(byName(T.service, "critical-service"));
        expect(service).toMatchObject({ name: "Data Pipelines (prod)", escalationPolicy: byName(T.escalation, "critical-escalation").id });
    });

    it("P1 pages on-call and team lead at once on its own service", () => {
        const policy = plain(byName(T.escalation, "p1-escalation"));
        expect(policy.rules[0].targets.map((t: any) => t.type)).toEqual(["schedule_reference", "user_reference"]);
        expect(plain(byName(T.service, "p1-service")).name).toBe("Data Pipelines P1 (prod)");
    });

    it("both services create alerts and incidents (PagerDuty retired create_incidents, the provider's default)", () => {
        const services = ofType(run, T.service)
            .map((s) => [s.name, plain(s).alertCreation])
            .sort();
        expect(services).toEqual([
            ["critical-service", "create_alerts_and_incidents"],
            ["p1-service", "create_alerts_and_incidents"],
        ]);
    });

    it("the P1 ladder gives each level 5 whole minutes", () => {
        expect(plain(byName(T.escalation, "p1-escalation")).rules.map((r: any) => r.escalationDelayInMinutes)).toEqual([5, 5]);
    });

    it("the schedule rotates the configured users weekly from the configured start", () => {
        const s = plain(byName(T.schedule, "on-call"));
        expect(s.timeZone).toBe("Europe/London");
        expect(s.layers[0]).toMatchObject({
            rotationTurnLengthSeconds: 604800,
            start: "2026-01-05T09:00:00Z",
            users: ["PMOCKONCALLONE", "PMOCKONCALLTWO"],
        });
    });

    it("every PagerDuty resource has an explicit name", () => {
        for (const r of run.resources.filter((r) => r.type.startsWith("pagerduty:") && !r.type.endsWith("TeamMembership")))
            expect(plain(r).name, r.name).toBeTruthy();
    });

    it("mirrors the Slack URLs and both integration keys to stack-prefixed secrets", () => {
        expect(
            ofType(run, T.secret)
                .map((s) => plain(s).name)
                .sort(),
        ).toEqual([
            "prod/prefect/pagerduty-integration-key",
            "prod/prefect/pagerduty-integration-key-p1",
            "prod/prefect/slack-webhook-url-alerts",
            "prod/prefect/slack-webhook-url-critical",
        ]);
        for (const v of ofType(run, T.secretVersion)) expect(isSecretMarker(v.rawInputs.secretString), v.name).toBe(true);
    });

    it("outputs ids and ARNs, no secret in the clear", () => {
        expect(Object.keys(run.outputs).sort()).toEqual([
            "automations",
            "blocks",
            "escalationPolicies",
            "onCallSchedule",
            "pagerDutyServices",
            "secretsManagerSecrets",
        ]);
        expect(JSON.stringify(run.outputs)).not.toMatch(/mock-integration-key|hooks\.slack\.com|pd-api-key/);
    });
});
