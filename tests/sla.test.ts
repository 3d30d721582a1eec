/**
 * Prefect Cloud SLAs (signals/sla.ts). They cannot run against a local
 * server (Cloud only), so they are proved here under mocks, with the real
 * program and a Cloud stack, and in the policy pack (tests/policy).
 */
import { describe, expect, it, vi } from "vitest";
import { ConfigError } from "../config/errors";
import { PROJECT, parseStackConfig } from "../config/load";
import { templateNames, unknownTemplateNames } from "../prefect/vocabulary";
import { planAlerting } from "../rules/plan";
import { PREFECT_SLA_SEVERITY, SLA_VIOLATION_EVENT } from "../signals/sla";
import { T, ofType, parentType, plain, runStack } from "./helpers/program";
import { editKey, stackConfig } from "./helpers/stacks";

const LOAD_ID = "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c";
const REPORT_ID = "7a6b5c4d-3e2f-4a1b-9c0d-e1f2a3b4c5d6";

/** Two deployments: one critical with every SLA kind, one warning with lateness only. */
const SLAS = {
    channels: { warning: ["alerts"], critical: ["critical", "pager"] },
    deployments: {
        "orders-load/prod": {
            deploymentId: LOAD_ID,
            timeToCompletion: 45,
            frequency: 1440,
            lateness: 10,
            freshness: {
                expectedEvent: "acme.table.loaded",
                resourceMatch: { "prefect.resource.id": "acme.table.orders" },
                withinMinutes: 90,
            },
            severity: "critical",
        },
        "weekly-report": { deploymentId: REPORT_ID, lateness: 2.5 },
    },
};

const cloudStack = () => editKey(stackConfig("prod"), "slas", () => SLAS);
const SECONDS = (minutes: number) => Math.round(minutes * 60);

