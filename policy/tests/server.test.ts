import { ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as empty from "google-protobuf/google/protobuf/empty_pb";
import * as rpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { policies } from "../policies";
import { SLACK_URL, TYPES, secret, urnOf } from "./helpers/fixtures";

/**
 * The pack as Pulumi runs it: policy/index.ts in its own process, started
 * the way the CLI's pulumi-analyzer-policy starts it (the pack's own
 * @pulumi/pulumi `cmd/run-policy-pack <engine-address> <folder>`, which
 * compiles the TypeScript with ts-node; pulumi/pulumi#3524), serving
 * CrossGuard's analyzer over gRPC on loopback, asked the way the engine
 * asks (GetAnalyzerInfo, Configure, ConfigureStack, Analyze, AnalyzeStack).
 * This is where the secret handling is observed rather than read: a block
 * whose data arrives secret-marked is judged on its plain JSON.
 */

const POLICY_DIR = join(__dirname, "..");
// Resolved from the pack, so it needs nothing outside the pack's own dependencies.
const RUN_POLICY_PACK = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");

let pack: ChildProcess;
let client: any;

const call = <T>(method: string, req: unknown): Promise<T> =>
    new Promise((resolve, reject) => client[method](req, (err: Error | null, resp: T) => (err ? reject(err) : resolve(resp))));

interface Diagnostic {
    policy: string;
    level: number;
    message: string;
}
const diagnostics = (resp: any): Diagnostic[] =>
    resp.getDiagnosticsList().map((d: any) => ({ policy: d.getPolicyname(), level: d.getEnforcementlevel(), message: d.getMessage() }));

function options(additionalSecretOutputs: string[] = []) {
    const o = new pb.AnalyzerResourceOptions();
    o.setAdditionalsecretoutputsList(additionalSecretOutputs);
    return o;
}

function analyzeRequest(type: string, name: string, props: Record<string, unknown>, secretOutputs: string[] = [], parentType?: string) {
    const req = new pb.AnalyzeRequest();
    req.setType(type);
    req.setName(name);
    req.setUrn(urnOf(type, name, parentType, "server"));
    req.setProperties(Struct.fromJavaScript(props as never));
    req.setOptions(options(secretOutputs));
    return req;
}

function stackResource(
    type: string,
    name: string,
    props: Record<string, unknown>,
    deps: Record<string, string[]> = {},
    parentType?: string,
) {
    const r = new pb.AnalyzerResource();
    r.setType(type);
    r.setName(name);
    r.setUrn(urnOf(type, name, parentType, "server"));
    r.setProperties(Struct.fromJavaScript(props as never));
    r.setOptions(options(type === TYPES.block ? ["data", "dataWo"] : []));
    for (const [prop, urns] of Object.entries(deps)) {
        const d = new pb.AnalyzerPropertyDependencies();
        d.setUrnsList(urns);
        r.getPropertydependenciesMap().set(prop, d);
    }
    return r;
}

beforeAll(async () => {
    // The engine address is only passed through: the analyzer serves, it never calls the engine back.
    pack = spawn(process.execPath, [RUN_POLICY_PACK, "127.0.0.1:0", "."], { cwd: POLICY_DIR, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    pack.stderr!.on("data", (c) => (stderr += c));
    const port = await new Promise<string>((resolve, reject) => {
        pack.stdout!.on("data", (c: Buffer) => {
            const m = /^(\d+)\s*$/m.exec(c.toString());
            if (m) resolve(m[1]);
        });
        pack.on("exit", (code) => reject(new Error(`policy pack exited (${code}): ${stderr}`)));
    });
    client = new rpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 60_000);

afterAll(() => {
    client?.close();
    if (pack?.pid) pack.kill("SIGTERM");
});

describe("the pack served by CrossGuard", () => {
    it("starts and lists every policy with its enforcement level", async () => {
        const info: any = await call("getAnalyzerInfo", new empty.Empty());
        expect(info.getName()).toBe("prefect-alerting");
        expect(info.getSupportsconfig()).toBe(true);
        const served = info.getPoliciesList().map((p: any) => [p.getName(), p.getEnforcementlevel()]);
        const level = { advisory: pb.EnforcementLevel.ADVISORY, mandatory: pb.EnforcementLevel.MANDATORY } as Record<string, number>;
        expect(served).toEqual(policies.map((p) => [p.name, level[p.enforcementLevel!]]));
    });

    it("unwraps a secret-marked block data before the policies see it, and judges the secret by additionalSecretOutputs", async () => {
        const props = { name: "server-alerts", typeSlug: "slack-webhook", data: secret(JSON.stringify({ url: SLACK_URL })) };
        // notification-block-data parses data as JSON: it passes only if CrossGuard handed over the plain text.
        const declared = diagnostics(await call("analyze", analyzeRequest(TYPES.block, "block-alerts", props, ["data", "dataWo"])));
        expect(declared).toEqual([]);
        const undeclared = diagnostics(await call("analyze", analyzeRequest(TYPES.block, "block-alerts", props)));
        expect(undeclared.map((d) => d.policy)).toEqual(["block-data-secret"]);
        expect(undeclared[0].level).toBe(pb.EnforcementLevel.MANDATORY);
        expect(undeclared[0].message).not.toContain(SLACK_URL);
    });

    it("applies per-policy config sent by the engine", async () => {
        const proactive = {
            name: "p1",
            enabled: true,
            trigger: {
                event: {
                    posture: "Proactive",
                    match: JSON.stringify({ "prefect.resource.id": "prefect.flow-run.*" }),
                    matchRelated: "{}",
                    expects: ["prefect.flow-run.Completed"],
                    afters: [],
                    forEaches: [],
                    threshold: 1,
                    within: 600,
                },
            },
            actions: [{ type: "send-notification", blockDocumentId: "b", subject: "P1", body: "no run completed" }],
        };
        expect(diagnostics(await call("analyze", analyzeRequest(TYPES.automation, "p1", proactive)))).toEqual([]);
        const configure = new pb.ConfigureAnalyzerRequest();
        const cfg = new pb.PolicyConfig();
        cfg.setEnforcementlevel(pb.EnforcementLevel.MANDATORY);
        cfg.setProperties(Struct.fromJavaScript({ minimumWithinSeconds: 3600 }));
        configure.getPolicyconfigMap().set("proactive-within-minimum", cfg);
        await call("configure", configure);
        const found = diagnostics(await call("analyze", analyzeRequest(TYPES.automation, "p1", proactive)));
        expect(found.map((d) => d.policy)).toEqual(["proactive-within-minimum"]);
    });

    it("learns production from the stack tags the engine sends", async () => {
        const slack = stackResource(TYPES.block, "block-critical", {
            name: "server-critical",
            typeSlug: "slack-webhook",
            data: secret(JSON.stringify({ url: SLACK_URL })),
        });
        const critical = stackResource(
            TYPES.automation,
            "critical-dlt",
            {
                name: "critical",
                enabled: true,
                trigger: {
                    event: {
                        posture: "Reactive",
                        expects: ["prefect.flow-run.Failed"],
                        forEaches: ["related:flow:prefect.resource.id"],
                        threshold: 3,
                        within: 86400,
                    },
                },
                actions: [{ type: "send-notification", blockDocumentId: "block-critical-id", subject: "c", body: "c" }],
            },
            { actions: [slack.getUrn()] },
            TYPES.criticalTier,
        );
        const stack = new pb.AnalyzeStackRequest();
        stack.setResourcesList([slack, critical]);
        expect(diagnostics(await call("analyzeStack", stack))).toEqual([]);

        const tags = new pb.AnalyzerStackConfigureRequest();
        tags.setStack("server");
        tags.setProject("prefect-alerting");
        tags.setOrganization("org");
        tags.getTagsMap().set("environment", "production");
        await call("configureStack", tags);
        const found = diagnostics(await call("analyzeStack", stack));
        // Both production policies hear the tag: the critical tier pages nobody, and the stack has no watchdog (advisory).
        expect(found.map((d) => d.policy)).toEqual(["production-pages-on-call", "production-watchdog"]);
    });
});
