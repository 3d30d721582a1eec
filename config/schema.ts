import { z } from "zod";
import { channelSchema, kindOf } from "../channels/registry";
import {
    NAME_RULE,
    bool,
    channelName,
    fromText,
    nonEmptyText,
    pagerDutyUser,
    prefectName,
    range,
    routeName,
    uniqueList,
} from "../alert/fields";
import { SECTIONS } from "../signals/table";
import { defaultOwnerSchema, deploymentRunbooksProblem, ownersProblem, ownersSchema, runbookUrl, runbooksSchema } from "./owners";
import { maintenanceMaxHoursSchema, maintenanceSchema, muteMaxDaysSchema, muteSchema } from "./operations";

export { NAME_RULE, channelName, routeName };

/**
 * The shape of one stack's non-secret configuration (Pulumi.<stack>.yaml,
 * namespace `prefect-alerting`). Every `error` string says what was expected;
 * the loader turns the first problem into a ConfigError naming the key.
 */

export const routeSchema = z
    .strictObject({
        tags: uniqueList(prefectName("tag"), "tags")
            .optional()
            .describe("Runs with one of these tags. The criteria of one route are ANDed, the values of one criterion ORed."),
        flows: uniqueList(prefectName("flow name"), "flow names").optional().describe("Runs of one of these flows (exact names)."),
        deployments: uniqueList(prefectName("deployment name"), "deployment names")
            .optional()
            .describe("Runs of one of these deployments (exact names)."),
        runbook: runbookUrl.optional().describe("The runbook of this route's alerts, unless an owner names its own (most specific wins)."),
    })
    .refine((r) => (r.tags?.length ?? 0) + (r.flows?.length ?? 0) + (r.deployments?.length ?? 0) > 0, {
        error: "a route with at least one of tags, flows or deployments",
    });

/** PagerDuty escalation delays are whole minutes (its provider silently truncates 1.5 to 1). */
const ackMinutes = (lo: number, hi: number) =>
    range(lo, hi, `a whole number of minutes from ${lo} to ${hi} (PagerDuty escalation delays are whole minutes)`, true);

export const pagerDutySchema = z.strictObject({
    enabled: bool().default(false).describe("Creates the PagerDuty resources; needs pagerduty:token."),
    serviceName: nonEmptyText("a PagerDuty service name")
        .default("Data Pipelines")
        .describe(
            'The critical service. Every PagerDuty name (services, team, schedule) gets " (<stack>)" appended unless it already ends ' +
                "with it, so two stacks can share one PagerDuty account.",
        ),
    p1ServiceName: nonEmptyText("a PagerDuty service name").default("Data Pipelines P1").describe("The P1 service."),
    teamName: nonEmptyText("a PagerDuty team name")
        .optional()
        .describe("Creates a team with the schedule users (responders) and lead/manager (managers)."),
    schedule: z
        .strictObject({
            name: nonEmptyText("a schedule name").default("Data Pipelines On-Call").describe("The on-call rotation's name."),
            timeZone: nonEmptyText('an IANA time zone such as "Europe/London"')
                .refine((tz) => isTimeZone(tz), { error: 'an IANA time zone such as "Europe/London"' })
                .default("UTC")
                .describe("The rotation's time zone."),
            rotationStart: z
                .string({ error: 'an ISO 8601 date-time with offset such as "2026-01-05T09:00:00Z"' })
                .refine((s) => /T.*(Z|[+-]\d\d:\d\d)$/.test(s) && !Number.isNaN(Date.parse(s)) && isCalendarDate(s.slice(0, 10)), {
                    error: 'an ISO 8601 date-time with offset such as "2026-01-05T09:00:00Z"',
                })
                .meta({ form: "ISO 8601 date-time with offset" })
                .describe("When the first turn starts."),
            turnLengthHours: range(1, 2160, "a whole number of hours from 1 to 2160", true).default(168).describe("One person's turn."),
            users: uniqueList(pagerDutyUser, "PagerDuty users (e-mail or id)")
                .min(1, {
                    error: "at least one PagerDuty user (e-mail or id)",
                })
                .describe("The rotation, by e-mail (looked up) or PagerDuty id (PABC123)."),
        })
        .optional()
        .describe("The on-call rotation; required when pagerDuty.enabled."),
    teamLead: pagerDutyUser.optional().describe("The ladder's second level; required when pagerDuty.enabled."),
    manager: pagerDutyUser.optional().describe("The ladder's third level; required when pagerDuty.enabled."),
    /**
     * Minutes each level has to acknowledge before PagerDuty escalates: the
     * seed's 15 / 30 / 60-minute marks keep their spacing (on-call 15 min,
     * team lead 30 min more, manager). The page itself goes out with the
     * critical Slack message: Prefect cannot delay an action.
     */
    escalation: z
        .strictObject({
            onCallAckMinutes: ackMinutes(1, 1440).default(15).describe("Time on-call has to acknowledge before PagerDuty escalates."),
            teamLeadAckMinutes: ackMinutes(1, 1440).default(30).describe("Then the team lead's time."),
            managerAckMinutes: ackMinutes(1, 1440).default(30).describe("Then the manager's time."),
            /** P1 pages the on-call engineer and the team lead at once; the manager after this. */
            p1AckMinutes: ackMinutes(1, 60).default(5).describe("P1: the manager is paged this long after on-call and team lead."),
            /** How often PagerDuty runs the whole ladder again if nobody acknowledges. */
            repeat: range(0, 9, "a whole number of repeats from 0 to 9", true)
                .default(2)
                .describe("Times the ladder repeats when nobody acknowledges."),
        })
        .prefault({})
        .describe("The escalation ladder's timing."),
    autoResolveTimeoutHours: range(1, 168, "a number of hours from 1 to 168")
        .optional()
        .describe("PagerDuty's own auto-resolve, the backstop; unset: off."),
    /**
     * Resolve incidents when the condition clears (a flow in incident completes, a pool is ready again): each
     * signal that opens incidents on a pagerduty channel gets a second automation on the clearing event,
     * sending a resolve with the same dedup key. Off: incidents are resolved by people or autoResolveTimeoutHours.
     */
    autoResolve: bool()
        .default(true)
        .describe("Resolve incidents when the condition clears (see Incident lifecycle); off: people (or the timeout) resolve them."),
    /** PagerDuty groups alerts of one flow into one incident (content-based alert grouping on custom_details.flow). */
    alertGrouping: bool()
        .default(true)
        .describe("Content-based alert grouping on the event's custom_details.flow, so one flow's alerts join one incident."),
});

