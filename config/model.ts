import type { z } from "zod";
import type { ChannelSpec } from "../channels/registry";
import type { SecretKey } from "../channels/kind";
import type { MaintenanceService, MuteSettings } from "./operations";
import type { Owner, Route, Severity } from "../alert/model";
import type { SignalSettings } from "../signals/signal";
import type { environmentSchema, pagerDutySchema } from "./schema";
import type { Calibration } from "./thresholds";

/**
 * The validated stack, as the rules and components see it. Every field's type
 * and default comes from the zod schema (config/schema.ts); this module only
 * says how the parsed settings are resolved: route and channel references
 * filled in, windows in seconds, PagerDuty names qualified by the stack.
 */

export type { ChannelSpec, Owner, Route, SecretKey, Severity };
type Out<S extends z.ZodType> = z.output<S>;

export interface Channel {
    name: string;
    spec: ChannelSpec;
}

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
    /** Only the channels some enabled section sends to. */
    channels: Channel[];
    routes: Route[];
    /** Teams owning runs by `owner:<team>` tags, in config order; their alerts go to their channels (alert/owners.ts). */
    owners: Owner[];
    /** The owner whose channels and runbook take the alerts of the stack's routes (runs with no known owner tag). */
    defaultOwner?: string;
    /** `runbooks.deployments`: runbook URLs by "<flow>/<deployment>" or "<deployment>", chosen at render time (alert/runbook.ts). */
    deploymentRunbooks: Record<string, string>;
    /**
     * Each signal's section (signals/*.ts `settings`: warning, critical, p1, lateRuns, ...), parsed by its schema and
     * resolved, by config key. Typed where it is read: a signal gets its own as `S`, others read one with `sectionOf`.
     */
    signals: Record<string, unknown>;
    pagerDuty?: PagerDutyConfig;
    secretsManager?: { prefix: string; recoveryWindowInDays: number };
    /** PagerDuty maintenance windows (none unless pagerDuty is enabled); each checked against the clock. */
    maintenance: MaintenanceWindow[];
    /** Muted routes by name, each until a date-time still ahead of `now`. */
    mutes: Record<string, Mute>;
    /** Mutes whose until has passed: their routes alert again; the preview says to remove them from the stack file. */
    endedMutes: Record<string, Mute>;
    /** What `npm run calibrate` measured (thresholds/<stack>.json): calibrated deployments, and those on fixed values. */
    calibration: Calibration;
    /** The clock the stack was judged by (RawConfig.now, else the real one): mutes, windows, mute timers' waits. */
    now: Date;
    /** `uiUrl`: the Prefect UI's base for links in messages (alert/links.ts). */
    prefect: { endpoint?: string; cloud: boolean; uiUrl: string };
    /** Secret config keys (project namespace or provider) the program reads. */
    secrets: SecretKey[];
}

/** A signal section's value as its signals see it (`S`), e.g. `sectionOf(cfg, criticalSettings).windowSeconds`. */
export function sectionOf<S>(cfg: Pick<StackConfig, "signals">, settings: SignalSettings<any, S>): S {
    return cfg.signals[settings.key] as S;
}
