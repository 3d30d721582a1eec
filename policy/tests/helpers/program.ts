import { createRequire } from "node:module";
import { join } from "node:path";
import { ProgramRun, runProgram } from "../../../harness/runProgram";
import { ROOT, stackConfig } from "../../../tests/helpers/stacks";
import type { EngineResource } from "./crossguard";

/**
 * Runs the real program (index.ts) for a committed stack under the
 * harness's mocks and records each registration the way the engine would
 * hand it to an analyzer: inputs as serialized (secrets still marked),
 * outputs, parent, dependencies, property dependencies and resource options
 * (additionalSecretOutputs above all). The mock monitor never sees options
 * through `newResource`, so this taps its registerResource.
 *
 * One run per test file: Pulumi's runtime state is global.
 */

// The program's copy of the Pulumi SDK (root node_modules), not the policy pack's.
const programRequire = createRequire(join(ROOT, "harness", "runProgram.ts"));
const { MockMonitor } = programRequire("@pulumi/pulumi/runtime/mocks") as { MockMonitor: { prototype: { registerResource: Function } } };

export interface CapturedRun {
    run: ProgramRun;
    resources: EngineResource[];
}

type Struct = { toJavaScript(): Record<string, unknown> };

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getObject(): Struct;
    getProtect(): boolean;
    getDependenciesList(): string[];
    getIgnorechangesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getDeletebeforereplace(): boolean;
    getDeletebeforereplacedefined(): boolean;
    getPropertydependenciesMap(): { forEach(fn: (deps: { getUrnsList(): string[] }, key: string) => void): void };
}

interface RegisterResponse {
    getUrn(): string;
    getObject(): Struct;
}

function fromRegistration(req: RegisterRequest, resp: RegisterResponse): EngineResource {
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps, key) => {
        if (deps.getUrnsList().length) propertyDependencies[key] = deps.getUrnsList();
    });
    return {
        type: req.getType(),
        name: req.getName(),
        urn: resp.getUrn(),
        inputs: req.getObject(),
        outputs: resp.getObject(),
        parent: req.getParent() || undefined,
        dependencies: req.getDependenciesList(),
        propertyDependencies,
        opts: {
            protect: req.getProtect(),
            ignoreChanges: req.getIgnorechangesList(),
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
            ...(req.getDeletebeforereplacedefined() ? { deleteBeforeReplace: req.getDeletebeforereplace() } : {}),
        },
    };
}

export async function runStackForPolicies(stack: string): Promise<CapturedRun> {
    const resources: EngineResource[] = [];
    const proto = MockMonitor.prototype;
    const original = proto.registerResource;
    proto.registerResource = function (this: unknown, req: RegisterRequest, callback: (err: unknown, resp?: RegisterResponse) => void) {
        return original.call(this, req, (err: unknown, resp?: RegisterResponse) => {
            if (!err && resp) resources.push(fromRegistration(req, resp));
            callback(err, resp);
        });
    };
    try {
        const raw = stackConfig(stack);
        const run = await runProgram({ stack, values: raw.values, secretKeys: [...raw.secretKeys] });
        return { run, resources };
    } finally {
        proto.registerResource = original;
    }
}

/** A registration's inputs exactly as serialized for the engine (secret markers included). */
export const serializedInputs = (r: EngineResource): Record<string, unknown> =>
    typeof (r.inputs as Struct).toJavaScript === "function" ? (r.inputs as Struct).toJavaScript() : (r.inputs as Record<string, unknown>);
