/**
 * The policy pack on a Prefect Cloud stack with SLAs (signals/sla.ts): SLAs
 * cannot run against a local server, so besides the program tests under mocks
 * (tests/sla.test.ts) the pack judges what the program registers for them.
 * Its automation policies apply to the SLA violation automations like any
 * other; each mutation below is one a hand edit could make.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { policies } from "../../policy/policies";
import { PackResult, mandatory, policyNames, runPolicies } from "../../policy/local";
import { EngineRun, runProgramForEngine } from "../../harness/engineCapture";
import { editKey, stackConfig } from "../helpers/stacks";
import { EditableResource, edit, named } from "./helpers/stackSuite";
import { serializedInputs } from "./helpers/program";

const AUTOMATION = "prefect:index/automation:Automation";
const SLA = "prefect:index/resourceSla:ResourceSla";
const SLAS = {
    channels: { warning: ["alerts"], p1: ["critical", "pagerP1"] },
    deployments: {
        "orders-load": { deploymentId: "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c", timeToCompletion: 45, severity: "p1" },
        "weekly-report": { deploymentId: "7a6b5c4d-3e2f-4a1b-9c0d-e1f2a3b4c5d6", frequency: 10080 },
    },
};

let run: EngineRun;
let result: PackResult;
beforeAll(async () => {
    const raw = editKey(stackConfig("prod"), "slas", () => SLAS);
    run = await runProgramForEngine({ stack: "prod", values: raw.values, secretKeys: [...raw.secretKeys] });
    result = await runPolicies(policies, run.resources);
});

const editable = (): EditableResource[] =>
    run.resources.map((r) => ({
        ...r,
        inputs: structuredClone(serializedInputs(r)),
        outputs: structuredClone(serializedInputs({ ...r, inputs: r.outputs ?? r.inputs })),
    }));

describe("the pack on a Cloud stack with SLAs", () => {
    it("registers the SLAs and their violation automations", () => {
        expect(
            run.resources
                .filter((r) => r.type === SLA)
                .map((r) => r.name)
                .sort(),
        ).toEqual(["sla-orders-load", "sla-weekly-report"]);
        expect(run.resources.filter((r) => r.type === AUTOMATION && r.name.startsWith("sla-violation-")).length).toBe(2);
    });

    it("passes every mandatory policy", () => {
        expect(mandatory(result)).toEqual([]);
    });

    const mutations: { name: string; mutate: (rs: EditableResource[]) => EditableResource[]; reports: string }[] = [
        {
            name: "the violation automation notifies a block id copied from elsewhere",
            mutate: (rs) =>
                edit(rs, named(AUTOMATION, "sla-violation-orders-load"), (p, r) => {
                    p.actions[0].blockDocumentId = "5f0c2a9e-0000-4000-8000-00000000beef";
                    r.propertyDependencies = {};
                    r.dependencies = [];
                }),
            reports: "automation-notifies-stack-block",
        },
        {
            name: "the violation automation expects nothing",
            mutate: (rs) => edit(rs, named(AUTOMATION, "sla-violation-weekly-report"), (p) => (p.trigger.event.expects = [])),
            reports: "automation-expects-events",
        },
        {
            name: "the violation message links {{ sla_url }}",
            mutate: (rs) => edit(rs, named(AUTOMATION, "sla-violation-orders-load"), (p) => (p.actions[0].body += "\n{{ sla_url }}")),
            reports: "message-templates-known-names",
        },
        {
            name: "the violation automation is disabled",
            mutate: (rs) => edit(rs, named(AUTOMATION, "sla-violation-orders-load"), (p) => (p.enabled = false)),
            reports: "automation-enabled",
        },
    ];
    for (const m of mutations)
        it(`catches: ${m.name}`, async () => {
            const found = await runPolicies(policies, m.mutate(editable()));
            expect(policyNames(found.violations)).toContain(m.reports);
        });
});
