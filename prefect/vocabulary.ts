/**
 * Prefect's vocabulary, in one place: the event names and labels the server
 * emits, the trigger's field names in Prefect's API and in the bridged
 * provider, the notification blocks' type slugs and fields, the template
 * variables and filters, and the resource type tokens. The program, the
 * offline preview, the end-to-end suite and the policy pack all read it; the
 * pack carries a copy (policy/vendor/, `npm run vendor`, checked equal by a
 * test), so this file imports nothing. Facts: shared/reference/prefect.md.
 */

// ---- Events (prefect.md §1) -------------------------------------------------

/** A timeout ends in `TimedOut`, not `Failed`; a failure with retries left is `AwaitingRetry` and never matches. */
export const FINAL_FAILURE_STATES = ["Failed", "Crashed", "TimedOut"] as const;
export const flowRunEvent = (state: string): string => `prefect.flow-run.${state}`;
export const FINAL_FAILURE_EVENTS: string[] = FINAL_FAILURE_STATES.map(flowRunEvent);
export const COMPLETED_EVENT = flowRunEvent("Completed");
/** Both spellings: older servers emitted `not_ready`, Prefect's own UI listens for both. */
export const WORK_POOL_NOT_READY_EVENTS = ["prefect.work-pool.not-ready", "prefect.work-pool.not_ready"];
/** A work pool with a healthy worker again. */
export const WORK_POOL_READY_EVENT = "prefect.work-pool.ready";
/**
 * Status events of deployments, work queues and work pools (server/models/events.py: `prefect.<kind>.<status in
 * kebab case>`; statuses in server/schemas/statuses.py). A deployment or queue goes not-ready when no worker polled
 * it within the foreman's timeout, ready on the next poll; a queue or pool is paused by a user.
 */
export const DEPLOYMENT_STATUS_EVENTS = { notReady: "prefect.deployment.not-ready", ready: "prefect.deployment.ready" } as const;
export const WORK_QUEUE_STATUS_EVENTS = {
    notReady: "prefect.work-queue.not-ready",
    paused: "prefect.work-queue.paused",
    ready: "prefect.work-queue.ready",
} as const;
export const WORK_POOL_PAUSED_EVENT = "prefect.work-pool.paused";
/** Event namespaces Prefect reserves for its own events (docs: api-ref/events, "Namespace conventions"). */
export const RESERVED_EVENT_NAMESPACES = ["prefect.", "prefect-cloud."] as const;
/** Events of Prefect's own automations: an automation must never expect them (it would fire on itself). */
export const AUTOMATION_EVENT_PREFIX = "prefect.automation.";

/**
 * The watchdog's own event and resource (signals/watchdog.ts): nothing ever emits the event, so a Proactive
 * automation waiting for it fires at the end of every window. Outside Prefect's reserved namespaces.
 */
export const WATCHDOG_EVENT = "prefect-alerting.watchdog.never-emitted";
export const WATCHDOG_RESOURCE_PREFIX = "prefect-alerting.watchdog.";

export const ANY_FLOW_RUN: Record<string, string> = { "prefect.resource.id": "prefect.flow-run.*" };
export const ANY_WORK_POOL = "prefect.work-pool.*";
export const ANY_WORK_QUEUE = "prefect.work-queue.*";
export const ANY_DEPLOYMENT = "prefect.deployment.*";
/** Bucket a trigger per flow, so failures of different flows never add up. */
export const PER_FLOW = "related:flow:prefect.resource.id";
/**
 * A label value matched exactly. Prefect compares every label of a trigger's
 * `match` / `match_related` with Python's fnmatch (server/events/schemas/events.py),
 * so `*`, `?` and `[` in a name (a tag `team-*`, a flow `load[eu]`) would be
 * wildcards; each becomes a one-character class. Ordinary names are unchanged.
 */
