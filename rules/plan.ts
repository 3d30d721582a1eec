import { withUiLinks } from "../alert/links";
import type { AutomationSpec, Message, SlaPlan } from "../alert/model";
import type { MirrorSource } from "../channels/kind";
import { BlockPlan, kindOf } from "../channels/registry";
import { Channel, Mute, StackConfig, sectionOf } from "../config/model";
import type { SignalContext } from "../signals/signal";
import { SIGNALS } from "../signals/table";
import { incidentChannels, isIncidentKind, resolveChannels } from "./incidents";
import { ownerChannels, ownerService, runbookFor } from "../alert/owners";
import { aboutRuns, withRunbook } from "../alert/runbook";
import { PagerDutyPlan, planPagerDuty } from "./pagerDuty";
import { MuteTimerPlan, planMuteTimers } from "./muteTimers";
import { muteOf, mutedDescription } from "./quiet";

export type { BlockPlan };

/** A notification action: which channel's block, and the message as that channel's kind shows it. */
export interface ActionSpec {
    channel: string;
    subject: string;
    body: string;
}

export type PlannedAutomation = AutomationSpec & {
    actions: ActionSpec[];
    /**
     * False while its routes are muted (`mute`): created disabled, its description saying until when and why; a mute
     * timer enables it. False for an armed resolve too (`armedBy`): Prefect enables it when its alert fires.
     */
    enabled: boolean;
    mute?: Mute;
    /** Keys of the armed resolves this alert enables when it fires (`resume-automation` actions). */
    arms: string[];
};

/**
 * Everything the stack will create, as plain data, before any resource
 * exists: Prefect blocks and automations, the PagerDuty side, and the secrets
 * copied to Secrets Manager with where each value comes from. Components take
 * this data only; the preview prints it.
 */
export interface AlertPlan {
    blocks: BlockPlan[];
    automations: PlannedAutomation[];
    /** One Prefect-side timer per distinct mute end, resuming that mute's automations at its until (rules/muteTimers.ts). */
    muteTimers: MuteTimerPlan[];
    /** Prefect Cloud SLAs, one `prefect_resource_sla` per deployment (signals/sla.ts `slas`). */
    slas: SlaPlan[];
    pagerDuty?: PagerDutyPlan;
    mirror?: { prefix: string; recoveryWindowInDays: number; secrets: MirrorSource[] };
}

/** Which Prefect notification block a channel becomes. */
export function blockFor(stack: string, channel: Channel, project: string): BlockPlan {
    const kind = kindOf(channel.spec);
    return {
        channel: channel.name,
        name: `${stack}-${channel.name}`
            .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
            .toLowerCase()
            .replace(/[^a-z0-9-]/g, "-"),
        typeSlug: kind.block.typeSlug,
        stack,
        spec: channel.spec,
        sources: kind.block.sources(channel, project),
    };
}

/** What a signal may know of the stack besides its own section (signals/signal.ts). */
export function signalContext(cfg: StackConfig): SignalContext {
    return {
        stack: cfg.stack,
        routes: cfg.routes.map((r) => r.name),
        route: (name) => cfg.routes.find((r) => r.name === name)!,
        label: (s) => `[${cfg.stack}] ${s}`,
        resolveChannels: (channels, recoveredNotice) => resolveChannels(cfg, channels, recoveredNotice),
        incidentChannels: (channels) => incidentChannels(cfg, channels),
        owners: cfg.owners,
        sendTo: (channels, owner) => ownerChannels(channels, owner ?? defaultOwnerOf(cfg), (name) => isIncidentKind(cfg, name)),
        settings: (section) => sectionOf(cfg, section),
        calibration: cfg.calibration,
    };
}