export const secretsManagerSchema = z.strictObject({
    enabled: bool().default(false).describe("Mirror the secrets to AWS Secrets Manager; needs aws:region."),
    /** Secret names are `<prefix>/slack-webhook-url` etc.; defaults to `<stack>/prefect`. */
    prefix: z
        .string({ error: 'a secret name prefix such as "prod/prefect"' })
        .regex(/^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/, {
            error: 'a secret name prefix such as "prod/prefect"',
        })
        .meta({ form: "secret name prefix" })
        .optional()
        .describe(
            "Secret names are <prefix>/<kind>-<key>-<channel> (e.g. slack-webhook-url-alerts) and " +
                "<prefix>/pagerduty-integration-key(-p1); unset: <stack>/prefect.",
        ),
    /** 0 deletes at once; otherwise AWS accepts 7 to 30 days. */
    recoveryWindowInDays: z
        .preprocess(
            fromText,
            z
                .number({ error: "0 or a whole number of days from 7 to 30" })
                .int({ error: "0 or a whole number of days from 7 to 30" })
                .refine((d) => d === 0 || (d >= 7 && d <= 30), { error: "0 or a whole number of days from 7 to 30" }),
        )
        .meta({ form: "0 or a whole number of days from 7 to 30" })
        .default(7)
        .describe("Days AWS keeps a deleted secret; 0 deletes at once."),
});

export const environmentSchema = z
    .enum(["development", "staging", "production"], { error: '"development", "staging" or "production"' })
    .default("development")
    .describe("A production stack must page someone on the critical tier, and is advised to have a watchdog (policy pack).");

