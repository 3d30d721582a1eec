// Checks that the committed sdks/prefect behaves like the SDK that
// `pulumi package add terraform-provider prefecthq/prefect 3.4.1` generates:
// resource tokens, generated property names, secrets, and the parameterized
// package it registers (which must match Pulumi.yaml and the SDK's package.json).
import { describe, it, expect, beforeAll } from "vitest";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import * as prefect from "@pulumi/prefect";
import { parse } from "yaml";
import { SECRET_SIG, SECRET_VALUE } from "../../harness/runProgram";

const repoRoot = path.resolve(__dirname, "..", "..");
// The terraform-provider bridge plugin the SDK was generated for (Pulumi.yaml `packages.prefect.version`).
const BRIDGE_VERSION = "1.4.0";

// The marker a secret input is wrapped in when it reaches the mocks.

type Callback = (err: unknown, resp: unknown) => void;
interface WrappableMonitor {
    registerPackage(req: resproto.RegisterPackageRequest, cb: Callback): void;
    registerResource(req: resproto.RegisterResourceRequest, cb: Callback): void;
}

const registered: pulumi.runtime.MockResourceArgs[] = [];
const packageRequests: resproto.RegisterPackageRequest[] = [];
const packageRefByType = new Map<string, string>();

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

function inputsOf(type: string): Record<string, any> {
    const found = registered.filter((r) => r.type === type);
    expect(found, `exactly one ${type} registered`).toHaveLength(1);
    return found[0].inputs;
}

function expectSecret(value: unknown): unknown {
    expect(value).toMatchObject({ [SECRET_SIG]: SECRET_VALUE });
    return (value as Record<string, unknown>).value;
}

const matchRelated = { "prefect.resource.role": "tag", "prefect.resource.id": "prefect.tag.dlt" };
const slackData = { url: "https://hooks.slack.com/services/T000/B000/XXXX" };

let block: prefect.Block;
let automation: prefect.Automation;

beforeAll(async () => {
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registered.push(args);
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call: (args) => args.inputs,
        },
        "sdk-test",
        "test",
        false,
    );

    // Record what the SDK sends to the resource monitor before any resource exists:
    // the package registration happens once, on the first prefect resource.
    const monitor = pulumi.runtime.getMonitor() as unknown as WrappableMonitor;
    const registerPackage = monitor.registerPackage.bind(monitor);
    monitor.registerPackage = (req, cb) => {
        packageRequests.push(req);
        registerPackage(req, cb);
    };
    const registerResource = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) => {
        packageRefByType.set(req.getType(), req.getPackageref());
        registerResource(req, cb);
    };

    const provider = new prefect.Provider("prefect", {
        endpoint: "http://127.0.0.1:4200/api",
        apiKey: "pnu_not_a_real_key",
        csrfEnabled: true,
    });
    block = new prefect.Block("slack", { name: "alerts-slack", typeSlug: "slack-webhook", data: JSON.stringify(slackData) }, { provider });
    automation = new prefect.Automation(
        "dlt-failures",
        {
            name: "dlt flow run failed",
            trigger: {
                event: {
                    posture: "Reactive",
                    match: JSON.stringify({ "prefect.resource.id": "prefect.flow-run.*" }),
                    matchRelated: JSON.stringify(matchRelated),
                    expects: ["prefect.flow-run.Failed", "prefect.flow-run.Crashed"],
                    afters: [],
                    forEaches: ["related:flow:prefect.resource.id"],
                    threshold: 1,
                    within: 0,
                },
            },
            actions: [{ type: "send-notification", blockDocumentId: block.id, subject: "Flow failed", body: "{{ flow_run|ui_url }}" }],
            actionsOnTriggers: [{ type: "do-nothing" }],
            actionsOnResolves: [{ type: "do-nothing" }],
        },
        { provider },
    );
    await Promise.all([valueOf(provider.urn), valueOf(block.id), valueOf(automation.id)]);
});

