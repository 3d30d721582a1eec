import type { z } from "zod";
import type { ChannelSpec } from "../channels/registry";
import type { SecretKey } from "../channels/kind";
import type { MaintenanceService, MuteSettings } from "./operations";
import type { criticalSchema, environmentSchema, p1Schema, pagerDutySchema, routeSchema, warningSchema } from "./schema";

/**
 * The validated stack, as the rules and components see it. Every field's type
 * and default comes from the zod schema (config/schema.ts); this module only
 * says how the parsed settings are resolved: route and channel references
 * filled in, windows in seconds, PagerDuty names qualified by the stack.
 */

export type { ChannelSpec, SecretKey };
type Out<S extends z.ZodType> = z.output<S>;

export interface Channel {
    name: string;
    spec: ChannelSpec;
}

export type Route = { name: string } & { [K in keyof Out<typeof routeSchema>]-?: NonNullable<Out<typeof routeSchema>[K]> };

/** Severity of an alert: which named component owns its automations (WarningTier, CriticalTier, P1Tier) or an info notice. */
export type Severity = "warning" | "critical" | "p1" | "info";

/** A tier's `routes` and `channels` resolved: every route when none are named; channels as named (required when enabled). */
type Resolved<T> = Omit<T, "routes" | "channels"> & { routes: string[]; channels: string[] };

export type WarningConfig = Resolved<Out<typeof warningSchema>>;
export type CriticalConfig = Omit<Resolved<Out<typeof criticalSchema>>, "windowHours"> & { windowSeconds: number };
export type P1Config = Omit<Resolved<Out<typeof p1Schema>>, "noSuccessMinutes"> & { noSuccessSeconds?: number };

type PagerDutySettings = Out<typeof pagerDutySchema>;
export type PagerDutyUser = string;
/** PagerDuty as configured when enabled: the required parts present, names qualified by the stack. */
export type PagerDutyConfig = Omit<PagerDutySettings, "enabled" | "schedule" | "teamLead" | "manager"> & {
    schedule: NonNullable<PagerDutySettings["schedule"]>;
    teamLead: PagerDutyUser;
    manager: PagerDutyUser;
};

/** A PagerDuty maintenance window as configured: times as written (ISO 8601 with offset), services resolved. */
export interface MaintenanceWindow {
    start: string;
    end: string;
    description: string;
    services: MaintenanceService[];
}

/** A muted route: its automations are created disabled, and say so, until this date-time, when a timer in Prefect enables them. */
export type Mute = MuteSettings;

export interface StackConfig {
    project: string;
    stack: string;
    environment: Out<typeof environmentSchema>;
    /** Only the channels some enabled tier sends to. */
    channels: Channel[];
    routes: Route[];
    warning: WarningConfig;
    /** Each signal's own section (signals/*.ts `settings`), parsed by its schema, by config key. */
    signals: Record<string, unknown>;
    critical: CriticalConfig;
    p1: P1Config;
    pagerDuty?: PagerDutyConfig;
    secretsManager?: { prefix: string; recoveryWindowInDays: number };
    /** PagerDuty maintenance windows (none unless pagerDuty is enabled); each checked against the clock. */
    maintenance: MaintenanceWindow[];
    /** Muted routes by name, each until a date-time still ahead of `now`. */
    mutes: Record<string, Mute>;
    /** Mutes whose until has passed: their routes alert again; the preview says to remove them from the stack file. */
    endedMutes: Record<string, Mute>;
    /** The clock the stack was judged by (RawConfig.now, else the real one): mutes, windows, mute timers' waits. */
    now: Date;
    /** `uiUrl`: the Prefect UI's base for links in messages (rules/links.ts). */
    prefect: { endpoint?: string; cloud: boolean; uiUrl: string };
    /** Secret config keys (project namespace or provider) the program reads. */
    secrets: SecretKey[];
}
