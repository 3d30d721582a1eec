import { templateLiteral } from "./templates";

/**
 * Message templates (Jinja, rendered by the Prefect server when an automation
 * fires). Only variables Prefect provides are used: `flow_run`, `flow`,
 * `deployment`, `work_pool` are loaded from the triggering event's resources;
 * `{{ flow_run|ui_url }}` is the run's page (the seed's `flow_run_url` does not
 * exist and renders empty).
 *
 * Text from config (route tags, flow and deployment names, via `scope`) enters
 * a template only through `templateLiteral`, so it renders as written.
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
    /** Plain text: what to do next. */
    next?: string;
}

/** The run's facts as Jinja expressions (message detail); `deployment` is empty for ad-hoc runs. */
export const RUN_FIELDS: MessageDetail["fields"] = [
    { label: "Flow", value: "flow.name" },
    { label: "Deployment", value: 'deployment.name if deployment else "(ad-hoc run)"' },
    { label: "Run", value: 'flow_run.name ~ " (" ~ (flow_run.id | string) ~ ")"' },
    { label: "State", value: 'flow_run.state.name ~ " at " ~ (flow_run.state.timestamp | string)' },
    { label: "Run count", value: "flow_run.run_count | string" },
    { label: "Tags", value: 'flow_run.tags | join(", ")' },
];
export const RUN_ERROR = 'flow_run.state.message or ""';
export const RUN_LINK = { url: "flow_run|ui_url", text: "Open the flow run in Prefect" };

/** Deployment only when the run has one: `deployment` is empty for ad-hoc runs. */
const RUN_DETAILS = [
    "*Flow*: {{ flow.name }}",
    "{% if deployment %}*Deployment*: {{ deployment.name }}\n{% endif %}*Run*: {{ flow_run.name }} (`{{ flow_run.id }}`)",
    "*State*: {{ flow_run.state.name }} at {{ flow_run.state.timestamp }}",
    "*Error*: {{ flow_run.state.message }}",
    "*Logs and history*: <{{ flow_run|ui_url }}|open the flow run in Prefect>",
].join("\n");

/**
 * `escalates`: whether the critical tier watches the same runs, so the reader knows what happens next.
 * `repeatSeconds`: warnings are throttled per flow, and the message says so (Prefect fires on the first failure of
 * the window, so it cannot count the ones it folds in).
 */
export function finalFailureMessage(escalates: boolean, repeatSeconds?: number): Message {
    const folded = repeatSeconds ? ` Further failures of this flow in the next ${describeDuration(repeatSeconds)} are not posted.` : "";
    return {
        subject: "Pipeline failed: {{ flow.name }} ({{ flow_run.state.name }})",
        body: [":x: *Pipeline failed*: {{ flow.name }}", "", RUN_DETAILS, "", `*Next*: ${finalFailureNext(escalates)}${folded}`].join("\n"),
        detail: {
            title: "Pipeline failed: {{ flow.name }} ({{ flow_run.state.name }})",
            fields: RUN_FIELDS,
            error: RUN_ERROR,
            link: RUN_LINK,
            next: finalFailureNext(escalates) + folded,
        },
    };
}

const finalFailureNext = (escalates: boolean) =>
    "read the run's logs; if the error is transient, retry the run from its " +
    `page${escalates ? "; repeated failures of this flow page the on-call engineer" : ""}.`;

export function repeatedFailureMessage(threshold: number, windowSeconds: number): Message {
    const window = describeDuration(windowSeconds);
    return {
        subject: `CRITICAL: {{ flow.name }} failed ${threshold} times within ${window}`,
        body: [
            `:rotating_light: *CRITICAL: {{ flow.name }} failed ${threshold} times within ${window}*`,
            "",
            "Latest failure:",
            RUN_DETAILS,
            "",
            `*Next*: ${REPEATED_NEXT}`,
        ].join("\n"),
        detail: {
            title: `CRITICAL: {{ flow.name }} failed ${threshold} times within ${window}`,
            fields: RUN_FIELDS,
            error: RUN_ERROR,
            link: RUN_LINK,
            next: REPEATED_NEXT,
        },
    };
}

const REPEATED_NEXT =
    "this flow is failing repeatedly, not transiently. Acknowledge, " +
    "check the source system and the last change to the flow, and pause its deployment if it keeps failing.";

