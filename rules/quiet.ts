import type { MaintenanceWindow, Mute } from "../config/model";
import type { MaintenanceService } from "../config/operations";

/**
 * Planned quiet as data: PagerDuty maintenance windows (no incidents on the
 * chosen services while one is on) and muted routes (their automations are
 * created disabled, and say until when and why; a timer in Prefect enables them
 * at that time, rules/muteTimers.ts). Pure; the clock is a parameter.
 */

export interface MaintenanceWindowPlan {
    /** Pulumi resource name from the window's times, so reordering the list replaces nothing and a new time is a new window. */
    key: string;
    description: string;
    startTime: string;
    endTime: string;
    services: MaintenanceService[];
}

/** "2026-05-01T22:00:00+02:00" -> "20260501T200000Z": the instant, in a resource-name-safe form. */
export const compactInstant = (iso: string) =>
    new Date(iso)
        .toISOString()
        .replace(/\.\d+Z$/, "Z")
        .replace(/[-:]/g, "");

export function planMaintenanceWindows(windows: MaintenanceWindow[]): MaintenanceWindowPlan[] {
    return windows.map((w) => ({
        key: `maintenance-${compactInstant(w.start)}-${compactInstant(w.end)}`,
        description: w.description,
        startTime: w.start,
        endTime: w.end,
        services: w.services,
    }));
}

export type WindowState = "active" | "upcoming" | "ended";

export function windowState(w: { startTime: string; endTime: string }, now: Date): WindowState {
    const t = now.getTime();
    if (Date.parse(w.endTime) <= t) return "ended";
    return Date.parse(w.startTime) <= t ? "active" : "upcoming";
}

/** "2 d 3 h", "3 h 5 min", "12 min": how far away an instant is, for the preview. */
export function duration(ms: number): string {
    const minutes = Math.max(0, Math.round(ms / 60_000));
    const d = Math.floor(minutes / 1440);
    const h = Math.floor((minutes % 1440) / 60);
    const m = minutes % 60;
    if (d) return h ? `${d} d ${h} h` : `${d} d`;
    if (h) return m ? `${h} h ${m} min` : `${h} h`;
    return `${m} min`;
}

/** One line per window: when, on which services, and whether it is on now or coming. */
export function describeWindow(w: { description: string; startTime: string; endTime: string }, serviceNames: string[], now: Date): string {
    const state = windowState(w, now);
    const when =
        state === "active"
            ? `ACTIVE now, ends in ${duration(Date.parse(w.endTime) - now.getTime())}`
            : state === "upcoming"
              ? `upcoming, starts in ${duration(Date.parse(w.startTime) - now.getTime())}`
              : "ended";
    return (
        `"${w.description}": ${w.startTime} to ${w.endTime} ` +
        `(${duration(Date.parse(w.endTime) - Date.parse(w.startTime))}) on ${serviceNames.map((n) => `"${n}"`).join(", ")}: ${when}`
    );
}

/**
 * Whether an automation watching these routes is muted, and until when: only
 * when it watches at least one route and every one of them is muted (a shared
 * automation, such as the stack's one P1 silence, keeps alerting for the routes
 * that are not muted). Until the earliest of its routes' mutes; their reasons.
 */
export function muteOf(routes: string[], mutes: Readonly<Record<string, Mute>>): Mute | undefined {
    if (!routes.length || !routes.every((r) => mutes[r] !== undefined)) return undefined;
    const own = routes.map((r) => mutes[r]).sort((a, b) => Date.parse(a.until) - Date.parse(b.until));
    return { until: own[0].until, reason: [...new Set(own.map((m) => m.reason.trim()))].join("; ") };
}

/** What a muted automation's description starts with; the policy pack looks for "Muted until <date-time>". */
export function mutedDescription(description: string, mute: Mute): string {
    return `Muted until ${mute.until}: ${mute.reason.replace(/[.\s]+$/, "")}. ${description}`;
}
