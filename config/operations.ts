import { z } from "zod";
import { nonEmptyText, range, routeName, uniqueList } from "../alert/fields";

/**
 * Planned quiet: PagerDuty maintenance windows (`maintenance`, bounded by
 * `maintenanceMaxHours`) and muted routes (`mute`, bounded in production by
 * `muteMaxDays`). Their shapes are checked by zod like every other key; whether
 * a window or a mute is still current depends on the clock, so
 * `operationsProblem` and `splitMutes` take `now` (the program passes the real
 * clock, tests a fixed one).
 */

export const DATE_TIME_FORM = 'an ISO 8601 date-time with offset such as "2026-05-01T22:00:00Z"';
/** Maintenance windows longer than this many hours are refused unless maintenanceMaxHours says otherwise. */
export const DEFAULT_MAINTENANCE_MAX_HOURS = 24;
/** In a production stack, mutes ending further ahead than this many days are refused unless muteMaxDays says otherwise. */
export const DEFAULT_MUTE_MAX_DAYS = 7;
export const MAINTENANCE_SERVICES = ["critical", "p1"] as const;
export type MaintenanceService = (typeof MAINTENANCE_SERVICES)[number];

/** "2026-02-30" would roll over to March: a date-time must name a real calendar day. */
function isDateTime(s: string): boolean {
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(s) || Number.isNaN(Date.parse(s))) return false;
    const ymd = s.slice(0, 10);
    return new Date(Date.parse(`${ymd}T00:00:00Z`)).toISOString().slice(0, 10) === ymd;
}

const dateTime = (what: string) => {
    const error = `${what}: ${DATE_TIME_FORM}`;
    return z.string({ error }).refine(isDateTime, { error }).meta({ form: "ISO 8601 date-time with offset" });
};

export const maintenanceWindowSchema = z
    .strictObject({
        start: dateTime("the window's start").describe("When the window starts."),
        end: dateTime("the window's end").describe("When it ends, after start."),
        description: nonEmptyText("a description of the maintenance (PagerDuty shows it on the window)").describe(
            "PagerDuty shows it on the window.",
        ),
        /** The PagerDuty services it silences; both when left out. */
        services: uniqueList(z.enum(MAINTENANCE_SERVICES, { error: '"critical" or "p1"' }), 'PagerDuty services ("critical", "p1")')
            .min(1, { error: 'at least one PagerDuty service ("critical", "p1"), or no services key for both' })
            .optional()
            .describe("The services it silences; unset: both."),
    })
    .refine((w) => Date.parse(w.end) > Date.parse(w.start), { path: ["end"], error: "an end after the window's start" });

export const maintenanceSchema = z
    .array(maintenanceWindowSchema, { error: "a list of maintenance windows, each {start, end, description, services?}" })
    .default([])
    .describe(
        "PagerDuty maintenance windows: no incidents on the chosen services while one is on. Needs pagerDuty.enabled. Refused: a window " +
            "that has ended, one that ends before it starts, one longer than maintenanceMaxHours, two with the same start and end.",
    );

export const maintenanceMaxHoursSchema = range(1, 720, "a number of hours from 1 to 720", false)
    .default(DEFAULT_MAINTENANCE_MAX_HOURS)
    .describe("The longest maintenance window accepted (a long window is usually a forgotten one).");

export const muteMaxDaysSchema = range(1, 365, "a number of days from 1 to 365", false)
    .default(DEFAULT_MUTE_MAX_DAYS)
    .describe("In a production stack, a mute whose until is further ahead than this is refused.");

export const muteEntrySchema = z.strictObject({
    // Required: a mute without an end is forgotten, and a forgotten mute is an outage nobody hears about.
    until: dateTime("when the mute ends (required, so that a mute is never forgotten)").describe(
        "When the mute ends, by itself (a timer automation in Prefect enables the muted automations). A passed until ends the mute.",
    ),
    reason: nonEmptyText("the reason for the mute (shown in the automations' descriptions)").describe(
        "Shown in the muted automations' descriptions.",
    ),
});

