import type {
    EnforcementLevel,
    Policies,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import * as deserialize from "@pulumi/policy/deserialize";
import * as proxy from "@pulumi/policy/proxy";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

/**
 * Runs policies the way CrossGuard's analyzer server (@pulumi/policy 1.21.0,
 * server.js) does, without starting it or a Pulumi engine (the pack's tests and
 * the program's offline preview use it): the same args (type, props, urn,
 * name, opts, isType, asType, getConfig, notApplicable, stackTags), props
 * decoded by CrossGuard's own deserializer (secrets unwrapped, unknowns
 * behind its unknown-checking proxy), violations collected per policy.
 */

/** CrossGuard internals this helper borrows, pinned by the exact @pulumi/policy version. */
const internals = {
    deserializeProperties: (deserialize as any).deserializeProperties as (
        struct: { toJavaScript(): unknown },
        proxySecrets: boolean,
    ) => Record<string, any>,
    unknownCheckingProxy: (proxy as any).unknownCheckingProxy as <V>(v: V) => V,
    /** The sentinel the engine sends for a string that is unknown during preview. */
    unknownString: (proxy as any).unknownStringValue as string,
};
export const UNKNOWN_STRING = internals.unknownString;

/** One resource as the engine describes it to an analyzer. */
export interface EngineResource {
    type: string;
    name: string;
    urn: string;
    /** Inputs, as sent by the engine (secrets as Pulumi's secret marker objects, or a protobuf Struct). */
    inputs: Record<string, unknown> | { toJavaScript(): unknown };
    /** Outputs, for stack policies; the inputs when left out (what the mocks echo). */
    outputs?: Record<string, unknown> | { toJavaScript(): unknown };
    opts?: Partial<PolicyResourceOptions>;
    parent?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
}

export interface Violation {
    policy: string;
    level: EnforcementLevel;
    message: string;
    urn?: string;
}

export interface RunOptions {
    /** Policy config as in `--policy-pack-config` / a policy group: policy name -> properties (and enforcementLevel). */
    config?: Record<string, Record<string, unknown>>;
    stackTags?: Record<string, string>;
}

export interface PackResult {
    violations: Violation[];
    notApplicable: { policy: string; reason?: string }[];
}

class NotApplicable extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "not applicable");
    }
}

/** Props as a policy sees them: CrossGuard's decoding of what the engine sent. */
export function present(raw: EngineResource["inputs"]): Record<string, any> {
    const struct = isStruct(raw) ? raw : Struct.fromJavaScript(JSON.parse(JSON.stringify(raw)));
    return internals.unknownCheckingProxy(internals.deserializeProperties(struct, false));
}

function isStruct(v: unknown): v is { toJavaScript(): unknown } {
    return typeof (v as { toJavaScript?: unknown })?.toJavaScript === "function";
}

const levelOf = (policy: { name: string; enforcementLevel?: EnforcementLevel }, options: RunOptions): EnforcementLevel =>
    (options.config?.[policy.name]?.enforcementLevel as EnforcementLevel | undefined) ?? policy.enforcementLevel ?? "mandatory";

function configOf(name: string, options: RunOptions) {
    return <T extends object>(): T => {
        const { enforcementLevel: _, ...properties } = options.config?.[name] ?? {};
        return properties as T;
    };
}

function optsOf(r: EngineResource): PolicyResourceOptions {
    return {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(r.parent ? { parent: r.parent } : {}),
        ...r.opts,
    };
}

const typeTests = (type: string) => ({
    isType: (cls: unknown) => (cls as { __pulumiType?: string }).__pulumiType === type,
});

function isUnknownValueError(e: unknown): boolean {
    return (e as { constructor?: { name?: string } })?.constructor?.name === "UnknownValueError";
}

/** Runs a list of policies: resource policies on each resource's inputs, stack policies once on all outputs. */
export async function runPolicies(policies: Policies, resources: EngineResource[], options: RunOptions = {}): Promise<PackResult> {
    const result: PackResult = { violations: [], notApplicable: [] };
    const stackTags: ReadonlyMap<string, string> = new Map(Object.entries(options.stackTags ?? {}));
    for (const policy of policies) {
        const level = levelOf(policy, options);
        if (level === "disabled") continue;
        const reported = level === "remediate" ? "mandatory" : level;
        const collect = (message: string, urn?: string) => result.violations.push({ policy: policy.name, level: reported, message, urn });
        const settle = async (run: () => unknown, urn?: string) => {
            try {
                await run();
            } catch (e) {
                if (e instanceof NotApplicable) result.notApplicable.push({ policy: policy.name, reason: e.reason });
                else if (isUnknownValueError(e))
                    result.violations.push({
                        policy: policy.name,
                        level: "advisory",
                        message: `can't run policy '${policy.name}' during preview: ${(e as Error).message}`,
                        urn,
                    });
                else throw e;
            }
        };
        const notApplicable = (reason?: string): never => {
            throw new NotApplicable(reason);
        };

        if ("validateStack" in policy) {
            const stackPolicy = policy as StackValidationPolicy;
            const args: StackValidationArgs = {
                resources: stackView(resources),
                stackTags,
                getConfig: configOf(policy.name, options),
                notApplicable,
            };
            await settle(() => stackPolicy.validateStack(args, (message, urn) => collect(message, urn)));
            continue;
        }
        const resourcePolicy = policy as ResourceValidationPolicy;
        const validations = resourcePolicy.validateResource === undefined ? [] : [resourcePolicy.validateResource].flat();
        for (const r of resources) {
            const props = present(r.inputs);
            const args: ResourceValidationArgs = {
                type: r.type,
                props,
                urn: r.urn,
                name: r.name,
                opts: optsOf(r),
                stackTags,
                ...typeTests(r.type),
                asType: ((cls: unknown) => (typeTests(r.type).isType(cls) ? props : undefined)) as ResourceValidationArgs["asType"],
                getConfig: configOf(policy.name, options),
                notApplicable,
            };
            for (const validate of validations) await settle(() => validate(args, (message, urn) => collect(message, urn ?? r.urn)), r.urn);
        }
    }
    return result;
}

/** The resources as validateStack receives them: outputs, parent and dependencies as resource objects. */
export function stackView(resources: EngineResource[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const views = resources.map((r) => {
        const props = present(r.outputs ?? r.inputs);
        const view: PolicyResource = {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: optsOf(r),
            dependencies: [],
            propertyDependencies: {},
            ...typeTests(r.type),
            asType: ((cls: unknown) => (typeTests(r.type).isType(cls) ? props : undefined)) as PolicyResource["asType"],
        };
        byUrn.set(r.urn, view);
        return view;
    });
    resources.forEach((r, i) => {
        const view = views[i];
        const lookup = (urns: string[] = []) => urns.map((u) => byUrn.get(u)).filter((x): x is PolicyResource => x !== undefined);
        if (r.parent && byUrn.has(r.parent)) view.parent = byUrn.get(r.parent);
        view.dependencies = lookup(r.dependencies);
        for (const [prop, urns] of Object.entries(r.propertyDependencies ?? {})) view.propertyDependencies[prop] = lookup(urns);
    });
    return views;
}

export const mandatory = (result: PackResult) => result.violations.filter((v) => v.level === "mandatory");
export const advisory = (result: PackResult) => result.violations.filter((v) => v.level === "advisory");
/** Policy names that reported, sorted and unique. */
export const policyNames = (violations: Violation[]) => [...new Set(violations.map((v) => v.policy))].sort();
