import type { z } from "zod";
import type { Route, Severity, StackConfig } from "../config/model";
import type { EventTriggerSpec } from "../prefect/vocabulary";
import type { Incident } from "../rules/incidents";
import type { Message } from "../rules/messages";

/**
 * One alert signal (final failure, repeated failure, work pool not ready, all
 * pipelines down, success notice, ...) as a record: which config turns it on,
 * its severity, and how it becomes automations (trigger and message built by
 * the rules). The table (signals/table.ts) lists them; one component per
 * severity turns any list of planned automations into Prefect automations.
 */
export interface Signal {
    id: string;
    /** The config section that enables and tunes it (README's config table). */
    configKey: string;
    /** Which component owns its automations: WarningTier, CriticalTier, P1Tier, or InfoNotices. */
    severity: Severity;
    /** What it means, for the README. */
    summary: string;
    /** It watches the other automations (alerts about alerting): planned after them, it sees them in its context. */
    watchesAutomations?: boolean;
    /** Its own config section, when none of the tiers' sections (warning, critical, p1) tunes it. */
    settings?: SignalSettings;
    automations(cfg: StackConfig, ctx: SignalContext): AutomationSpec[];
}

/**
 * A signal's own config section: the schema (defaults included) joins the
 * project's (config/schema.ts), the channels and routes it names are checked
 * like a tier's, and its parsed value reaches the signal as `cfg.signals[key]`.
 */
export interface SignalSettings {
    key: string;
    schema: z.ZodType;
    /**
     * Whether it is on, and the channels and routes it names (routes: every route when undefined). `channels` is
     * every channel it sends to (blocks are made for them); a section that names channels in more than one place
     * (per entry, per severity) also lists each place in `channelsAt`, so a bad name is reported where it is written.
     */
    refs(value: any): {
        enabled: boolean;
        channels?: string[];
        routes?: string[];
        channelsAt?: { path: (string | number)[]; names: string[] }[];
    };
    /**
     * Its own cross-check, the first problem (path inside the section, and what was expected). `sendsTo`: the
     * channels each enabled section of the stack sends to, by config key (config/schema.ts channelsBySection).
     */
    problem?(
        value: any,
        all: Record<string, any>,
        sendsTo: Record<string, string[]>,
    ): { path: (string | number)[]; expected: string } | undefined;
    /** It sends pings to a heartbeat monitor: it names only ping-only channel kinds, and no other section names those. */
    pings?: boolean;
    /** Prefect Cloud only: what a self-hosted stack (prefect:endpoint not Cloud) that uses it is told instead; undefined when unused. */
    needsCloud?(value: any): string | undefined;
}

/**
 * The refs of a section that is on or off, names its channels and optionally the routes it watches: off, it sends
 * nowhere (its channels get no block).
 */
export function toggledSectionRefs(s: { enabled: boolean; channels?: string[]; routes?: string[] }): ReturnType<SignalSettings["refs"]> {
    return { enabled: s.enabled, channels: s.enabled ? s.channels : [], routes: s.routes };
}

/** The automations of a signal planned per route it watches: the routes its section names, or every route of the stack. */
export function perWatchedRoute(
    cfg: StackConfig,
    routes: string[] | undefined,
    ctx: SignalContext,
    each: (name: string, route: Route) => AutomationSpec[],
): AutomationSpec[] {
    return (routes ?? cfg.routes.map((r) => r.name)).flatMap((name) => each(name, ctx.route(name)));
}

export interface SignalContext {
    route(name: string): Route;
    /** `[<stack>] <name>`: automation names say which stack they belong to (stacks may share a workspace). */
    label(name: string): string;
    /** For signals about the alerting itself (`watchesAutomations`): every other automation of the stack. */
    automations?: AutomationSpec[];
}

/** One automation to create, as plain data. */
export interface AutomationSpec {
    /** Pulumi resource name, stable across runs. */
    key: string;
    tier: Severity;
    /** The signal it comes from. */
    signal: string;
    name: string;
    description: string;
    trigger: EventTriggerSpec;
    /** Channels (blocks) notified when it fires, in order. */
    channels: string[];
    message: Message;
    /** The routes it watches (for the preview's per-route count); empty when it watches no route (work pools, named flows). */
    routes: string[];
    /**
     * The PagerDuty incident it opens (`action: "trigger"`) or resolves
     * (`action: "resolve"`, an automation on the clearing event), keyed by a
     * rules/incidents.ts key template. Channels that track incidents use it;
     * a resolve automation's message is the short "recovered" notice.
     */
    incident?: Incident;
    /**
     * An armed resolve: created disabled; the alert with this key enables it when it fires (a `resume-automation`
     * action), and it disables itself once it has fired (`pause-automation`, source inferred, in
     * `actions_on_trigger`). For a stack-wide silence, where no `for_each` bucket can tie the clearing event to the
     * alert: its first clearing event after an alert resolves, and no other does.
     */
    armedBy?: string;
}
