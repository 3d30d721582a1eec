import { policies } from "../../policy/policies";
import { EngineResource, PackResult, runPolicies } from "../../policy/local";

/**
 * The policy pack over the offline preview's resources, judged as Pulumi
 * Deployments would judge the real `pulumi preview --policy-pack policy`:
 * mandatory violations block the push, advisory ones are shown.
 */
export interface PolicyCheck {
    lines: string[];
    mandatory: number;
    advisory: number;
}

/**
 * CrossGuard never sees config, only stack tags: the preview tags the stack
 * `environment=<prefect-alerting:environment>`, as the README asks of real
 * stacks (`pulumi stack tag set environment production`).
 */
export async function checkPolicies(resources: EngineResource[], environment: string): Promise<PolicyCheck> {
    return describeFindings(await runPolicies(policies, resources, { stackTags: { environment } }), policies.length);
}

/** The findings in words, mandatory first; pure so the wording is tested without a program run. */
export function describeFindings(result: PackResult, policyCount: number): PolicyCheck {
    const mandatory = result.violations.filter((v) => v.level === "mandatory");
    const advisory = result.violations.filter((v) => v.level === "advisory");
    const lines = [
        `Policy pack (${policyCount} policies, as Pulumi Deployments runs it): ` +
            `${mandatory.length} mandatory, ${advisory.length} advisory violation(s)`,
    ];
    for (const v of [...mandatory, ...advisory]) {
        const where = v.urn ? `  [${v.urn.split("::").at(-1)}]` : "";
        lines.push(`  ${v.level === "mandatory" ? "BLOCKED" : "advice "}  ${v.policy}${where}: ${v.message}`);
    }
    if (mandatory.length) lines.push("  A mandatory violation stops `pulumi up` and the Deployments run: fix the stack before pushing.");
    return { lines, mandatory: mandatory.length, advisory: advisory.length };
}
