import { createHash } from "node:crypto";
import type { Mute } from "../config/model";
import { EventTriggerSpec, PROACTIVE_MIN_WITHIN_SECONDS } from "../prefect/vocabulary";
import { compactInstant } from "./quiet";

/**
 * Mutes that end by themselves: one Prefect-side timer per distinct mute end,
 * as data. A timer is an automation that waits for an event nobody emits, so
 * Prefect fires it `within` seconds after it is created (measured on 3.9.1:
 * shared/reference/prefect.md, "Timers and pausing"); it then resumes the
 * muted automations and pauses itself. No `pulumi up` is needed at `until`.
 * Pure: the clock is a parameter.
 */

/** The event a timer waits for and its resource: in the program's own namespace, and never emitted. */
export const MUTE_TIMER_EVENT = "prefect-alerting.mute-timer.never";
export const muteTimerResource = (stack: string) => `prefect-alerting.mute-timer.${stack}`;

export interface MuteTimerPlan {
    /** Pulumi resource name: the until instant and the automations it resumes (see `planMuteTimers`). */
    key: string;
    name: string;
    description: string;
    until: string;
    trigger: EventTriggerSpec;
    /** Keys of the muted automations it resumes (`resume-automation`, source selected, one action each). */
    resumes: string[];
}

/** Seconds from `now` to `until`, at least Prefect's Proactive minimum (it refuses a shorter window). */
export function timerWithin(until: string, now: Date): number {
    return Math.max(PROACTIVE_MIN_WITHIN_SECONDS, Math.ceil((Date.parse(until) - now.getTime()) / 1000));
}

/**
 * One timer per distinct `until` instant among the muted automations. Its name
 * holds the instant and a short hash of the keys it resumes: a new until, or a
 * muted automation more or fewer, is a new timer whose wait is measured from
 * now. An update in place would not do: the provider sends the stored trigger
 * again, Prefect gives it a new id, and its wait starts over from the update
 * (measured on 3.9.1: a PUT 20 s after creating a 40 s timer moved its firing
 * from +45 s to +65 s). So nothing that may change during a mute (a reason) is
 * in the timer's name or description.
 */
export function planMuteTimers(
    automations: readonly { key: string; enabled: boolean; mute?: Mute }[],
    stack: string,
    now: Date,
): MuteTimerPlan[] {
    const byInstant = new Map<number, { until: string; keys: string[] }>();
    for (const a of automations) {
        if (a.enabled || !a.mute) continue;
        const at = Date.parse(a.mute.until);
        const group = byInstant.get(at) ?? { until: a.mute.until, keys: [] };
        group.keys.push(a.key);
        byInstant.set(at, group);
    }
    return [...byInstant.entries()]
        .sort(([a], [b]) => a - b)
        .map(([at, g]) => {
            const keys = [...g.keys].sort();
            // In UTC, so the same instant written with another offset names and describes the timer the same way.
            const instant = new Date(at).toISOString().replace(/\.000Z$/, "Z");
            const hash = createHash("sha256").update(keys.join("\n")).digest("hex").slice(0, 8);
            return {
                key: `mute-timer-${compactInstant(g.until)}-${hash}`,
                name: `[${stack}] Mute ends ${instant}`,
                // No reason here (the muted automations carry it): editing a reason must not update the timer (see above).
                description:
                    `Ends the mute of ${keys.join(", ")} at ${instant}: resumes them, then pauses itself. ` +
                    `It notifies nobody; it waits for ${MUTE_TIMER_EVENT}, which is never emitted.`,
                until: g.until,
                trigger: {
                    posture: "Proactive",
                    match: { "prefect.resource.id": muteTimerResource(stack) },
                    match_related: {},
                    after: [],
                    expect: [MUTE_TIMER_EVENT],
                    for_each: [],
                    threshold: 1,
                    within: timerWithin(g.until, now),
                },
                resumes: keys,
            };
        });
}
