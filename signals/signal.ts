import type { z } from "zod";
import type { AutomationDraft, AutomationSpec, Owner, Route, Severity, SlaPlan } from "../alert/model";
import type { Calibration } from "../alert/calibration";

/**
 * One alert signal (final failure, repeated failure, work pool not ready, late runs, ...) in one module: its config
 * section (schema, defaults, checks), its triggers, messages, incident keys and resolves. It sees only its own
 * parsed section (typed, `S`) and a small context, never the whole stack config. The table (signals/table.ts) lists
 * the modules and stamps each one's id; config/schema.ts joins their sections to the project's; rules/plan.ts
 * runs them; one component per severity turns the planned automations into Prefect automations.
 */
export interface SignalModule<S = any> {
    /** Which component owns its automations: WarningTier, CriticalTier, P1Tier, or InfoNotices. */
    severity: Severity;
    /** What it means, for the config reference (docs/configuration.md, generated). */
    summary: string;
    /** It watches the other automations (alerts about alerting): planned after them, it sees them in its context. */
    watchesAutomations?: boolean;
    /** The config section that enables and tunes it; two signals may share one (p1: signals/p1.ts). */
    settings: SignalSettings<any, S>;
    /** Its automations, the signal id left out: the table stamps it. */
    automations(settings: S, ctx: SignalContext): AutomationDraft[];
    /** Prefect Cloud SLA resources it creates besides its automations (signals/sla.ts). */
    slas?(settings: S, ctx: SignalContext): SlaPlan[];
}

/** A signal as the table lists it: its module, its id (its name in the table) and config key stamped on. */
export interface Signal<S = any> extends SignalModule<S> {
    id: string;
    /** The config section that enables and tunes it (docs/configuration.md): `settings.key`. */
    configKey: string;
    automations(settings: S, ctx: SignalContext): AutomationSpec[];
}

/**
 * A signal's config section: the schema (defaults included) joins the project's (config/schema.ts), the channels
 * and routes it names are checked like every section's, and its value, parsed (`P`) then resolved (`S`, e.g.
 * minutes as seconds, every route when none is named), reaches the signal.
 */
export interface SignalSettings<P = any, S = P> {
    key: string;
    schema: z.ZodType<P>;
    /** The parsed value as the signal uses it; the parsed value itself when absent. */
    resolve?(value: P, stack: { routes: string[] }): S;
    /**
     * Whether it is on, and the channels and routes it names (routes: every route when undefined). `channels` is
     * every channel it sends to (blocks are made for them); a section that names channels in more than one place
     * (per entry, per severity) also lists each place in `channelsAt`, so a bad name is reported where it is written.
     * `routesFirst`: a bad route is reported before a missing channel (the tiers' order since the seed).
     */
    refs(value: P): {
        enabled: boolean;
        channels?: string[];
        routes?: string[];
        channelsAt?: { path: (string | number)[]; names: string[] }[];
        routesFirst?: boolean;
    };
    /**
     * Its own cross-check, the first problem (path inside the section, and what was expected). `sendsTo`: the
     * channels each enabled section of the stack sends to, by config key (config/schema.ts channelsBySection).
     */
    problem?(
        value: P,
        all: Record<string, any>,
        sendsTo: Record<string, string[]>,
    ): { path: (string | number)[]; expected: string } | undefined;
    /** It sends pings to a heartbeat monitor: it names only ping-only channel kinds, and no other section names those. */
    pings?: boolean;
    /** Prefect Cloud only: what a self-hosted stack (prefect:endpoint not Cloud) that uses it is told instead; undefined when unused. */
    needsCloud?(value: P): string | undefined;
}

/** A section's settings, its parsed type `P` inferred from its schema alone (and `S` from `resolve`). */
export const section = <P, S = P>(s: { schema: z.ZodType<P> } & Omit<SignalSettings<NoInfer<P>, S>, "schema">): SignalSettings<P, S> => s;

/** The value a section's signals get. */
export type SettingsOf<T> = T extends SignalSettings<any, infer S> ? S : never;

/**
 * The refs of a section that is on or off, names its channels and optionally the routes it watches: off, it sends
 * nowhere (its channels get no block).
 */
export function toggledSectionRefs(s: { enabled: boolean; channels?: string[]; routes?: string[] }): ReturnType<SignalSettings["refs"]> {
    return { enabled: s.enabled, channels: s.enabled ? s.channels : [], routes: s.routes };
}

/** The routes a section watches when on: the ones it names, or every route of the stack; none when off. */
export const watchedRoutes = (s: { enabled: boolean; routes?: string[] }, stack: { routes: string[] }): string[] =>
    s.enabled ? (s.routes ?? stack.routes) : [];

/** The automations of a signal planned per route it watches: the routes its section names, or every route of the stack. */
export function perWatchedRoute(
    routes: string[] | undefined,
    ctx: SignalContext,
    each: (name: string, route: Route) => AutomationDraft[],
): AutomationDraft[] {
    return (routes ?? ctx.routes).flatMap((name) => each(name, ctx.route(name)));
}

/** What a signal may know of the stack besides its own section. */
export interface SignalContext {
    stack: string;
    /** Every route of the stack, by name, in config order. */
    routes: string[];
    route(name: string): Route;
    /** `[<stack>] <name>`: automation names say which stack they belong to (stacks may share a workspace). */
    label(name: string): string;
    /**
     * Where a resolve of an alert sent to `channels` goes: the incident-tracking ones (PagerDuty; none when the stack
     * turned auto-resolve off), chat too only with `recoveredNotice` (rules/incidents.ts). Empty: plan no resolve.
     */
    resolveChannels(channels: string[], recoveredNotice: boolean): string[];
    /** Teams owning runs by `owner:<team>` tags (config order); signals that route by owner plan one automation per team. */
    owners: Owner[];
    /**
     * Where an alert goes that a section would send to `channels`: for `owner`'s runs its chat channels plus the
     * section's paging ones; `owner` undefined: the default owner's the same way, or `channels` when there is none.
     */
    sendTo(channels: string[], owner?: Owner): string[];
    /** The incident-tracking channels among `channels`. */
    incidentChannels(channels: string[]): string[];
    /** Another section's value, as its signals see it (a warning says whether the critical tier watches the same runs). */
    settings<S>(section: SignalSettings<any, S>): S;
    /** What `npm run calibrate` measured of the stack's deployments (thresholds/<stack>.json; none without the file). */
    calibration: Calibration;
    /** For signals about the alerting itself (`watchesAutomations`): every other automation of the stack. */
    automations?: AutomationSpec[];
}
