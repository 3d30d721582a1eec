import type { AutomationDraft, EventTriggerSpec, IncidentSeverity, Message, Severity } from "./model";

/**
 * Incident keys and resolves (the model: alert/model.ts Incident). A key is a Jinja template the server renders
 * from the triggering event; the trigger side and the resolve side use the same function, so the two keys are
 * byte-identical (a resolve with another key would leave the incident open).
 */

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
 * The automation that resolves what `alert` opened: the clearing event's
 * trigger, the same dedup key, and the short "recovered" message, sent to
 * `channels` (SignalContext.resolveChannels: incident-tracking ones, chat only on opt-in).
 */
export function resolving<A extends AutomationDraft>(
    alert: A,
    change: { trigger: EventTriggerSpec; message: Message; description: string; channels: string[] },
): A {
    if (!alert.incident) throw new Error(`${alert.key} opens no incident to resolve`);
    return {
        ...alert,
        ...change,
        key: `${alert.key}-resolve`,
        name: `${alert.name} (resolve)`,
        incident: { ...alert.incident, action: "resolve" },
    };
}

/**
 * A resolve that its alert arms (AutomationSpec.armedBy): created disabled, enabled by the alert when it fires,
 * disabled by itself once it fired. For silences without `for_each` (the P1 silence, stale data), where Prefect has
 * no bucket that ties the clearing event to the alert: only the first clearing event after an alert sends anything.
 */
export function armedResolve<A extends AutomationDraft>(
    alert: A,
    change: { trigger: EventTriggerSpec; message: Message; description: string; channels: string[] },
): A {
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
