import { RawConfig } from "../../config/load";
import { ProgramRun, RegisteredResource, runProgram, unwrapSecrets } from "../../harness/runProgram";
import { stackConfig } from "./stacks";

/** Runs the real program once under mocks with a committed stack (secrets set). */
export function runStack(stack: string, raw: RawConfig = stackConfig(stack)): Promise<ProgramRun> {
    return runProgram({ stack, values: raw.values, secretKeys: [...raw.secretKeys] });
}

export const ofType = (run: ProgramRun, type: string): RegisteredResource[] => run.resources.filter((r) => r.type === type);

/** Inputs with secret markers removed, for asserting on plain values. */
export const plain = (r: RegisteredResource): Record<string, any> => unwrapSecrets(r.rawInputs) as Record<string, any>;

/** The type chain of a resource's parent, from its URN (`a$b` means b parented to a). */
export const parentType = (r: RegisteredResource): string => r.parent.split("::").at(-2) ?? "";

export const T = {
    automation: "prefect:index/automation:Automation",
    block: "prefect:index/block:Block",
    service: "pagerduty:index/service:Service",
    integration: "pagerduty:index/serviceIntegration:ServiceIntegration",
    escalation: "pagerduty:index/escalationPolicy:EscalationPolicy",
    schedule: "pagerduty:index/schedule:Schedule",
    secret: "aws:secretsmanager/secret:Secret",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
} as const;
