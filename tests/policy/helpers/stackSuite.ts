import { beforeAll, describe, expect, it } from "vitest";
import { policies } from "../../../policy/policies";
import { EngineResource, PackResult, RunOptions, advisory, mandatory, policyNames, present, runPolicies } from "../../../policy/local";
import { SECRET_SIG, SECRET_VALUE } from "../../../harness/runProgram";
import { CapturedRun, runStackForPolicies, serializedInputs } from "./program";

const SECRET_MARKER = { [SECRET_SIG]: SECRET_VALUE };

/** A breakage applied to the real program's resources, and the policy that must report it. */
export interface Mutation {
    name: string;
    mutate: (resources: EditableResource[]) => EditableResource[];
    options?: RunOptions;
    reports: string;
}

/** A registration with plain (JSON) inputs and outputs, ready to edit. */
export type EditableResource = EngineResource & { inputs: Record<string, any>; outputs: Record<string, any> };

export interface StackExpectations {
    /** Resource types the stack must register (so the pack has something to judge). */
    registers: string[];
    /** Advisory policies expected to report on this stack, by name. */
    advisories: string[];
    production: boolean;
    mutations: Mutation[];
}

const editable = (resources: EngineResource[]): EditableResource[] =>
    resources.map((r) => ({
        ...r,
        inputs: structuredClone(serializedInputs(r)),
        outputs: structuredClone(serializedInputs({ ...r, inputs: r.outputs ?? r.inputs })),
    }));

/** Edits one resource's inputs and outputs alike. */
export function edit(
    resources: EditableResource[],
    match: (r: EditableResource) => boolean,
    fn: (props: Record<string, any>, r: EditableResource) => void,
): EditableResource[] {
    let found = false;
    const result = resources.map((r) => {
        if (!match(r)) return r;
        found = true;
        const copy = structuredClone(r);
        fn(copy.inputs, copy);
        fn(copy.outputs, copy);
        return copy;
    });
    if (!found) throw new Error("mutation matched no resource");
    return result;
}

/**
 * The pack against everything the real program registers for one committed
 * stack: one program run, then the pack as CrossGuard would run it.
 */
export function stackSuite(stack: string, expected: StackExpectations): void {
    let captured: CapturedRun;
    let result: PackResult;
    beforeAll(async () => {
        captured = await runStackForPolicies(stack);
        result = await runPolicies(policies, captured.resources);
    });

    describe(`stack ${stack}: the pack on the real program's resources`, () => {
        it("registers the resources the pack judges", () => {
            const types = new Set(captured.resources.map((r) => r.type));
            for (const t of expected.registers) expect(types, t).toContain(t);
        });

        it("passes every mandatory policy", () => {
            expect(mandatory(result)).toEqual([]);
        });

        it("reports exactly the expected advisories", () => {
            expect(policyNames(advisory(result))).toEqual([...expected.advisories].sort());
        });

        it(`is ${expected.production ? "" : "not "}treated as production`, async () => {
            const noCritical = captured.resources.filter(
                (r) => r.type !== "prefect:index/automation:Automation" || !r.urn.includes("CriticalTier"),
            );
            const names = policyNames(mandatory(await runPolicies(policies, noCritical)));
            expect(names.includes("production-pages-on-call")).toBe(expected.production);
        });

        it("sends block data to the engine as a secret, declares it a secret output, and CrossGuard shows it unwrapped", () => {
            const blocks = captured.resources.filter((r) => r.type === "prefect:index/block:Block");
            expect(blocks.length).toBeGreaterThan(0);
            for (const b of blocks) {
                expect(serializedInputs(b).data).toMatchObject(SECRET_MARKER);
                expect(b.opts?.additionalSecretOutputs).toContain("data");
                expect(typeof present(b.inputs).data).toBe("string");
            }
        });

        it("declares every PagerDuty integration key a secret output", () => {
            for (const r of captured.resources.filter((x) => x.type === "pagerduty:index/serviceIntegration:ServiceIntegration"))
                expect(r.opts?.additionalSecretOutputs).toContain("integrationKey");
        });

        for (const m of expected.mutations) {
            it(`catches: ${m.name}`, async () => {
                const mutated = m.mutate(editable(captured.resources));
                const found = await runPolicies(policies, mutated, m.options);
                expect(policyNames(found.violations)).toContain(m.reports);
            });
        }
    });
}

export const isType = (type: string) => (r: EngineResource) => r.type === type;
export const named = (type: string, name: string) => (r: EngineResource) => r.type === type && r.name === name;
