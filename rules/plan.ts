import type { Channel, StackConfig, Tier } from "../config/load";
import { Message, finalFailureMessage, noSuccessMessage, repeatedFailureMessage, successMessage, workPoolNotReadyMessage } from "./messages";
import { describeRoute } from "./routes";
import {
    EventTriggerSpec,
    finalFailureTrigger,
    noSuccessTrigger,
    repeatedFailureTrigger,
    successTrigger,
    workPoolNotReadyTrigger,
} from "./triggers";

/** Which Prefect notification block a channel becomes. */
export interface BlockSpec {
    channel: string;
    /** Block document name (slug): stack-prefixed so stacks sharing a workspace never collide. */
    name: string;
    typeSlug: "slack-webhook" | "custom-webhook" | "pager-duty-webhook";
    /** Set for PagerDuty channels: whose integration key the block carries. */
    pagerDutyService?: "critical" | "p1";
}

export interface AutomationSpec {
    /** Pulumi resource name, stable across runs. */
    key: string;
    tier: Tier;
    name: string;
    description: string;
    trigger: EventTriggerSpec;
    /** Channels (blocks) notified when it fires, in order. */
    channels: string[];
    message: Message;
}

export interface AlertPlan {
    blocks: BlockSpec[];
    automations: AutomationSpec[];
}

const SLUGS = { slack: "slack-webhook", webhook: "custom-webhook", pagerduty: "pager-duty-webhook" } as const;

export function blockFor(stack: string, channel: Channel): BlockSpec {
    const slug = `${stack}-${channel.name}`.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
    return {
        channel: channel.name,
        name: slug.replace(/[^a-z0-9-]/g, "-"),
        typeSlug: SLUGS[channel.spec.type],
        ...(channel.spec.type === "pagerduty" ? { pagerDutyService: channel.spec.service } : {}),
    };
}

/** Everything the stack will create in Prefect, as plain data. */
export function planAlerting(cfg: StackConfig): AlertPlan {
    const route = (name: string) => cfg.routes.find((r) => r.name === name)!;
    const automations: AutomationSpec[] = [];
    const label = (s: string) => `[${cfg.stack}] ${s}`;

    if (cfg.warning.enabled) {
        for (const name of cfg.warning.routes) {
            const r = route(name);
            automations.push({
                key: `warning-${name}`,
                tier: "warning",
                name: label(`Pipeline failed (${name})`),
                description: `Warning: every final failure (Failed, Crashed, TimedOut) of ${describeRoute(r)}. Retries in progress do not alert.`,
                trigger: finalFailureTrigger(r),
                channels: cfg.warning.channels,
                message: finalFailureMessage(cfg.critical.enabled && cfg.critical.routes.includes(name)),
            });
        }
    }

    if (cfg.successNotice.enabled) {
        automations.push({
            key: "success-notice",
            tier: "successNotice",
            name: label("Pipeline completed"),
            description: `Info: a run of ${cfg.successNotice.flows.join(", ")} completed.`,
            trigger: successTrigger(cfg.successNotice.flows),
            channels: cfg.successNotice.channels,
            message: successMessage(),
        });
    }

    if (cfg.critical.enabled) {
        const { threshold, windowSeconds } = cfg.critical;
        for (const name of cfg.critical.routes) {
            const r = route(name);
            automations.push({
                key: `critical-${name}`,
                tier: "critical",
                name: label(`CRITICAL repeated failures (${name})`),
                description: `Critical: one flow's runs (${describeRoute(r)}) ended Failed, Crashed or TimedOut ${threshold} times within ${windowSeconds} s, counted per flow. Fires once per flow per window.`,
                trigger: repeatedFailureTrigger(r, threshold, windowSeconds),
                channels: cfg.critical.channels,
                message: repeatedFailureMessage(threshold, windowSeconds),
            });
        }
    }

    if (cfg.p1.enabled) {
        if (cfg.p1.workPools.length) {
            automations.push({
                key: "p1-work-pool-not-ready",
                tier: "p1",
                name: label("P1 work pool not ready"),
                description: `P1: work pool ${cfg.p1.workPools.join(" or ")} went not-ready (no healthy worker).`,
                trigger: workPoolNotReadyTrigger(cfg.p1.workPools),
                channels: cfg.p1.channels,
                message: workPoolNotReadyMessage(),
            });
        }
        if (cfg.p1.noSuccessSeconds !== undefined) {
            for (const name of cfg.p1.routes) {
                const r = route(name);
                automations.push({
                    key: `p1-no-success-${name}`,
                    tier: "p1",
                    name: label(`P1 no successful run (${name})`),
                    description: `P1: no ${describeRoute(r)} reached Completed within ${cfg.p1.noSuccessSeconds} s.`,
                    trigger: noSuccessTrigger(r, cfg.p1.noSuccessSeconds),
                    channels: cfg.p1.channels,
                    message: noSuccessMessage(describeRoute(r), cfg.p1.noSuccessSeconds),
                });
            }
        }
    }

    return { blocks: cfg.channels.map((c) => blockFor(cfg.stack, c)), automations };
}

export interface MirrorSpec {
    /** Name after the stack's prefix, e.g. `slack-webhook-url-alerts`. */
    name: string;
    description: string;
    source: { channel: string } | { pagerDutyService: "critical" | "p1" };
}

/** Which secrets go to AWS Secrets Manager (seed: prefect/slack-webhook-url, prefect/pagerduty-integration-key). */
export function mirroredSecrets(cfg: StackConfig): MirrorSpec[] {
    if (!cfg.secretsManager) return [];
    const specs: MirrorSpec[] = [];
    for (const c of cfg.channels) {
        const kebab = blockFor(cfg.stack, c).name.slice(cfg.stack.length + 1);
        if (c.spec.type === "slack")
            specs.push({ name: `slack-webhook-url-${kebab}`, description: `Slack webhook URL for ${c.spec.slackChannel} (Prefect alerts, stack ${cfg.stack})`, source: { channel: c.name } });
        if (c.spec.type === "webhook")
            specs.push({ name: `webhook-url-${kebab}`, description: `Webhook URL of alert channel ${c.name} (stack ${cfg.stack})`, source: { channel: c.name } });
    }
    if (cfg.pagerDuty) {
        specs.push({ name: "pagerduty-integration-key", description: `PagerDuty Events API v2 key of "${cfg.pagerDuty.serviceName}"`, source: { pagerDutyService: "critical" } });
        specs.push({ name: "pagerduty-integration-key-p1", description: `PagerDuty Events API v2 key of "${cfg.pagerDuty.p1ServiceName}"`, source: { pagerDutyService: "p1" } });
    }
    return specs;
}