export function workPoolNotReadyMessage(): Message {
    return {
        subject: "P1: work pool {{ work_pool.name }} is not ready",
        body: [
            ":fire: *P1: work pool {{ work_pool.name }} is not ready*",
            "",
            "No healthy worker is polling it, so none of its scheduled flow runs can start.",
            "*Work pool*: <{{ work_pool|ui_url }}|open {{ work_pool.name }} in Prefect>",
            "",
            `*Next*: ${WORK_POOL_NEXT}`,
        ].join("\n"),
        detail: {
            title: "P1: work pool {{ work_pool.name }} is not ready",
            fields: [{ label: "Work pool", value: "work_pool.name" }],
            link: { url: "work_pool|ui_url", text: "Open the work pool in Prefect" },
            next: WORK_POOL_NEXT,
        },
    };
}

const WORK_POOL_NEXT = "check the worker processes / containers for this pool and their logs, then the infrastructure they run on.";

/** `scope`: the watched runs in words (describeRoute), plain text that may hold any tag or name; it renders literally. */
export function noSuccessMessage(scope: string, seconds: number): Message {
    const window = describeDuration(seconds);
    return {
        subject: `P1: no pipeline has succeeded for ${window}`,
        body: [
            `:fire: *P1: no successful run for ${window}*`,
            "",
            `Not one of the watched ${templateLiteral(scope)} reached Completed in the last ${window}: pipelines may be down altogether.`,
            LAST_COMPLETED,
            "",
            `*Next*: ${SILENCE_NEXT}`,
        ].join("\n"),
        detail: {
            title: `P1: no successful run for ${window}`,
            fields: [
                { label: "Watched", value: JSON.stringify(scope) },
                { label: "Last Completed run", value: LAST_COMPLETED_FIELD },
            ],
            next: SILENCE_NEXT,
        },
    };
}

const SILENCE_NEXT = "check the Prefect server, the work pools and their workers, and whether runs are stuck in Scheduled or Late.";

export function successMessage(): Message {
    return {
        subject: "Pipeline completed: {{ flow.name }}",
        body: [
            ":white_check_mark: *{{ flow.name }}* completed",
            "*Run*: {{ flow_run.name }} (`{{ flow_run.id }}`) at {{ flow_run.state.timestamp }}",
            "<{{ flow_run|ui_url }}|open the flow run in Prefect>",
        ].join("\n"),
        detail: { title: "Pipeline completed: {{ flow.name }}", fields: RUN_FIELDS.slice(0, 4), link: RUN_LINK },
    };
}

/** The short notice that a flow in incident completed again (its incident is resolved). */
export function flowRecoveredMessage(): Message {
    return {
        subject: "Recovered: {{ flow.name }} completed",
        body: ":white_check_mark: *Recovered*: {{ flow.name }} completed again\n<{{ flow_run|ui_url }}|open the flow run in Prefect>",
        detail: { title: "Recovered: {{ flow.name }} completed", fields: RUN_FIELDS.slice(0, 4), link: RUN_LINK },
    };
}

export function workPoolReadyMessage(): Message {
    return {
        subject: "Recovered: work pool {{ work_pool.name }} is ready",
        body: ":white_check_mark: *Recovered*: work pool {{ work_pool.name }} is ready again",
        detail: { title: "Recovered: work pool {{ work_pool.name }} is ready", fields: [{ label: "Work pool", value: "work_pool.name" }] },
    };
}

/** A watched run completed, so a P1 silence is over (sent to incident-tracking channels only: every completion sends it). */
export function silenceEndedMessage(): Message {
    return { subject: "Recovered: {{ flow.name }} completed", body: ":white_check_mark: *Recovered*: {{ flow.name }} completed" };
}

/** 86400 -> "24 hours", 900 -> "15 minutes", 30 -> "30 seconds". */
export function describeDuration(seconds: number): string {
    const unit = (n: number, word: string) => `${Number.isInteger(n) ? n : n.toFixed(1)} ${word}${n === 1 ? "" : "s"}`;
    if (seconds % 86400 === 0 && seconds >= 2 * 86400) return unit(seconds / 86400, "day");
    if (seconds % 3600 === 0 || seconds >= 3 * 3600) return unit(seconds / 3600, "hour");
    if (seconds % 60 === 0 || seconds >= 180) return unit(seconds / 60, "minute");
    return unit(seconds, "second");
}

/** How a message of a configurable severity opens: the tiers' own words and emoji. */
const OPENING: Record<"warning" | "critical" | "p1", { emoji: string; prefix: string }> = {
    warning: { emoji: ":warning:", prefix: "" },
    critical: { emoji: ":rotating_light:", prefix: "CRITICAL: " },
    p1: { emoji: ":fire:", prefix: "P1: " },
};