export function planAlerting(cfg: StackConfig): AlertPlan {
    const ctx = signalContext(cfg);
    // Each signal gets its own section, typed by its module (config/load.ts parsed and resolved it).
    const own = (s: (typeof SIGNALS)[number]) => cfg.signals[s.configKey];
    // Signals about the alerting itself are planned last, seeing every other automation.
    const alerts = SIGNALS.filter((s) => !s.watchesAutomations).flatMap((s) => s.automations(own(s), ctx));
    const meta = SIGNALS.filter((s) => s.watchesAutomations).flatMap((s) => s.automations(own(s), { ...ctx, automations: alerts }));
    const all = [...alerts, ...meta];
    const automations = all.map((a): PlannedAutomation => {
        const runbook = runbookFor(a, cfg.routes, defaultOwnerOf(cfg));
        // A resolve tells nobody anything new: it stays on, so an incident opened before the mute still closes.
        const mute = a.incident?.action === "resolve" ? undefined : muteOf(a.routes, cfg.mutes);
        return {
            ...a,
            ...(mute ? { description: mutedDescription(a.description, mute), mute } : {}),
            ...(runbook ? { runbook } : {}),
            enabled: mute === undefined && a.armedBy === undefined,
            actions: actionsFor(
                { ...a, message: withRunbook(a.message, runbook, aboutRuns(a.trigger) ? cfg.deploymentRunbooks : {}) },
                cfg.channels,
                cfg.stack,
                cfg.prefect.uiUrl,
            ),
            arms: all.filter((r) => r.armedBy === a.key).map((r) => r.key),
        };
    });
    return {
        blocks: cfg.channels.map((c) => blockFor(cfg.stack, c, cfg.project)),
        automations,
        muteTimers: planMuteTimers(automations, cfg.stack, cfg.now),
        slas: SIGNALS.flatMap((s) => s.slas?.(own(s), ctx) ?? []),
        pagerDuty: cfg.pagerDuty
            ? planPagerDuty(
                  cfg.pagerDuty,
                  cfg.stack,
                  cfg.maintenance,
                  cfg.owners.flatMap((o) =>
                      o.pagerDuty
                          ? [{ team: o.name, name: o.pagerDuty.service, ...(o.pagerDuty.onCall ? { onCall: o.pagerDuty.onCall } : {}) }]
                          : [],
                  ),
              )
            : undefined,
        mirror: cfg.secretsManager ? { ...cfg.secretsManager, secrets: mirroredSecrets(cfg) } : undefined,
    };
}

/** The default owner of the stack's routes, if it names one. */
function defaultOwnerOf(cfg: StackConfig) {
    return cfg.owners.find((o) => o.name === cfg.defaultOwner);
}

/** One action per channel, each with the message as its kind shows it (Slack mrkdwn, a Teams card, ...). */
function actionsFor(a: AutomationSpec, channels: Channel[], stack: string, uiUrl: string): ActionSpec[] {
    const message = linkedMessage(a.message, uiUrl);
    return a.channels.map((name) => {
        const channel = channels.find((c) => c.name === name)!;
        return {
            channel: name,
            ...kindOf(channel.spec).render(message, { stack, tier: a.tier, signal: a.signal, incident: a.incident }),
        };
    });
}

/** The message with every `<object>|ui_url` on the stack's UI base (alert/links.ts), in each of its templates. */
function linkedMessage(m: Message, uiUrl: string): Message {
    const l = (t: string) => withUiLinks(t, uiUrl);
    const d = m.detail;
    return {
        subject: l(m.subject),
        body: l(m.body),
        ...(d
            ? {
                  detail: {
                      ...d,
                      title: l(d.title),
                      fields: d.fields.map((f) => ({ ...f, value: l(f.value) })),
                      ...(d.error !== undefined ? { error: l(d.error) } : {}),
                      ...(d.link ? { link: { ...d.link, url: l(d.link.url) } } : {}),
                  },
              }
            : {}),
    };
}

/** Which secrets go to AWS Secrets Manager (seed: prefect/slack-webhook-url, prefect/pagerduty-integration-key). */
export function mirroredSecrets(cfg: StackConfig): MirrorSource[] {
    if (!cfg.secretsManager) return [];
    const specs = cfg.channels.flatMap((c) => {
        const name = blockFor(cfg.stack, c, cfg.project).name.slice(cfg.stack.length + 1);
        return kindOf(c.spec).mirror(c, { stack: cfg.stack, kebab: name, project: cfg.project });
    });
    if (cfg.pagerDuty) {
        specs.push({
            name: "pagerduty-integration-key",
            description: `PagerDuty Events API v2 key of "${cfg.pagerDuty.serviceName}"`,
            source: { pagerDutyService: "critical" },
        });
        specs.push({
            name: "pagerduty-integration-key-p1",
            description: `PagerDuty Events API v2 key of "${cfg.pagerDuty.p1ServiceName}"`,
            source: { pagerDutyService: "p1" },
        });
        // A team's own service has a key of its own: other consumers (CI, flow-level hooks) page the team with it.
        for (const o of cfg.owners)
            if (o.pagerDuty)
                specs.push({
                    name: `pagerduty-integration-key-owner-${o.name}`,
                    description: `PagerDuty Events API v2 key of "${o.pagerDuty.service}" (owner ${o.name})`,
                    source: { pagerDutyService: ownerService(o.name) },
                });
    }
    return specs;
}

/** What each route costs in automations: its own ones, and those it shares with other routes (one for the stack). */
export function automationsPerRoute(plan: AlertPlan, routes: string[]): { route: string; own: string[]; shared: string[] }[] {
    return routes.map((route) => {
        const watching = plan.automations.filter((a) => a.routes.includes(route));
        return {
            route,
            own: watching.filter((a) => a.routes.length === 1).map((a) => a.key),
            shared: watching.filter((a) => a.routes.length > 1).map((a) => a.key),
        };
    });
}
