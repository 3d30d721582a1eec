import type { Message, MessageDetail } from "./model";

/**
 * Parts that several signals' messages share (each signal writes its own message in its module): a run's facts,
 * the last completed run of a silence, the opening of a configurable severity, durations in words.
 */

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
export const RUN_DETAILS = [
    "*Flow*: {{ flow.name }}",
    "{% if deployment %}*Deployment*: {{ deployment.name }}\n{% endif %}*Run*: {{ flow_run.name }} (`{{ flow_run.id }}`)",
    "*State*: {{ flow_run.state.name }} at {{ flow_run.state.timestamp }}",
    "*Error*: {{ flow_run.state.message }}",
    "*Logs and history*: <{{ flow_run|ui_url }}|open the flow run in Prefect>",
].join("\n");

/** 86400 -> "24 hours", 900 -> "15 minutes", 30 -> "30 seconds". */
export function describeDuration(seconds: number): string {
    const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
    const inUnit = (size: number, word: string) => {
        const n = seconds / size;
        // One decimal only when it is exact ("3.5 hours"); 211 s is "3 min 31 s", not a rounded "3.5 minutes".
        return Number.isInteger(n * 10) ? unit(n, word) : inParts(seconds);
    };
    if (seconds % 86400 === 0 && seconds >= 2 * 86400) return unit(seconds / 86400, "day");
    if (seconds % 3600 === 0 || seconds >= 3 * 3600) return inUnit(3600, "hour");
    if (seconds % 60 === 0 || seconds >= 180) return inUnit(60, "minute");
    return unit(Math.round(seconds * 10) / 10, "second");
}

/** "3 min 31 s", "3 hours 1 min 40 s": a duration no unit says exactly, to the tenth of a second. */
function inParts(seconds: number): string {
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const rest = Math.round((seconds % 60) * 10) / 10;
    return [hours ? `${hours} hour${hours === 1 ? "" : "s"}` : "", minutes ? `${minutes} min` : "", rest ? `${rest} s` : ""]
        .filter(Boolean)
        .join(" ");
}

/** How a message of a configurable severity opens: the tiers' own words and emoji. */
export const OPENING: Record<"warning" | "critical" | "p1", { emoji: string; prefix: string }> = {
    warning: { emoji: ":warning:", prefix: "" },
    critical: { emoji: ":rotating_light:", prefix: "CRITICAL: " },
    p1: { emoji: ":fire:", prefix: "P1: " },
};

/** The same as a field value (a Jinja expression). */
export const LAST_COMPLETED_FIELD =
    '(flow_run.name ~ " at " ~ (flow_run.end_time | string)) if flow_run else "none since this alert was set up or last fired"';

/** The run whose completion opened the window that has now passed, when the firing carries it. */
export const LAST_COMPLETED =
    "{% if flow_run %}*Last Completed run*: {{ flow_run.name }} (`{{ flow_run.id }}`) at {{ flow_run.end_time }}: " +
    "<{{ flow_run|ui_url }}|open it in Prefect>{% else %}No Completed run since this alert was set up or last fired.{% endif %}";

/** A watched run completed, so a silence is over (sent to incident-tracking channels only: every completion sends it). */
export function silenceEndedMessage(): Message {
    return { subject: "Recovered: {{ flow.name }} completed", body: ":white_check_mark: *Recovered*: {{ flow.name }} completed" };
}