/**
 * Stale data. The window is opened by the last Completed run (rules/triggers.ts silenceAfterLastCompletion), so
 * the firing carries that run's event and the server loads it: the message names the last successful run. A window
 * the server opened by itself (never completed since set up, or a reminder while it stays stale) carries none.
 */
export function freshnessMessage(severity: "warning" | "critical" | "p1", what: string, seconds: number): Message {
    const { emoji, prefix } = OPENING[severity];
    const window = describeDuration(seconds);
    const name = templateLiteral(what);
    return {
        subject: `${prefix}Stale data: no Completed run of ${name} for ${window}`,
        body: [
            `${emoji} *${prefix}Stale data: no Completed run of ${name} for ${window}*`,
            "",
            `Prefect saw no Completed run of ${name} in the last ${window}.`,
            LAST_COMPLETED,
            "",
            "*Next*: open it in Prefect: is its schedule paused, are its runs Late, Failed or stuck in Running, is its work pool " +
                "ready?",
        ].join("\n"),
    };
}

/** The same as a field value (a Jinja expression). */
const LAST_COMPLETED_FIELD =
    '(flow_run.name ~ " at " ~ (flow_run.end_time | string)) if flow_run else "none since this alert was set up or last fired"';

/** The run whose completion opened the window that has now passed, when the firing carries it. */
const LAST_COMPLETED =
    "{% if flow_run %}*Last Completed run*: {{ flow_run.name }} (`{{ flow_run.id }}`) at {{ flow_run.end_time }}: " +
    "<{{ flow_run|ui_url }}|open it in Prefect>{% else %}No Completed run since this alert was set up or last fired.{% endif %}";

/**
 * A pipeline's own data-quality event: its name and resource, the payload fields the config names (each by
 * subscript, so a field named like a dict method, `items`, still reads the payload; `fields` are identifiers,
 * checked by the config), and the flow run that emitted it when there is one.
 */
export function dataQualityMessage(severity: "warning" | "critical" | "p1", fields: string[]): Message {
    const { emoji, prefix } = OPENING[severity];
    return {
        subject: `${prefix}Data quality: {{ event.event }} ({{ event.resource.id }})`,
        body: [
            `${emoji} *${prefix}Data quality: {{ event.event }}*`,
            "",
            "*Resource*: {{ event.resource.id }}",
            ...fields.map((f) => `*${templateLiteral(f)}*: {{ event.payload["${f}"] | default("(not in the event)") }}`),
            "*Occurred*: {{ event.occurred }}",
            "{% if flow_run %}*Emitted by*: {{ flow.name }}, run {{ flow_run.name }}: <{{ flow_run|ui_url }}|open the flow run in " +
                "Prefect>\n{% endif %}",
            "*Next*: check the source system and the load's logs before the data is used downstream.",
        ].join("\n"),
    };
}

export function deploymentNotReadyMessage(): Message {
    return {
        subject: "P1: deployment {{ deployment.name }} is not ready",
        body: [
            ":fire: *P1: deployment {{ deployment.name }} is not ready*",
            "",
            "No worker has polled for its runs within Prefect's timeout, so its scheduled runs cannot start.",
            "*Deployment*: <{{ deployment|ui_url }}|open {{ deployment.name }} in Prefect>",
            "",
            "*Next*: check the worker(s) serving its work pool and queue, and whether they are running and can reach Prefect.",
        ].join("\n"),
    };
}

export function workQueueStatusMessage(status: "not-ready" | "paused"): Message {
    const title =
        status === "not-ready" ? "P1: work queue {{ work_queue.name }} is not ready" : "Work queue {{ work_queue.name }} was paused";
    return {
        subject: title,
        body: [
            `${status === "not-ready" ? ":fire:" : ":warning:"} *${title}*`,
            "",
            status === "not-ready"
                ? "No worker has polled it within Prefect's timeout, so its flow runs cannot start."
                : "Its scheduled flow runs will not start until it is resumed.",
            "*Work queue*: <{{ work_queue|ui_url }}|open {{ work_queue.name }} in Prefect>",
            "",
            status === "not-ready"
                ? "*Next*: check the workers polling this queue and their logs."
                : "*Next*: resume it if the pause was not meant.",
        ].join("\n"),
    };
}

export function workPoolPausedMessage(): Message {
    return {
        subject: "Work pool {{ work_pool.name }} was paused",
        body: [
            ":warning: *Work pool {{ work_pool.name }} was paused*",
            "",
            "None of its flow runs will start until it is resumed.",
            "*Work pool*: <{{ work_pool|ui_url }}|open {{ work_pool.name }} in Prefect>",
            "",
            "*Next*: resume it if the pause was not meant.",
        ].join("\n"),
    };
}
