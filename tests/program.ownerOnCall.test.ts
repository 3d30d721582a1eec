import { beforeAll, describe, expect, it } from "vitest";
import type { ProgramRun } from "../harness/runProgram";
import { isSecretMarker } from "../harness/runProgram";
import { ROUTING_KEY_SECRET } from "../channels/pagerduty";
import { T, ofType, plain, runStack } from "./helpers/program";
import { editKey, stackConfig } from "./helpers/stacks";

/**
 * A team's own on-call (owners.<team>.onCall), the real program under mocks on the prod stack: data-eng has a rotation
 * and a lead of its own, analytics a rotation only (the stack's lead is its second level), platform a service without
 * a rotation (the stack's critical ladder, as before onCall existed).
 */
const OWNERS = {
    "data-eng": {
        channels: ["alerts"],
        pagerDutyService: "Data Eng",
        onCall: { users: ["eng-one@example.com", "PENG001"], lead: "eng-lead@example.com" },
    },
    analytics: { channels: ["alerts"], pagerDutyService: "Analytics (prod)", onCall: { users: ["PANA001"] } },
    platform: { channels: ["critical"], pagerDutyService: "Platform" },
};

let run: ProgramRun;
beforeAll(async () => {
    run = await runStack(
        "prod",
        editKey(stackConfig("prod"), "owners", () => OWNERS),
    );
}, 120_000);

const byName = (type: string, name: string) => {
    const found = ofType(run, type).find((r) => r.name === name);
    if (!found) throw new Error(`no ${type} named ${name}`);
    return found;
};
const id = (type: string, name: string) => byName(type, name).id;

describe("a team's own on-call under mocks", () => {
    it("creates exactly these PagerDuty resources: a schedule per team rotation, a ladder, a service and a key per team", () => {
        const pd = run.resources
            .filter((r) => r.type.startsWith("pagerduty:index/") && !r.type.endsWith("TeamMembership") && !r.type.endsWith("/team:Team"))
            .map((r) => `${r.type.split(":").at(-1)} ${r.name}`)
            .sort();
        expect(pd).toEqual([
            "EscalationPolicy critical-escalation",
            "EscalationPolicy owner-analytics-escalation",
            "EscalationPolicy owner-data-eng-escalation",
            "EscalationPolicy owner-platform-escalation",
            "EscalationPolicy p1-escalation",
            "Schedule on-call",
            "Schedule owner-analytics-on-call",
            "Schedule owner-data-eng-on-call",
            "Service critical-service",
            "Service owner-analytics-service",
            "Service owner-data-eng-service",
            "Service owner-platform-service",
            "Service p1-service",
            "ServiceIntegration critical-service-events-v2",
            "ServiceIntegration owner-analytics-service-events-v2",
            "ServiceIntegration owner-data-eng-service-events-v2",
            "ServiceIntegration owner-platform-service-events-v2",
            "ServiceIntegration p1-service-events-v2",
        ]);
    });

    it("a team's schedule turns like the stack's (start, turn, time zone, team) with the team's users", () => {
        const stack = plain(byName(T.schedule, "on-call"));
        expect(plain(byName(T.schedule, "owner-data-eng-on-call"))).toEqual({
            ...stack,
            name: "Data Eng On-Call (prod)",
            layers: [{ ...stack.layers[0], users: ["PMOCKENGONE", "PENG001"] }],
        });
        // A service named with the stack's suffix already: the schedule's name carries the suffix once.
        expect(plain(byName(T.schedule, "owner-analytics-on-call"))).toEqual({
            ...stack,
            name: "Analytics On-Call (prod)",
            layers: [{ ...stack.layers[0], users: ["PANA001"] }],
        });
    });

    it("a team's ladder: its rotation, then its lead (or the stack's), then the stack's manager, with the critical delays", () => {
        const critical = plain(byName(T.escalation, "critical-escalation"));
        const ladder = (first: string, lead: string) => [
            { escalationDelayInMinutes: 15, targets: [{ type: "schedule_reference", id: id(T.schedule, first) }] },
            { escalationDelayInMinutes: 30, targets: [{ type: "user_reference", id: lead }] },
            { escalationDelayInMinutes: 30, targets: [{ type: "user_reference", id: "PMOCKDATAMANAGER" }] },
        ];
        const dataEng = plain(byName(T.escalation, "owner-data-eng-escalation"));
        expect(dataEng).toEqual({
            ...critical,
            name: "Data Eng (prod) escalation",
            description: `${critical.description} Pages of owner data-eng.`,
            rules: ladder("owner-data-eng-on-call", "PMOCKENGLEAD"),
        });
        expect(plain(byName(T.escalation, "owner-analytics-escalation")).rules).toEqual(ladder("owner-analytics-on-call", "PMOCKTEAMLEAD"));
        // Without an on-call of its own, a team's ladder is the stack's, its rotation first (as before onCall).
        expect(plain(byName(T.escalation, "owner-platform-escalation")).rules).toEqual(critical.rules);
        expect(critical.rules).toEqual(ladder("on-call", "PMOCKTEAMLEAD"));
    });

    it("each team's service climbs its own ladder", () => {
        for (const team of ["data-eng", "analytics", "platform"])
            expect(plain(byName(T.service, `owner-${team}-service`)).escalationPolicy, team).toBe(
                id(T.escalation, `owner-${team}-escalation`),
            );
    });

    it("each team's integration key flows like the stack's: secret into its Prefect block and into Secrets Manager", () => {
        for (const team of ["data-eng", "analytics", "platform"]) {
            const key = `mock-integration-key-owner-${team}-service-events-v2`;
            const block = byName(T.block, `block-pagerOwner-${team}`);
            expect(isSecretMarker(block.rawInputs.data), team).toBe(true);
            expect(JSON.parse(plain(block).data).secrets[ROUTING_KEY_SECRET], team).toBe(key);
            const version = byName(T.secretVersion, `pagerduty-integration-key-owner-${team}`);
            expect(isSecretMarker(version.rawInputs.secretString), team).toBe(true);
            expect(plain(version).secretString, team).toBe(key);
        }
        expect(
            ofType(run, T.secret)
                .map((s) => plain(s).name)
                .sort(),
        ).toEqual([
            "prod/prefect/pagerduty-integration-key",
            "prod/prefect/pagerduty-integration-key-owner-analytics",
            "prod/prefect/pagerduty-integration-key-owner-data-eng",
            "prod/prefect/pagerduty-integration-key-owner-platform",
            "prod/prefect/pagerduty-integration-key-p1",
            "prod/prefect/slack-webhook-url-alerts",
            "prod/prefect/slack-webhook-url-critical",
        ]);
    });
});
