import type { EventTriggerSpec } from "../prefect/vocabulary";

/**
 * The alert model every signal, channel kind and component shares, as plain data: what an automation watches
 * (a route), what it says (a message), the incident it opens or resolves, and the automation itself.
 */

export type { EventTriggerSpec };

/** Severity of an alert: which named component owns its automations (WarningTier, CriticalTier, P1Tier) or an info notice. */
export type Severity = "warning" | "critical" | "p1" | "info";

/** A route as the stack resolved it: every list present (empty when the route does not select by it). */
export interface Route {
    name: string;
    tags: string[];
    flows: string[];
    deployments: string[];
    /** The runbook for what this route watches (more specific than its owner's). */
    runbook?: string;
}

/** A team that owns deployments or flows tagged `owner:<name>` (config/owners.ts): where its alerts go, its runbook. */
/** A team's own on-call rotation (config `owners.<team>.onCall`). */
export interface OwnerOnCall {
    /** The team's schedule, qualified by the stack ("Data Eng On-Call (prod)"). */
    scheduleName: string;
    users: string[];
    /** The ladder's second level; the stack's teamLead when unset. */
    lead?: string;
}

export interface Owner {
    name: string;
    channels: string[];
    runbook?: string;
    /**
     * The team's own PagerDuty service (name qualified by the stack), the channel (block) that pages it, and the
     * team's own rotation if it has one (`onCall`: its schedule's name, qualified by the stack; users; lead).
     */
    pagerDuty?: { service: string; channel: string; onCall?: OwnerOnCall };
}

/**
 * Message templates (Jinja, rendered by the Prefect server when an automation
 * fires). Only variables Prefect provides are used: `flow_run`, `flow`,
 * `deployment`, `work_pool` are loaded from the triggering event's resources;
 * `{{ flow_run|ui_url }}` is the run's page (the seed's `flow_run_url` does not
 * exist and renders empty).
 *
 * Text from config (route tags, flow and deployment names, via `scope`) enters
 * a template only through `templateLiteral` (alert/templates.ts), so it renders as written.
 */
export interface Message {
    subject: string;
    /** Slack mrkdwn: the canonical text, shown as is by webhook channels and converted by Teams. */
    body: string;
    /** The same message in parts, for channels that lay it out (Slack Block Kit, a PagerDuty event). */
    detail?: MessageDetail;
}

/**
 * A message in parts. Values are Jinja *expressions* (no braces), so each
 * channel kind can escape them its own way (`| tojson` for JSON payloads).
 */
export interface MessageDetail {
    /**
     * Jinja statements that print nothing (`{% set … %}`, a lookup table) which the expressions below read: a channel
     * that lays the message out from these parts, not from the body, renders them first.
     */
    setup?: string;
    /** Jinja template (like subject). */
    title: string;
    fields: { label: string; value: string }[];
    /** Expression of the error text (a run's state message), cut to the channel's limit. */
    error?: string;
    link?: { url: string; text: string };
    /**
     * The runbook (alert/runbook.ts): `url` a literal URL from config; or `expr`, a Jinja expression that `setup`
     * defines, the run's runbook chosen at render time (per deployment), "" when the run has none.
     */
    runbook?: RunbookLink;
    /** Plain text: what to do next. */
    next?: string;
}

/** A runbook link in a message: a literal URL, or a Jinja expression that may render "" (then no link is shown). */
export type RunbookLink = { url: string; text: string } | { expr: string; text: string };

/**
 * The incident lifecycle as data: which PagerDuty incident (Events API v2
 * `dedup_key`) an automation opens or resolves. A key is a Jinja template the
 * server renders from the triggering event; the trigger side and the resolve
 * side use the same function (alert/incidents.ts), so the two keys are byte-identical (a resolve
 * with another key would leave the incident open).
 */
export type IncidentSeverity = "critical" | "error" | "warning" | "info";

export interface Incident {
    /** Jinja template of the dedup key. */
    dedupKey: string;
    action: "trigger" | "resolve";
    severity: IncidentSeverity;
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
    /** The team whose runs it watches (tag owner:<team>), for an owner's automation (alert/owners.ts). */
    owner?: string;
    /** The runbook its messages link to (alert/runbook.ts): the route's, else the owner's. */
    runbook?: string;
    /** Channels (blocks) notified when it fires, in order. */
    channels: string[];
    message: Message;
    /** The routes it watches (for the preview's per-route count); empty when it watches no route (work pools, named flows). */
    routes: string[];
    /**
     * The PagerDuty incident it opens (`action: "trigger"`) or resolves
     * (`action: "resolve"`, an automation on the clearing event), keyed by an
     * alert/incidents.ts key template. Channels that track incidents use it;
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

/** What a signal plans: an automation without its signal id, which the signal table stamps (signals/table.ts). */
export type AutomationDraft = Omit<AutomationSpec, "signal">;

type SlaFields = { duration?: number; staleAfter?: number; within?: number; expectedEvent?: string; resourceMatch?: string };

/** One SLA of a `prefect_resource_sla` (the SDK's `ResourceSlaSla`), every field the program sets. */
export type SlaEntry = SlaFields & { name: string; severity: string; enabled: boolean; ownerResource: string };

/** One `prefect_resource_sla`: every SLA of one deployment (the provider deletes SLAs of it that are not listed). */
export interface SlaPlan {
    /** Pulumi resource name. */
    key: string;
    /** The component that owns it, as its violation automation. */
    tier: Severity;
    deployment: string;
    resourceId: string;
    slas: SlaEntry[];
}
