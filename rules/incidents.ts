import { kindOf } from "../channels/registry";
import type { Severity, StackConfig } from "../config/model";
import type { EventTriggerSpec } from "../prefect/vocabulary";
import type { AutomationSpec } from "../signals/signal";
import type { Message } from "./messages";

/**
 * The incident lifecycle as data: which PagerDuty incident (Events API v2
 * `dedup_key`) an automation opens or resolves. A key is a Jinja template the
 * server renders from the triggering event; the trigger side and the resolve
 * side use the same function, so the two keys are byte-identical (a resolve
 * with another key would leave the incident open).
 */
export type IncidentSeverity = "critical" | "error" | "warning" | "info";

export interface Incident {
    /** Jinja template of the dedup key. */
    dedupKey: string;
    action: "trigger" | "resolve";
    severity: IncidentSeverity;
}

const prefix = (stack: string) => `prefect/${stack}`;

/** One incident per failing flow: a 4th and 5th failure add alerts to it; the flow's next Completed run resolves it. */
export const flowIncidentKey = (stack: string) => `${prefix(stack)}/flow/{{ flow.id }}`;
/** One incident per work pool: not-ready opens it, ready resolves it. */
export const workPoolIncidentKey = (stack: string) => `${prefix(stack)}/work-pool/{{ work_pool.id }}`;
/** One incident per deployment (late runs, not-ready, stale data). */
export const deploymentIncidentKey = (stack: string) => `${prefix(stack)}/deployment/{{ deployment.id }}`;
/** One incident per work queue: not-ready opens it, ready resolves it. */
export const workQueueIncidentKey = (stack: string) => `${prefix(stack)}/work-queue/{{ work_queue.id }}`;
/** One incident per flow run (a stuck run); its terminal state resolves it. */
export const flowRunIncidentKey = (stack: string) => `${prefix(stack)}/flow-run/{{ flow_run.id }}`;
/**
 * One incident for a silence that has no resource to name (a Proactive trigger
 * without for_each fires with no flow run loaded): a fixed key per stack and
 * what fell silent, so a second silent window adds to the same incident.
 */
export const silenceIncidentKey = (stack: string, what: string) => `${prefix(stack)}/silence/${what}`;

/** PagerDuty severity for a tier: P1 and critical page as critical. */
export function incidentSeverity(tier: Severity): IncidentSeverity {
    return tier === "warning" ? "warning" : tier === "info" ? "info" : "critical";
}

/**
 * Whether a signal sending to `channels` needs its resolve automations: one of
 * them tracks incidents (PagerDuty: a resolve with the same dedup key closes
 * the incident), and the stack has not turned auto-resolve off.
 */
export function tracksIncidents(cfg: StackConfig, channels: string[]): boolean {
    if (cfg.pagerDuty?.autoResolve === false) return false;
    return channels.some((name) => {
        const channel = cfg.channels.find((c) => c.name === name);
        return channel !== undefined && kindOf(channel.spec).tracksIncidents === true;
    });
}

/**
 * The automation that resolves what `alert` opened: the clearing event's
 * trigger, the same dedup key, and the short "recovered" message, sent to
 * `channels` (resolveChannels: incident-tracking ones, chat only on opt-in).
 */
export function resolving(
    alert: AutomationSpec,
    change: { trigger: EventTriggerSpec; message: Message; description: string; channels: string[] },
): AutomationSpec {
    if (!alert.incident) throw new Error(`${alert.key} opens no incident to resolve`);
    return {
        ...alert,
        ...change,
        key: `${alert.key}-resolve`,
        name: `${alert.name} (resolve)`,
        incident: { ...alert.incident, action: "resolve" },
    };
}

/** The channels of `names` that track incidents (where a resolve means something on its own). */
export function incidentChannels(cfg: StackConfig, names: string[]): string[] {
    return names.filter((name) => tracksIncidents(cfg, [name]));
}

/**
 * Where a signal's resolve goes: its incident-tracking channels (PagerDuty closes the incident with the same dedup
 * key; a key it never opened changes nothing there), and its other channels (chat) only when the section opts in
 * with `recoveredNotice`. Off by default: a chat channel must not read "Recovered" for something it was never told
 * (Prefect cannot always know whether the alert went out; each signal's trigger says how close it gets).
 * Empty: no resolve automation.
 */
export function resolveChannels(cfg: StackConfig, channels: string[], recoveredNotice: boolean): string[] {
    const tracking = incidentChannels(cfg, channels);
    if (!recoveredNotice) return tracking;
    return channels.filter((name) => tracking.includes(name) || !isIncidentKind(cfg, name));
}

function isIncidentKind(cfg: StackConfig, name: string): boolean {
    const channel = cfg.channels.find((c) => c.name === name);
    return channel !== undefined && kindOf(channel.spec).tracksIncidents === true;
}

/**
 * A resolve that its alert arms (AutomationSpec.armedBy): created disabled, enabled by the alert when it fires,
 * disabled by itself once it fired. For silences without `for_each` (the P1 silence, stale data), where Prefect has
 * no bucket that ties the clearing event to the alert: only the first clearing event after an alert sends anything.
 */
export function armedResolve(
    alert: AutomationSpec,
    change: { trigger: EventTriggerSpec; message: Message; description: string; channels: string[] },
): AutomationSpec {
    return {
        ...resolving(alert, {
            ...change,
            description: `${ARMED_PREFIX}"${alert.name}" when it fires; turns itself off once it fired. ${change.description}`,
        }),
        armedBy: alert.key,
    };
}

/** How an armed resolve's description starts: the policy pack reads it (a disabled automation that is not forgotten). */
export const ARMED_PREFIX = "Armed by ";
