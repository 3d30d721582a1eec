import * as runtimeMocks from "@pulumi/pulumi/runtime/mocks";
import type { EngineResource } from "../policy/local";
import { ProgramOptions, ProgramRun, runProgram } from "./runProgram";

/**
 * Runs the real program under the harness's mocks and records each
 * registration the way the engine hands it to a policy analyzer: inputs as
 * serialized (secrets still marked), outputs, parent, dependencies, property
 * dependencies and resource options (additionalSecretOutputs above all). The
 * mock monitor never passes options to `newResource`, so this taps its
 * registerResource. One run per process: Pulumi's runtime state is global.
 */

export interface EngineRun {
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

export async function runProgramForEngine(opts: ProgramOptions): Promise<EngineRun> {
    const resources: EngineResource[] = [];
    type RegisterFn = (...args: any[]) => unknown;
    const proto = (runtimeMocks as unknown as { MockMonitor: { prototype: { registerResource: RegisterFn } } }).MockMonitor.prototype;
    const original = proto.registerResource;
    proto.registerResource = function (this: unknown, req: RegisterRequest, callback: (err: unknown, resp?: RegisterResponse) => void) {
        return original.call(this, req, (err: unknown, resp?: RegisterResponse) => {
            if (!err && resp) resources.push(fromRegistration(req, resp));
            callback(err, resp);
        });
    };
    try {
        const run = await runProgram(opts);
        return { run, resources };
    } finally {
        proto.registerResource = original;
    }
}

/** A registration's inputs exactly as serialized for the engine (secret markers included). */
export const serializedInputs = (r: EngineResource): Record<string, unknown> =>
    typeof (r.inputs as Struct).toJavaScript === "function" ? (r.inputs as Struct).toJavaScript() : (r.inputs as Record<string, unknown>);
