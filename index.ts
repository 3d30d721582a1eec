import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig, readSecrets } from "./config/read";
import { mirroredSecrets, planAlerting } from "./rules/plan";
import { NotificationChannels } from "./components/notificationChannels";
import { WarningTier } from "./components/warningTier";
import { CriticalTier } from "./components/criticalTier";
import { P1Tier } from "./components/p1Tier";
import { PagerDutyRouting } from "./components/pagerDutyRouting";
import { SecretsMirror } from "./components/secretsMirror";

const cfg = loadStackConfig();
const secrets = readSecrets(cfg);
const plan = planAlerting(cfg);
const tier = (...tiers: string[]) => plan.automations.filter((a) => tiers.includes(a.tier));

const pagerDuty = cfg.pagerDuty ? new PagerDutyRouting("pagerduty", { stack: cfg.stack, config: cfg.pagerDuty }) : undefined;

const urls = Object.fromEntries(cfg.channels.filter((c) => c.urlKey).map((c) => [c.name, secrets[c.urlKey!]]));
const channels = new NotificationChannels("channels", {
    stack: cfg.stack,
    blocks: plan.blocks,
    urls,
    pagerDutyKeys: pagerDuty?.integrationKeys,
    pagerDutyApiKey: secrets[`${cfg.project}:pagerDutyApiKey`],
});

const warning =
    cfg.warning.enabled || cfg.successNotice.enabled
        ? new WarningTier("warning", { automations: tier("warning", "successNotice"), blockIds: channels.blockIds })
        : undefined;
const critical = cfg.critical.enabled ? new CriticalTier("critical", { automations: tier("critical"), blockIds: channels.blockIds }) : undefined;
const p1 = cfg.p1.enabled ? new P1Tier("p1", { automations: tier("p1"), blockIds: channels.blockIds }) : undefined;

const mirror = cfg.secretsManager
    ? new SecretsMirror("secrets", {
          prefix: cfg.secretsManager.prefix,
          recoveryWindowInDays: cfg.secretsManager.recoveryWindowInDays,
          secrets: mirroredSecrets(cfg).map((m) => ({
              name: m.name,
              description: m.description,
              value: "channel" in m.source ? urls[m.source.channel] : pagerDuty!.integrationKeys[m.source.pagerDutyService],
          })),
      })
    : undefined;

export const blocks = pulumi.output(Object.fromEntries(plan.blocks.map((b) => [b.channel, { name: b.name, type: b.typeSlug, id: channels.blockIds[b.channel] }])));
export const automations = pulumi.output({ ...warning?.automationIds, ...critical?.automationIds, ...p1?.automationIds });
export const pagerDutyServices = pagerDuty ? pulumi.output(pagerDuty.serviceIds) : undefined;
export const escalationPolicies = pagerDuty ? pulumi.output(pagerDuty.escalationPolicyIds) : undefined;
export const onCallSchedule = pagerDuty?.scheduleId;
export const secretsManagerSecrets = mirror ? pulumi.output(mirror.arns) : undefined;
