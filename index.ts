import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig, readSecrets } from "./config/read";
import { planAlerting } from "./rules/plan";
import { NotificationChannels } from "./components/notificationChannels";
import { alertTiers } from "./components/alertTier";
import { PagerDutyRouting } from "./components/pagerDutyRouting";
import { SecretsMirror } from "./components/secretsMirror";
import { MuteTimers } from "./components/muteTimers";

// Validate, plan everything as plain data, then build: components take plan data only.
const cfg = loadStackConfig();
const plan = planAlerting(cfg);

const pagerDuty = plan.pagerDuty ? new PagerDutyRouting("pagerduty", plan.pagerDuty) : undefined;
const secrets = { config: readSecrets(cfg), pagerDutyKeys: pagerDuty?.integrationKeys };
const channels = new NotificationChannels("channels", { blocks: plan.blocks, secrets });
const tiers = alertTiers(plan.automations, channels.blockIds, plan.slas);
const automationIds = Object.assign({}, ...tiers.map((t) => t.automationIds)) as Record<string, pulumi.Output<string>>;
const timers = plan.muteTimers.length ? new MuteTimers("mute-timers", { timers: plan.muteTimers, automationIds }) : undefined;
const mirror = plan.mirror ? new SecretsMirror("secrets", { plan: plan.mirror, secrets }) : undefined;

export const blocks = pulumi.output(
    Object.fromEntries(plan.blocks.map((b) => [b.channel, { name: b.name, type: b.typeSlug, id: channels.blockIds[b.channel] }])),
);
export const automations = pulumi.output(automationIds);
export const muteTimers = timers ? pulumi.output(timers.timerIds) : undefined;
export const pagerDutyServices = pagerDuty ? pulumi.output(pagerDuty.serviceIds) : undefined;
export const escalationPolicies = pagerDuty ? pulumi.output(pagerDuty.escalationPolicyIds) : undefined;
export const onCallSchedule = pagerDuty?.scheduleId;
export const secretsManagerSecrets = mirror ? pulumi.output(mirror.arns) : undefined;
