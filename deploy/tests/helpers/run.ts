import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as runtimeMocks from "@pulumi/pulumi/runtime/mocks";
import { parse } from "yaml";
import { PROJECT } from "../../config";

/** Pulumi's marker for a secret on the wire. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const isSecretMarker = (v: unknown): v is { value: unknown } =>
    typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270";

/** Sentinels: visibly fake, and easy to look for anywhere they must not be. */
export const SLACK_URL = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";
export const SENTINEL = {
    devSlack: "https://hooks.slack.com/services/T00000000/B00000000/DEVSENTINEL1",
    prodSlack: "https://hooks.slack.com/services/T00000000/B00000000/PRODSENTINEL1",
    prodCritical: "https://hooks.slack.com/services/T00000000/B00000000/CRITSENTINEL1",
    prefectKey: "pnu_SENTINEL_prefect_api_key_000000000",
    pdToken: "SENTINEL-pd-rest-token",
};
export const ESC_SECRETS = {
    dev: { alertsWebhookUrl: SENTINEL.devSlack, "prefect:apiKey": SENTINEL.prefectKey },
    prod: {
        alertsWebhookUrl: SENTINEL.prodSlack,
        criticalWebhookUrl: SENTINEL.prodCritical,
        "pagerduty:token": SENTINEL.pdToken,
        "prefect:apiKey": SENTINEL.prefectKey,
    },
};

/** A stack file's config as Pulumi hands it to the program (objects as JSON text), plus the secrets the file only names. */
export function stackValues(file = "Pulumi.org.yaml"): Record<string, string> {
    const doc = parse(readFileSync(join(__dirname, "..", "..", file), "utf8")) as { config: Record<string, unknown> };
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(doc.config)) values[k] = typeof v === "string" ? v : JSON.stringify(v);
    values[`${PROJECT}:deployWebhookUrl`] = SLACK_URL;
    values[`${PROJECT}:escSecrets`] = JSON.stringify(ESC_SECRETS);
    return values;
}
export const SECRET_CONFIG = [`${PROJECT}:deployWebhookUrl`, `${PROJECT}:escSecrets`];

/** One registration as the engine sees it (and hands it to a policy analyzer). */
export interface Registration {
    type: string;
    name: string;
    urn: string;
    parent: string;
    /** Inputs as serialized: secrets still wrapped in the marker. */
    inputs: Record<string, any>;
    outputs: Record<string, any>;
    additionalSecretOutputs: string[];
    dependencies: string[];
}

export interface DeployRun {
    resources: Registration[];
    outputs: Record<string, unknown>;
}

type Struct = { toJavaScript(): Record<string, any> };

/**
 * Runs deploy/index.ts once under Pulumi's mocks, recording every registration
 * with its options (the mock API's newResource never sees them, so the mock
 * monitor's registerResource is tapped). One run per test file.
 */
export async function runDeploy(values: Record<string, string>, secretKeys = SECRET_CONFIG, stack = "org"): Promise<DeployRun> {
    const resources: Registration[] = [];
    type RegisterFn = (...args: any[]) => unknown;
    const proto = (runtimeMocks as unknown as { MockMonitor: { prototype: { registerResource: RegisterFn } } }).MockMonitor.prototype;
    const original = proto.registerResource;
    proto.registerResource = function (this: unknown, req: any, callback: (err: unknown, resp?: any) => void) {
        return original.call(this, req, (err: unknown, resp?: any) => {
            if (!err && resp)
                resources.push({
                    type: req.getType(),
                    name: req.getName(),
                    urn: resp.getUrn(),
                    parent: req.getParent(),
                    inputs: (req.getObject() as Struct).toJavaScript(),
                    outputs: (resp.getObject() as Struct).toJavaScript(),
                    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                    dependencies: req.getDependenciesList(),
                });
            callback(err, resp);
        });
    };
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
            call: (args) => args.inputs,
        },
        PROJECT,
        stack,
        false,
    );
    pulumi.runtime.setAllConfig(values, secretKeys);
    try {
        const program = await import("../../index");
        const outputs: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(program) as [string, unknown][]) {
            const out = pulumi.output(value) as unknown as pulumi.Output<unknown>;
            const resolved = await new Promise((resolve) => out.apply(resolve));
            outputs[key] = (await pulumi.isSecret(out)) ? { secret: resolved } : resolved;
        }
        await settle(() => resources.length);
        return { resources, outputs };
    } finally {
        proto.registerResource = original;
    }
}

async function settle(count: () => number): Promise<void> {
    let last = -1;
    let stable = 0;
    while (stable < 5) {
        await new Promise((r) => setTimeout(r, 10));
        stable = count() === last ? stable + 1 : 0;
        last = count();
    }
}

/** Inputs with every secret marker replaced by its value. */
export function plain(v: unknown): any {
    if (isSecretMarker(v)) return plain(v.value);
    if (Array.isArray(v)) return v.map(plain);
    if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    return v;
}

export const ofType = (run: DeployRun, type: string) => run.resources.filter((r) => r.type === type);