describe("generated resources under mocks", () => {
    it("registers the generated type tokens, all through the parameterized package", () => {
        const types = registered.map((r) => r.type).sort();
        expect(types).toEqual(["prefect:index/automation:Automation", "prefect:index/block:Block", "pulumi:providers:prefect"]);
        for (const type of types) {
            expect(packageRefByType.get(type), `${type} carries the package ref`).toBe("mock-uuid");
        }
        expect(prefect.Automation.isInstance(automation)).toBe(true);
        expect(prefect.Block.isInstance(automation)).toBe(false);
    });

    it("sends the automation with camelCase, pluralised names and JSON-string matchers", () => {
        const inputs = inputsOf("prefect:index/automation:Automation");
        const event = inputs.trigger.event;
        expect(event.expects).toEqual(["prefect.flow-run.Failed", "prefect.flow-run.Crashed"]);
        expect(event.afters).toEqual([]);
        expect(event.forEaches).toEqual(["related:flow:prefect.resource.id"]);
        expect(typeof event.match).toBe("string");
        expect(typeof event.matchRelated).toBe("string");
        expect(JSON.parse(event.matchRelated)).toEqual(matchRelated);
        expect(event).not.toHaveProperty("expect");
        expect(event).not.toHaveProperty("match_related");
        expect(inputs.actions).toEqual([
            { type: "send-notification", blockDocumentId: "slack-id", subject: "Flow failed", body: "{{ flow_run|ui_url }}" },
        ]);
        expect(inputs.actionsOnTriggers).toEqual([{ type: "do-nothing" }]);
        expect(inputs.actionsOnResolves).toEqual([{ type: "do-nothing" }]);
        expect(inputs).not.toHaveProperty("actions_on_trigger");
    });

    it("marks block data and the provider api key as secrets", async () => {
        const blockInputs = inputsOf("prefect:index/block:Block");
        expect(blockInputs.typeSlug).toBe("slack-webhook");
        expect(JSON.parse(expectSecret(blockInputs.data) as string)).toEqual(slackData);
        expect(await pulumi.isSecret(block.data)).toBe(true);

        const providerInputs = inputsOf("pulumi:providers:prefect");
        expect(expectSecret(providerInputs.apiKey)).toBe("pnu_not_a_real_key");
        expect(providerInputs.endpoint).toBe("http://127.0.0.1:4200/api");
        // Non-string provider settings travel JSON-encoded, as generated providers send them.
        expect(providerInputs.csrfEnabled).toBe("true");
    });
});

describe("parameterized package registration", () => {
    it("registers terraform-provider parameterized with prefecthq/prefect 3.4.1, as Pulumi.yaml and package.json say", () => {
        expect(packageRequests.length).toBeGreaterThan(0);
        const req = packageRequests[0];
        const parameterization = req.getParameterization();
        expect(parameterization).toBeDefined();
        const value = Buffer.from(parameterization!.getValue_asU8());
        expect(JSON.parse(value.toString("utf8"))).toEqual({
            remote: { url: "registry.opentofu.org/prefecthq/prefect", version: "3.4.1" },
        });
        expect(req.getName()).toBe("terraform-provider");
        expect(req.getVersion()).toBe(BRIDGE_VERSION);
        expect(req.getDownloadUrl()).toBe("");
        expect(parameterization!.getName()).toBe("prefect");
        expect(parameterization!.getVersion()).toBe("3.4.1");

        const project = parse(fs.readFileSync(path.join(repoRoot, "Pulumi.yaml"), "utf8"));
        const declared = project?.packages?.prefect;
        expect(declared, "Pulumi.yaml declares packages.prefect").toBeDefined();
        expect(declared.source).toBe(req.getName());
        expect(declared.version).toBe(req.getVersion());
        expect(declared.parameters).toEqual(["prefecthq/prefect", parameterization!.getVersion()]);

        const sdkPackage = JSON.parse(fs.readFileSync(path.join(repoRoot, "sdks", "prefect", "package.json"), "utf8"));
        expect(sdkPackage.name).toBe("@pulumi/prefect");
        expect(sdkPackage.version).toBe(parameterization!.getVersion());
        expect(sdkPackage.pulumi).toEqual({
            resource: true,
            name: req.getName(),
            version: req.getVersion(),
            parameterization: {
                name: parameterization!.getName(),
                version: parameterization!.getVersion(),
                value: value.toString("base64"),
            },
        });

        for (const other of packageRequests) {
            expect(other.toObject()).toEqual(req.toObject());
        }
    });
});
