import { beforeAll, describe, expect, it } from "vitest";
import { policies } from "../../policy/policies";
import { EngineResource, runPolicies } from "../../policy/local";
import { Registration, runDeploy, stackValues } from "./helpers/run";

/** The pack, as the policy group runs it on this program's own stack: the real registrations, CrossGuard's decoding. */
const engine = (r: Registration, edit: Partial<EngineResource> = {}): EngineResource => ({
    type: r.type,
    name: r.name,
    urn: r.urn,
    inputs: r.inputs,
    outputs: r.outputs,
    parent: r.parent || undefined,
    dependencies: r.dependencies,
    propertyDependencies: {},
    opts: { additionalSecretOutputs: r.additionalSecretOutputs },
    ...edit,
});

let resources: Registration[];
beforeAll(async () => {
    resources = (await runDeploy(stackValues())).resources;
});

describe("the policy pack on the deploy program's org stack", () => {
    it("reports nothing, mandatory or advisory", async () => {
        const result = await runPolicies(
            policies,
            resources.map((r) => engine(r)),
        );
        expect(result.violations).toEqual([]);
    });

    it("catches the real resources broken: yaml or payloadUrl no longer secret outputs, prod left out of the group", async () => {
        const broken = resources.map((r) => {
            if (r.type === "pulumiservice:index:Environment" && r.name === "prod")
                return engine(r, { opts: { additionalSecretOutputs: [] } });
            if (r.type === "pulumiservice:index:Webhook" && r.name === "dev")
                return engine(r, { opts: { additionalSecretOutputs: ["secret"] } });
            if (r.type === "pulumiservice:index:PolicyGroup") {
                const inputs = JSON.parse(JSON.stringify(r.inputs));
                inputs.stacks = inputs.stacks.filter((s: { name: string }) => s.name !== "prod");
                return engine(r, { inputs, outputs: inputs });
            }
            return engine(r);
        });
        const names = (await runPolicies(policies, broken)).violations.map((v) => v.policy).sort();
        expect(names).toEqual(["deployment-runs-policy-pack", "esc-environment-yaml-secret", "webhook-payload-url-secret"]);
    });
});
