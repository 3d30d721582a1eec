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
    body: string;
}

/** Deployment only when the run has one: `deployment` is empty for ad-hoc runs. */
const RUN_DETAILS = [
    "*Flow*: {{ flow.name }}",
    "{% if deployment %}*Deployment*: {{ deployment.name }}\n{% endif %}*Run*: {{ flow_run.name }} (`{{ flow_run.id }}`)",
    "*State*: {{ flow_run.state.name }} at {{ flow_run.state.timestamp }}",
    "*Error*: {{ flow_run.state.message }}",
    "*Logs and history*: <{{ flow_run|ui_url }}|open the flow run in Prefect>",
].join("\n");

/** `escalates`: whether the critical tier watches the same runs, so the reader knows what happens next. */
export function finalFailureMessage(escalates: boolean): Message {
    return {
        subject: "Pipeline failed: {{ flow.name }} ({{ flow_run.state.name }})",
        body: [
            ":x: *Pipeline failed*: {{ flow.name }}",
            "",
            RUN_DETAILS,
            "",
            `*Next*: read the run's logs; if the error is transient, retry the run from its page${escalates ? "; repeated failures of this flow page the on-call engineer" : ""}.`,
        ].join("\n"),
    };
}

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
            "*Next*: this flow is failing repeatedly, not transiently. Acknowledge, check the source system and the last change to the flow, and pause its deployment if it keeps failing.",
        ].join("\n"),
    };
}

export function workPoolNotReadyMessage(): Message {
    return {
        subject: "P1: work pool {{ work_pool.name }} is not ready",
        body: [
            ":fire: *P1: work pool {{ work_pool.name }} is not ready*",
            "",
            "No healthy worker is polling it, so none of its scheduled flow runs can start.",
            "*Work pool*: <{{ work_pool|ui_url }}|open {{ work_pool.name }} in Prefect>",
            "",
            "*Next*: check the worker processes / containers for this pool and their logs, then the infrastructure they run on.",
        ].join("\n"),
    };
}

/** `scope`: the watched runs in words (describeRoute), plain text that may hold any tag or name; it renders literally. */
export function noSuccessMessage(scope: string, seconds: number): Message {
    const window = describeDuration(seconds);
    return {
        subject: `P1: no pipeline has succeeded for ${window}`,
        body: [
            `:fire: *P1: no successful run for ${window}*`,
            "",
            `Not one of the watched ${templateLiteral(scope)} reached Completed in the last ${window}: pipelines may be down altogether.`,
            "",
            "*Next*: check the Prefect server, the work pools and their workers, and whether runs are stuck in Scheduled or Late.",
        ].join("\n"),
    };
}

export function successMessage(): Message {
    return {
        subject: "Pipeline completed: {{ flow.name }}",
        body: [
            ":white_check_mark: *{{ flow.name }}* completed",
            "*Run*: {{ flow_run.name }} (`{{ flow_run.id }}`) at {{ flow_run.state.timestamp }}",
            "<{{ flow_run|ui_url }}|open the flow run in Prefect>",
        ].join("\n"),
    };
}

/** 86400 -> "24 hours", 900 -> "15 minutes", 30 -> "30 seconds". */
export function describeDuration(seconds: number): string {
    const unit = (n: number, word: string) => `${Number.isInteger(n) ? n : n.toFixed(1)} ${word}${n === 1 ? "" : "s"}`;
    if (seconds % 86400 === 0 && seconds >= 2 * 86400) return unit(seconds / 86400, "day");
    if (seconds % 3600 === 0 || seconds >= 3 * 3600) return unit(seconds / 3600, "hour");
    if (seconds % 60 === 0 || seconds >= 180) return unit(seconds / 60, "minute");
    return unit(seconds, "second");
}
