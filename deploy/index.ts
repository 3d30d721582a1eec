import * as pulumi from "@pulumi/pulumi";
import { StackDeployment, policyGroup } from "./components";
import { environmentImport } from "./esc";
import { loadDeployConfig } from "./load";
import { planDeployments } from "./plan";

// Validate, plan as plain data, then build: nothing is decided below this line.
const cfg = loadDeployConfig();
const plan = planDeployments(cfg);

const config = new pulumi.Config();
const webhookUrl = config.requireSecret("deployWebhookUrl");
const escSecrets = config.requireSecretObject<Record<string, Record<string, string>>>("escSecrets");

const group = plan.policyGroup ? policyGroup(plan.policyGroup) : undefined;
const deployments = plan.stacks.map(
    (s) => new StackDeployment(s.stack, { plan: s, webhookUrl, secrets: escSecrets.apply((all) => all[s.stack]) }),
);

export const policyGroupName = group?.name;
/** Per alerting stack: the ESC environment and the lines its Pulumi.<stack>.yaml needs to import it. */
export const environments = Object.fromEntries(
    plan.stacks.map((s) => [s.stack, { ref: s.environment.ref, stackFile: environmentImport(s.environment.ref) }]),
);
export const deploymentSettings = deployments.map((d) => d.settings.id);
