import { ConfigError } from "../../config/errors";
import { PROJECT, parseStackConfig } from "../../config/load";
import type { StackConfig } from "../../config/model";
import { readThresholdsFile } from "../../config/thresholdsFile";
import { Placeholder, offlineConfig } from "../../config/offline";
import { runProgramForEngine } from "../../harness/engineCapture";
import type { RegisteredResource } from "../../harness/runProgram";
import { AlertPlan, automationsPerRoute, planAlerting } from "../../rules/plan";
import type { StackTarget } from "../stack";
import { PolicyCheck, checkPolicies } from "./policies";

/** What every preview output is made from: the program's run under mocks, its plan, the policy verdict. */
export interface PreviewData {
    stack: string;
    /** The stack file's plain values (sample values are looked for there). */
    values: Record<string, string>;
    placeholders: Placeholder[];
    encrypted: string[];
    resources: RegisteredResource[];
    invokes: { token: string; inputs: Record<string, unknown> }[];
    cfg: StackConfig;
    plan: AlertPlan;
    costs: ReturnType<typeof automationsPerRoute>;
    policies: PolicyCheck;
    /** Windows and mutes are judged by the real clock, as `pulumi up` judges them now. */
    now: Date;
}

/** Runs the real program under Pulumi's mocks with the stack's config; a ConfigError or a failed run is the message to print. */
export async function loadPreview({ stack, file }: StackTarget): Promise<PreviewData | { error: string }> {
    // Keys are judged by the program's own parser, with the same secret flags as `pulumi up`; only values it cannot read are stood in for.
    let offline;
    try {
        offline = offlineConfig(stack, file);
    } catch (e) {
        if (e instanceof ConfigError) return { error: e.message };
        throw e;
    }
    const { raw, placeholders } = offline;
    let captured;
    try {
        captured = await runProgramForEngine({ stack, values: raw.values, secretKeys: [...raw.secretKeys] });
    } catch (e) {
        return { error: e instanceof Error ? e.message : String(e) };
    }
    const { run, resources } = captured;
    // The program ran, so the config parses: the same plan it built, for the incidents and the per-route counts.
    const cfg = parseStackConfig({ ...raw, thresholds: readThresholdsFile(stack) });
    const plan = planAlerting(cfg);
    const costs = automationsPerRoute(
        plan,
        cfg.routes.map((r) => r.name),
    );
    // What Pulumi Deployments would block, seen before a push: mandatory violations fail the preview.
    const policies = await checkPolicies(resources, environmentOf(raw.values));
    return {
        stack,
        values: file.values,
        placeholders,
        encrypted: file.encrypted,
        resources: run.resources,
        invokes: run.invokes,
        cfg,
        plan,
        costs,
        policies,
        now: new Date(),
    };
}

/** The stack's `environment` setting (Pulumi.yaml's default when the stack file leaves it out). */
function environmentOf(values: Record<string, string>): string {
    return values[`${PROJECT}:environment`] ?? "development";
}
