import { kindOf } from "../channels/registry";
import type { StackConfig } from "../config/model";

/**
 * Which of a stack's channels track incidents, and so where a signal's resolves go (SignalContext.resolveChannels):
 * a signal knows its own section, the stack knows its channels' kinds and whether auto-resolve is on.
 */

/**
 * Whether a signal sending to `channels` needs its resolve automations: one of
 * them tracks incidents (PagerDuty: a resolve with the same dedup key closes
 * the incident), and the stack has not turned auto-resolve off.
 */
export function tracksIncidents(cfg: StackConfig, channels: string[]): boolean {
    if (cfg.pagerDuty?.autoResolve === false) return false;
    return channels.some((name) => isIncidentKind(cfg, name));
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

/** Whether channel `name` is of a kind that tracks incidents (PagerDuty): it pages. */
export function isIncidentKind(cfg: StackConfig, name: string): boolean {
    const channel = cfg.channels.find((c) => c.name === name);
    return channel !== undefined && kindOf(channel.spec).tracksIncidents === true;
}