describe("SLAs on a Prefect Cloud stack (the real program under mocks)", () => {
    it("one prefect_resource_sla per deployment, each SLA kind in the provider's fields (seconds), under its severity's tier", async () => {
        vi.resetModules();
        const run = await runStack("prod", cloudStack());
        const slas = ofType(run, "prefect:index/resourceSla:ResourceSla");
        expect(slas.map((s) => s.name).sort()).toEqual(Object.keys(SLAS.deployments).map((d) => `sla-${d}`));

        const load = slas.find((s) => s.name === "sla-orders-load/prod")!;
        const d = SLAS.deployments["orders-load/prod"];
        const owner = `prefect.deployment.${d.deploymentId}`;
        const common = { severity: PREFECT_SLA_SEVERITY.critical, enabled: true, ownerResource: owner };
        expect(plain(load)).toEqual({
            resourceId: owner,
            slas: [
                { ...common, name: "prod-time-to-completion", duration: SECONDS(d.timeToCompletion) },
                { ...common, name: "prod-frequency", staleAfter: SECONDS(d.frequency) },
                { ...common, name: "prod-lateness", within: SECONDS(d.lateness) },
                {
                    ...common,
                    name: "prod-freshness",
                    within: SECONDS(d.freshness.withinMinutes),
                    expectedEvent: d.freshness.expectedEvent,
                    resourceMatch: JSON.stringify(d.freshness.resourceMatch),
                },
            ],
        });
        expect(parentType(load)).toBe("alerting:index:CriticalTier");

        const report = slas.find((s) => s.name === "sla-weekly-report")!;
        expect(plain(report).slas).toEqual([
            {
                name: "prod-lateness",
                severity: PREFECT_SLA_SEVERITY.warning,
                enabled: true,
                ownerResource: `prefect.deployment.${REPORT_ID}`,
                within: SECONDS(SLAS.deployments["weekly-report"].lateness),
            },
        ]);
        expect(parentType(report)).toBe("alerting:index:WarningTier");
    });

    it("an automation per deployment on prefect.sla.violation, to its severity's channels, naming it and its SLAs", async () => {
        vi.resetModules();
        const run = await runStack("prod", cloudStack());
        const blocks = Object.fromEntries(ofType(run, T.block).map((b) => [b.name.replace(/^block-/, ""), b.id]));
        const byName = Object.fromEntries(ofType(run, T.automation).map((a) => [a.name, a]));

        const load = byName["sla-violation-orders-load/prod"];
        expect(parentType(load)).toBe("alerting:index:CriticalTier");
        const event = plain(load).trigger.event;
        expect(event.expects).toEqual([SLA_VIOLATION_EVENT]);
        expect(JSON.parse(event.match)).toEqual({ "prefect.resource.id": "prefect.flow-run.*" });
        expect(JSON.parse(event.matchRelated)).toEqual({
            "prefect.resource.role": "deployment",
            "prefect.resource.id": `prefect.deployment.${LOAD_ID}`,
        });
        expect([event.posture, event.threshold, event.within]).toEqual(["Reactive", 1, 0]);
        const actions = plain(load).actions as { blockDocumentId: string; subject: string; body: string }[];
        expect(actions.map((a) => a.blockDocumentId)).toEqual(SLAS.channels.critical.map((c) => blocks[c]));
        const slack = actions[0];
        expect(slack.subject).toContain("orders-load/prod");
        for (const words of ["45 minutes", "24 hours", "10 minutes", "acme.table.loaded", "90 minutes", LOAD_ID])
            expect(slack.body).toContain(words);

        const report = byName["sla-violation-weekly-report"];
        expect(parentType(report)).toBe("alerting:index:WarningTier");
        expect(JSON.parse(plain(report).trigger.event.matchRelated)["prefect.resource.id"]).toBe(`prefect.deployment.${REPORT_ID}`);
        expect((plain(report).actions as { blockDocumentId: string }[]).map((a) => a.blockDocumentId)).toEqual(
            SLAS.channels.warning.map((c) => blocks[c]),
        );
        expect(plain(report).actions[0].body).toContain("150 seconds");
    });

    it("messages use only template names Prefect knows, and a deployment name with template syntax renders literally", () => {
        const weird = "{{ flow_run.name }}";
        const raw = editKey(stackConfig("prod"), "slas", () => ({
            channels: { warning: ["alerts"] },
            deployments: { [weird]: { deploymentId: LOAD_ID, lateness: 5 } },
        }));
        const plan = planAlerting(parseStackConfig(raw));
        const a = plan.automations.find((x) => x.signal === "sla")!;
        expect(a.message.subject).toContain(`{{ "${weird}" }}`);
        const { variables } = templateNames(a.message.body);
        expect(variables).toEqual(["flow_run"]);
        expect(unknownTemplateNames(a.message.body)).toEqual([]);
    });

    it("a stack without slas plans no SLA and no SLA automation (ordinary configs unchanged)", () => {
        const plan = planAlerting(parseStackConfig(stackConfig("prod")));
        expect(plan.slas).toEqual([]);
        expect(plan.automations.filter((a) => a.signal === "sla")).toEqual([]);
    });
});

describe("SLAs on a self-hosted server", () => {
    it("one ConfigError at prefect-alerting:slas pointing to the late, stuck and freshness signals", () => {
        const raw = editKey(stackConfig("local"), "slas", () => ({
            channels: { warning: ["alerts"] },
            deployments: { "orders-load": { deploymentId: LOAD_ID, lateness: 10 } },
        }));
        let error: unknown;
        try {
            parseStackConfig(raw);
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(ConfigError);
        const message = (error as Error).message;
        expect(message).toContain(`stack "local"`);
        expect(message).toContain(`${PROJECT}:slas:`);
        expect(message).toMatch(/only in Prefect Cloud/);
        for (const signal of ["lateRuns", "stuckRuns", "freshness"]) expect(message).toContain(signal);
        expect(message).toContain("http://127.0.0.1:4200/api");
    });

    it("an empty slas section is not an error there", () => {
        const raw = editKey(stackConfig("local"), "slas", () => ({ deployments: {} }));
        expect(planAlerting(parseStackConfig(raw)).slas).toEqual([]);
    });
});