export const labelLiteral = (text: string): string => text.replace(/[[*?]/g, (c) => `[${c}]`);

/** Related resources of a flow-run event: one per tag (`prefect.tag.<tag>`), the flow, the deployment, ... */
export const tagResourceId = (tag: string): string => `prefect.tag.${labelLiteral(tag)}`;

// ---- Triggers (prefect.md §2, §5) ------------------------------------------

/** One `match` / `match_related` object: labels ANDed, a list value ORs its items. */
export type Labels = Record<string, string | string[]>;

/** An event trigger in Prefect's API shape (snake_case, label objects), every field set. */
export interface EventTriggerSpec {
    posture: "Reactive" | "Proactive";
    match: Labels;
    match_related: Labels | Labels[];
    after: string[];
    expect: string[];
    for_each: string[];
    threshold: number;
    within: number;
}

/** Prefect refuses a Proactive `within` under 10 s (and turns 0 into 10, which the provider then reports as drift). */
export const PROACTIVE_MIN_WITHIN_SECONDS = 10;

/**
 * The one mapping between Prefect's trigger fields and the bridged provider's
 * (`prefect_automation.trigger.event`): camelCase, set attributes pluralised,
 * label objects as JSON strings.
 */
export const EVENT_TRIGGER_FIELDS = {
    posture: { provider: "posture", form: "scalar" },
    match: { provider: "match", form: "json" },
    match_related: { provider: "matchRelated", form: "json" },
    after: { provider: "afters", form: "set" },
    expect: { provider: "expects", form: "set" },
    for_each: { provider: "forEaches", form: "set" },
    threshold: { provider: "threshold", form: "scalar" },
    within: { provider: "within", form: "scalar" },
} as const;

export type ProviderEventTrigger = {
    posture: string;
    match: string;
    matchRelated: string;
    afters: string[];
    expects: string[];
    forEaches: string[];
    threshold: number;
    within: number;
};

/** Prefect's API shape -> the provider's input shape. */
export function toProviderTrigger(t: EventTriggerSpec): ProviderEventTrigger {
    const out: Record<string, unknown> = {};
    for (const [field, { provider, form }] of Object.entries(EVENT_TRIGGER_FIELDS)) {
        const value = t[field as keyof EventTriggerSpec];
        out[provider] = form === "json" ? JSON.stringify(value) : value;
    }
    return out as ProviderEventTrigger;
}

/** The provider's shape (as registered, or as a policy sees it) -> Prefect's API shape; an absent set reads as empty. */
export function fromProviderTrigger(p: Record<string, any>): EventTriggerSpec {
    const out: Record<string, unknown> = {};
    for (const [field, { provider, form }] of Object.entries(EVENT_TRIGGER_FIELDS)) {
        const value = p[provider];
        if (form === "json") out[field] = typeof value === "string" ? JSON.parse(value) : (value ?? {});
        else if (form === "set") out[field] = value ?? [];
        else out[field] = value;
    }
    return out as unknown as EventTriggerSpec;
}

export const TRIGGER_KINDS = ["event", "metric", "compound", "sequence"] as const;
/** Where automations list their actions, in the provider's names. */
export const ACTION_LISTS = ["actions", "actionsOnTriggers", "actionsOnResolves"] as const;

// ---- Notification blocks (prefect.md §4) -----------------------------------

/** Block type slugs the program creates, and the `data` fields each cannot work without. */
export const NOTIFICATION_BLOCK_FIELDS = {
    "slack-webhook": ["url"],
    "custom-webhook": ["url"],
    "pager-duty-webhook": ["integration_key", "api_key"],
} as const satisfies Record<string, readonly string[]>;
export type BlockTypeSlug = keyof typeof NOTIFICATION_BLOCK_FIELDS;
/** custom-webhook fills these in its url, json_data and headers (besides its `secrets` keys). */
export const CUSTOM_WEBHOOK_PLACEHOLDERS = ["subject", "body", "name"] as const;

// ---- Message templates (prefect.md §3) -------------------------------------

/**
 * What Prefect's template context offers (prefect/server/events/actions.py,
 * `_template_context` and `_relevant_native_objects`, Prefect 3.9) and the
 * filters its environment registers, plus the Jinja built-ins we allow.
 */
export const TEMPLATE_VARIABLES = [
    "automation",
    "event",
    "labels",
    "firing",
    "firings",
    "events",
    "deployment",
    "flow",
    "flow_run",
    "task_run",
    "work_pool",
    "work_queue",
    "concurrency_limit",
    "variables",
] as const;
export const TEMPLATE_FILTERS = [
    "ui_url",
    "ui_resource_events_url",
    "tojson",
    "default",
    "truncate",
    "length",
    "upper",
    "lower",
    "string",
    "join",
    "replace",
    // Jinja's own; links to a work pool's page carry its name (alert/links.ts).
    "urlencode",
] as const;

const KEYWORDS = new Set([
    "if",
    "elif",
    "else",
    "endif",
    "not",
    "and",
    "or",
    "in",
    "is",
    "true",
    "false",
    "none",
    "True",
    "False",
    "None",
    "for",
    "endfor",
    "set",
    "endset",
]);

/** A Jinja string literal, escapes included (its content is never code, and a `}}` in it does not end the tag). */
const STRING = String.raw`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`;
const TAG = new RegExp(String.raw`\{\{((?:${STRING}|[^"'])*?)\}\}|\{%((?:${STRING}|[^"'])*?)%\}`, "gs");

/** The root variable names and filters a Jinja template uses (string literals skipped). */
export function templateNames(template: string): { variables: string[]; filters: string[] } {
    const variables = new Set<string>();
    const filters = new Set<string>();
    for (const m of Array.from(template.matchAll(TAG))) {
        const code = (m[1] ?? m[2]).replace(new RegExp(STRING, "g"), "");
        for (const n of code.matchAll(/(\|\s*|\.\s*)?([A-Za-z_][A-Za-z0-9_]*)/g)) {
            const [, prefix, name] = n;
            if (prefix?.startsWith("|")) filters.add(name);
            else if (!prefix && !KEYWORDS.has(name)) variables.add(name);
        }
    }
    // Names the template sets itself ({% set name %}...{% endset %} or {% set name = ... %}) are its own.
    for (const m of template.matchAll(/\{%-?\s*set\s+([A-Za-z_][A-Za-z0-9_]*)/g)) variables.delete(m[1]);
    return { variables: [...variables], filters: [...filters] };
}

/** Names a template uses that Prefect would silently render as empty (`flow_run_url`, say). */
export function unknownTemplateNames(template: string): string[] {
    const { variables, filters } = templateNames(template);
    return [
        ...variables.filter((v) => !(TEMPLATE_VARIABLES as readonly string[]).includes(v)),
        ...filters.filter((f) => !(TEMPLATE_FILTERS as readonly string[]).includes(f)).map((f) => `|${f}`),
    ];
}

// ---- Resource type tokens ---------------------------------------------------

/** Type tokens of what the program registers; policies match by these strings, never by importing an SDK. */
export const TYPE = {
    automation: "prefect:index/automation:Automation",
    block: "prefect:index/block:Block",
    pdService: "pagerduty:index/service:Service",
    pdIntegration: "pagerduty:index/serviceIntegration:ServiceIntegration",
    pdEscalationPolicy: "pagerduty:index/escalationPolicy:EscalationPolicy",
    pdSchedule: "pagerduty:index/schedule:Schedule",
    pdTeam: "pagerduty:index/team:Team",
    pdTeamMembership: "pagerduty:index/teamMembership:TeamMembership",
    awsSecret: "aws:secretsmanager/secret:Secret",
    awsSecretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    warningTier: "alerting:index:WarningTier",
    criticalTier: "alerting:index:CriticalTier",
    p1Tier: "alerting:index:P1Tier",
    infoNotices: "alerting:index:InfoNotices",
    notificationChannels: "alerting:index:NotificationChannels",
    pagerDutyRouting: "alerting:index:PagerDutyRouting",
    secretsMirror: "alerting:index:SecretsMirror",
} as const;

/**
 * Resource names of a team's own PagerDuty resources (config `owners.<team>.pagerDutyService`, `onCall`): its service,
 * its escalation policy, and its on-call schedule when it has a rotation of its own. The pack reads them to tell which.
 */
export const ownerPagerDutyKey = (team: string, part: "service" | "escalation" | "on-call"): string => `owner-${team}-${part}`;

/** The PagerDuty integration whose computed key is the Events API v2 routing key. */
export const EVENTS_V2 = "events_api_v2_inbound_integration";
