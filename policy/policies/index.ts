import type { Policies } from "@pulumi/policy";
import { automationPolicies } from "./automations";
import { awsPolicies } from "./aws";
import { blockPolicies } from "./blocks";
import { deploymentPolicies } from "./deployments";
import { ownerPolicies } from "./owners";
import { pagerDutyPolicies } from "./pagerduty";
import { routingPolicies } from "./routing";
import { stackPolicies } from "./wiring";

export * from "./automations";
export * from "./aws";
export * from "./blocks";
export * from "./deployments";
export * from "./owners";
export * from "./pagerduty";
export * from "./routing";
export * from "./wiring";

/** Every policy of the pack, in the order `pulumi preview` lists them. */
export const policies: Policies = [
    ...automationPolicies,
    ...blockPolicies,
    ...stackPolicies,
    ...pagerDutyPolicies,
    ...routingPolicies,
    ...ownerPolicies,
    ...awsPolicies,
    ...deploymentPolicies,
];
