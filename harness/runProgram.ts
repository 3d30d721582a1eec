import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { PROJECT } from "../config/load";

/** One resource as the Pulumi engine would have received it. */
export interface RegisteredResource {
    type: string;
    name: string;
    urn: string;
    /** URN of the parent; the stack for top-level resources. */
    parent: string;
    custom: boolean;
    /** Inputs as sent by the program; secrets still wrapped in Pulumi's secret marker. */
    rawInputs: Record<string, unknown>;
    id?: string;
}

export interface ProgramRun {
    resources: RegisteredResource[];
    /** Stack outputs, resolved; secret ones wrapped as { secret: value }. */
    outputs: Record<string, unknown>;
    invokes: { token: string; inputs: Record<string, unknown> }[];
}

export interface ProgramOptions {
    stack: string;
    values: Record<string, string>;
    secretKeys: string[];
    /** Creates one resource; defaults to echoing inputs as state with a made-up id. */
    newResource?: (r: {
        type: string;
        name: string;
        inputs: Record<string, unknown>;
        custom: boolean;
    }) => Promise<{ id: string; state: Record<string, unknown> }>;
    call?: (token: string, inputs: Record<string, unknown>) => Record<string, unknown>;
}

/** Pulumi's marker for a secret value on the wire: { [SECRET_SIG]: SECRET_VALUE, value }. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** A value wrapped as the engine receives a secret. */
export const secretMarker = (value: unknown) => ({ [SECRET_SIG]: SECRET_VALUE, value });

/**
 * Runs the real program (index.ts) once under Pulumi's runtime mocks with the
 * given stack config. One program per module registry: callers run it in a
 * fresh process or after vi.resetModules().
 */
export async function runProgram(opts: ProgramOptions): Promise<ProgramRun> {
    const resources: RegisteredResource[] = [];
    const invokes: ProgramRun["invokes"] = [];
    const parents = new Map<string, string>();
    await pulumi.runtime.setMocks(
        {
            newResource: async (args) => {
                const custom = args.custom !== false;
                const result = opts.newResource
                    ? await opts.newResource({ type: args.type, name: args.name, inputs: args.inputs, custom })
                    : { id: `${args.name}-id`, state: defaultState(args.type, args.name, args.inputs) };
                resources.push({
                    type: args.type,
                    name: args.name,
                    urn: "",
                    parent: "",
                    custom,
                    rawInputs: args.inputs,
                    id: custom ? result.id : undefined,
                });
                return result;
            },
            call: (args) => {
                invokes.push({ token: args.token, inputs: args.inputs });
                return opts.call ? opts.call(args.token, args.inputs) : defaultCall(args.token, args.inputs);
            },
        },
        PROJECT,
        opts.stack,
        false,
    );
    // Record each registration's parent (the mock API does not pass it to newResource).
    const monitor = settings.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, cb: any) =>
        register(req, (err: any, resp: any) => {
            if (!err && resp) parents.set(`${req.getType()}::${req.getName()}`, `${resp.getUrn()}\n${req.getParent()}`);
            cb(err, resp);
        });
    pulumi.runtime.setAllConfig(opts.values, opts.secretKeys);

    const program = await import("../index");
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(program) as [string, unknown][]) {
        if (!pulumi.Output.isInstance(value)) continue;
        const output = value as pulumi.Output<unknown>;
        // Output's own promise (internal in @pulumi/pulumi, stable for years): unlike apply, it rejects when a
        // resource the output depends on failed to register, so a failing mock fails the run instead of hanging it.
        const resolved = await (output as unknown as { promise(): Promise<unknown> }).promise();
        outputs[key] = (await pulumi.isSecret(output)) ? { secret: resolved } : resolved;
    }
    await settleRegistrations(() => resources.length);
    for (const r of resources) {
        const [urn, parent] = (parents.get(`${r.type}::${r.name}`) ?? "\n").split("\n");
        r.urn = urn;
        r.parent = parent;
    }
    return { resources, outputs, invokes };
}

async function settleRegistrations(count: () => number): Promise<void> {
    let last = -1;
    let stable = 0;
    while (stable < 5) {
        await new Promise((r) => setTimeout(r, 10));
        stable = count() === last ? stable + 1 : 0;
        last = count();
    }
}

/** Provider-computed outputs the program reads, with values that are visibly fake. */
function defaultState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    switch (type) {
        case "pagerduty:index/serviceIntegration:ServiceIntegration":
            return { ...inputs, integrationKey: `mock-integration-key-${name}` };
        case "aws:secretsmanager/secret:Secret":
            return { ...inputs, arn: `arn:aws:secretsmanager:eu-west-1:000000000000:secret:${inputs.name}-AbCdEf` };
        default:
            return inputs;
    }
}

function defaultCall(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
    if (token === "pagerduty:index/getUser:getUser") {
        const email = String(inputs.email);
        return { id: mockUserId(email), email, name: email };
    }
    return {};
}

/** Unwraps Pulumi's secret markers: { value, secret: true } for each secret found. */
export function unwrapSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SECRET_SIG] === SECRET_VALUE) return unwrapSecrets(obj.value);
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

/** True when the value at this point of the inputs is wrapped as a secret. */
export function isSecretMarker(value: unknown): boolean {
    return !!value && typeof value === "object" && (value as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE;
}

/** The made-up PagerDuty user id the default mock returns for an e-mail lookup. */
export function mockUserId(email: string): string {
    return `PMOCK${email
        .split("@")[0]
        .replace(/[^A-Za-z0-9]/g, "")
        .toUpperCase()}`;
}