/** Date.parse rolls "2026-02-30" over to March; PagerDuty would start the rotation on another day. */
export function isCalendarDate(ymd: string): boolean {
    const t = Date.parse(`${ymd}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === ymd;
}

export function isTimeZone(tz: string): boolean {
    try {
        new Intl.DateTimeFormat("en-US", { timeZone: tz });
        return true;
    } catch {
        return false;
    }
}

/** Every project config key, its schema and whether it holds an object (JSON in Pulumi's raw config). */
export const projectKeys = {
    environment: environmentSchema,
    channels: z
        .record(channelName, channelSchema, { error: "a map of channel name to channel" })
        .meta({ form: "map of channel name to channel (Channel kinds, below)" })
        .describe("Where alerts go. Each becomes one Prefect notification block, named <stack>-<channel>, if an enabled section uses it."),
    routes: z
        .record(routeName, routeSchema, { error: "a map of route name to route" })
        .meta({ form: "map of route name to route" })
        .refine((r) => Object.keys(r).length > 0, { error: "at least one route (or no routes key, for the default dlt tag route)" })
        .optional()
        .describe("Which flow runs the sections watch; each route adds its own automations. Unset: {dlt: {tags: [dlt]}}."),
    pagerDuty: pagerDutySchema.optional().describe("PagerDuty services, escalation policies and the on-call schedule."),
    // Teams that own deployments by owner:<team> tags (config/owners.ts).
    owners: ownersSchema,
    defaultOwner: defaultOwnerSchema,
    runbooks: runbooksSchema,
    secretsManager: secretsManagerSchema.prefault({}).describe("A copy of every secret in AWS Secrets Manager."),
    // Planned quiet (config/operations.ts): PagerDuty maintenance windows and muted routes.
    maintenance: maintenanceSchema,
    maintenanceMaxHours: maintenanceMaxHoursSchema,
    mute: muteSchema,
    muteMaxDays: muteMaxDaysSchema,
    /** The Prefect UI's base URL for links in messages; unset: derived from prefect:endpoint (alert/links.ts). */
    uiUrl: z
        .string({ error: 'the Prefect UI\'s URL, such as "https://prefect.example.com"' })
        .refine((u) => /^https?:\/\/[^\s"'<>|{}]+$/.test(u), { error: 'the Prefect UI\'s URL, such as "https://prefect.example.com"' })
        .meta({ form: "http(s) URL" })
        .optional()
        .describe(
            "The Prefect UI's address for the links in every message; unset: the server's address without /api (self-hosted) or the " +
                "Cloud workspace's pages (Prefect's ui_url filter renders None for a deployment on 3.9.1).",
        ),
    // Each signal's section (warning, critical, p1, successNotice, lateRuns, ...), as its module defines it; a missing
    // key and `{}` both take the section's defaults (each schema's prefault).
    ...signalSections(),
} as const;

function signalSections(): Record<string, z.ZodType> {
    return Object.fromEntries(SECTIONS.map((s) => [s.key, s.schema]));
}

export type RouteSpec = z.infer<typeof routeSchema>;
const settingsObject = z.object(projectKeys);
export type ProjectSettings = z.output<typeof settingsObject>;

/** The route a stack gets when it names none: every run tagged dlt (the seed's tag). */
export const DEFAULT_ROUTES: Record<string, RouteSpec> = { dlt: { tags: ["dlt"] } };

/** A place in the settings and what was expected there. */
export interface Problem {
    path: (string | number)[];
    expected: string;
}

/**
 * The references between settings, checked once the settings themselves are
 * valid: sections name channels and routes that exist, PagerDuty channels need
 * PagerDuty, an enabled section says where it sends. The first problem, in the
 * order a reader meets the keys.
 */
export function crossReferenceProblem(p: ProjectSettings): Problem | undefined {
    const channels = new Map(Object.entries(p.channels));
    // Block and secret names are the lower-cased channel name: "fooBar" and "fooBAR" would collide.
    const folded = new Map<string, string>();
    for (const name of channels.keys()) {
        const other = folded.get(name.toLowerCase());
        if (other)
            return {
                path: ["channels", name],
                expected: `a channel name that differs from "${other}" by more than letter case (block names are lower-case)`,
            };
        folded.set(name.toLowerCase(), name);
    }
    const routeNames = Object.keys(p.routes ?? DEFAULT_ROUTES);
    const pagerDutyEnabled = p.pagerDuty?.enabled === true;
    const checkChannels = (key: string, names: string[] | undefined, pings = false): Problem | undefined => {
        if (!names) return { path: [key, "channels"], expected: "at least one channel name" };
        return checkChannelsAt([key, "channels"], names, pings);
    };
    const checkChannelsAt = (at: (string | number)[], names: string[], pings = false): Problem | undefined => {
        for (const [i, name] of names.entries()) {
            const channel = channels.get(name);
            if (!channel)
                return {
                    path: [...at, i],
                    expected: `one of the channels defined under channels (${[...channels.keys()].join(", ") || "none defined"})`,
                };
            // A ping URL takes pings only: an alert posted there would count as "alive" and hide the outage it reports.
            if (kindOf(channel).pingOnly === true && !pings)
                return {
                    path: [...at, i],
                    expected:
                        `a channel that is not of type "${channel.type}" (channel "${name}" is a heartbeat monitor's ping URL: ` +
                        "only watchdog.channel sends to it, and an alert sent there would count as a heartbeat)",
                };
            if (channel.type === "pagerduty" && !pagerDutyEnabled)
                return {
                    path: [...at, i],
                    expected: `a channel that is not PagerDuty while pagerDuty.enabled is false (channel "${name}")`,
                };
        }
    };
    const checkRoutes = (key: string, names: string[] | undefined): Problem | undefined => {
        for (const [i, name] of (names ?? []).entries())
            if (!routeNames.includes(name))
                return { path: [key, "routes", i], expected: `one of the routes defined under routes (${routeNames.join(", ")})` };
    };
    const checks: (() => Problem | undefined)[] = [
        // Each signal's section: its own checks, then the channels and routes it names.
        ...SECTIONS.flatMap((settings) => {
            const value = (p as Record<string, unknown>)[settings.key];
            const refs = settings.refs(value);
            const channelsOk = () => checkChannels(settings.key, refs.channels, settings.pings);
            const routesOk = () => checkRoutes(settings.key, refs.routes);
            return [
                () => {
                    const own = settings.problem?.(value, p, channelsBySection(p));
                    return own ? { path: [settings.key, ...own.path], expected: own.expected } : undefined;
                },
                // Each place that names channels first, where it is written; then the whole list.
                ...(refs.channelsAt ?? []).map(
                    ({ path, names }) =>
                        () =>
                            refs.enabled ? checkChannelsAt([settings.key, ...path], names, settings.pings) : undefined,
                ),
                () => (refs.enabled ? (refs.routesFirst ? (routesOk() ?? channelsOk()) : (channelsOk() ?? routesOk())) : undefined),
            ];
        }),
        // Owners: their channels exist, then their own rules (normal names, chat channels, the default is one of them).
        ...Object.entries(p.owners ?? {}).map(
            ([team, o]) =>
                () =>
                    checkChannelsAt(["owners", team, "channels"], o.channels),
        ),
        () =>
            ownersProblem(p.owners, p.defaultOwner, (name) => channels.get(name)?.type, {
                enabled: p.pagerDuty?.enabled === true,
                services: p.pagerDuty ? [p.pagerDuty.serviceName, p.pagerDuty.p1ServiceName] : [],
            }),
        () => deploymentRunbooksProblem(p.runbooks.deployments),
        () => {
            const pd = p.pagerDuty;
            if (!pd?.enabled) return undefined;
            if (!pd.schedule)
                return {
                    path: ["pagerDuty", "schedule"],
                    expected: "an on-call schedule with rotationStart and users when pagerDuty.enabled is true",
                };
            if (!pd.teamLead)
                return {
                    path: ["pagerDuty", "teamLead"],
                    expected: "the team lead's PagerDuty e-mail or user id when pagerDuty.enabled is true",
                };
            if (!pd.manager)
                return {
                    path: ["pagerDuty", "manager"],
                    expected: "the manager's PagerDuty e-mail or user id when pagerDuty.enabled is true",
                };
            if (pd.serviceName === pd.p1ServiceName)
                return { path: ["pagerDuty", "p1ServiceName"], expected: "a name different from pagerDuty.serviceName" };
        },
    ];
    for (const check of checks) {
        const problem = check();
        if (problem) return problem;
    }
}

/**
 * The channels each enabled section sends to, by config key, for every section of the signal table, by its refs.
 * Nothing listed by hand, so a new signal counts.
 */
export function channelsBySection(p: ProjectSettings): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const settings of SECTIONS) {
        const refs = settings.refs((p as Record<string, unknown>)[settings.key]);
        out[settings.key] = [...new Set(refs.enabled ? (refs.channels ?? []) : [])];
    }
    return out;
}

/** All project settings in one schema: each key's own rules, then the references between them. */
export const projectSchema = settingsObject.superRefine((settings, ctx) => {
    const problem = crossReferenceProblem(settings);
    if (problem) ctx.addIssue({ code: "custom", path: problem.path, message: problem.expected });
});