export const muteSchema = z
    .record(routeName, muteEntrySchema, { error: "a map of route name to {until, reason}" })
    .default({} as Record<string, z.output<typeof muteEntrySchema>>)
    .describe(
        "Muted routes: every automation whose routes are all muted is created disabled; resolves stay on, so an incident opened " +
            "before the mute still closes. In production a disabled automation needs a dated mute (policy).",
    );

export type MaintenanceWindowSettings = z.output<typeof maintenanceWindowSchema>;
export type MuteSettings = z.output<typeof muteEntrySchema>;

/** The parts of the settings these checks read. */
export interface OperationsSettings {
    maintenance: MaintenanceWindowSettings[];
    maintenanceMaxHours: number;
    mute: Record<string, MuteSettings>;
    muteMaxDays: number;
    environment: string;
    pagerDutyEnabled: boolean;
    routeNames: string[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const hours = (ms: number) => `${Math.round((ms / HOUR) * 10) / 10} h`;
const days = (ms: number) => `${Math.round((ms / DAY) * 10) / 10} d`;

/**
 * The first problem with the maintenance windows and mutes at `now` (pure):
 * a window that has ended or is too long, maintenance without PagerDuty,
 * two windows with the same times, a mute of an unknown route, and in
 * production a mute that ends more than muteMaxDays ahead. A mute whose until
 * has passed is no problem: it has ended (`splitMutes`), so a scheduled
 * `pulumi up` after it still succeeds. The path is inside the project namespace, as for the schema's issues.
 */
export function operationsProblem(s: OperationsSettings, now: Date): { path: (string | number)[]; expected: string } | undefined {
    if (s.maintenance.length && !s.pagerDutyEnabled)
        return {
            path: ["maintenance"],
            expected:
                "no maintenance windows while pagerDuty.enabled is false (a window silences the stack's PagerDuty services; " +
                "to silence Prefect's own alerts of a route, mute it: mute.<route>.until and .reason)",
        };
    const seen = new Map<string, number>();
    for (const [i, w] of s.maintenance.entries()) {
        const start = Date.parse(w.start);
        const end = Date.parse(w.end);
        if (end <= now.getTime())
            return {
                path: ["maintenance", i, "end"],
                expected:
                    `a window that has not ended yet (it ended at ${w.end}, before now, ${now.toISOString()}); ` +
                    `remove it from maintenance`,
            };
        if (end - start > s.maintenanceMaxHours * HOUR)
            return {
                path: ["maintenance", i, "end"],
                expected:
                    `an end at most maintenanceMaxHours (${s.maintenanceMaxHours} h) after the start ` +
                    `(this window lasts ${hours(end - start)}); shorten or split it, or raise maintenanceMaxHours`,
            };
        const times = `${start}/${end}`;
        const other = seen.get(times);
        if (other !== undefined)
            return {
                path: ["maintenance", i],
                expected: `a window whose start and end differ from maintenance[${other}]'s (list both services in one window)`,
            };
        seen.set(times, i);
    }
    for (const [route, m] of Object.entries(s.mute)) {
        if (!s.routeNames.includes(route))
            return { path: ["mute", route], expected: `one of the routes defined under routes (${s.routeNames.join(", ")})` };
        const ahead = Date.parse(m.until) - now.getTime();
        if (s.environment === "production" && ahead > s.muteMaxDays * DAY)
            return {
                path: ["mute", route, "until"],
                expected:
                    `an until at most muteMaxDays (${s.muteMaxDays} d) from now in a production stack ` +
                    `(this mute ends at ${m.until}, ${days(ahead)} from now, ${now.toISOString()}); ` +
                    `a mute that long is usually forgotten: shorten it, or raise muteMaxDays`,
            };
    }
}

/** Mutes still on at `now`, and those whose until has passed (their routes alert again; the preview says to remove them). */
export function splitMutes(
    mutes: Readonly<Record<string, MuteSettings>>,
    now: Date,
): { active: Record<string, MuteSettings>; ended: Record<string, MuteSettings> } {
    const entries = Object.entries(mutes);
    const isOn = (m: MuteSettings) => Date.parse(m.until) > now.getTime();
    return {
        active: Object.fromEntries(entries.filter(([, m]) => isOn(m))),
        ended: Object.fromEntries(entries.filter(([, m]) => !isOn(m))),
    };
}
