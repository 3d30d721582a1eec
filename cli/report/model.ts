import type { Coverage } from "../../rules/coverage";
/** The report's data, as plain values: what the collector reads from Prefect and what the renderers print. */

/** The reporting period: the last `days` calendar days in UTC, today included, up to `until`. */
export interface Period {
    since: Date;
    until: Date;
    /** One `YYYY-MM-DD` (UTC) per day of the period, oldest first. */
    days: string[];
}

/** One flow run as the report needs it (from Prefect's /flow_runs/filter). */
export interface RunRecord {
    id: string;
    name: string;
    flow: string;
    /** Deployment name; undefined for a run without a deployment (a flow called directly). */
    deployment?: string;
    /** State name: Completed, Failed, Crashed, TimedOut, Cancelled, Running, ... */
    state: string;
    expectedStart: string;
    start?: string | null;
    end?: string | null;
}

/** The last Completed run of a flow/deployment, possibly older than the period. */
export interface LastSuccess {
    id: string;
    name: string;
    end: string;
}

export type Outcome = "completed" | "failed" | "other";

export interface DayCount {
    day: string;
    completed: number;
    failed: number;
    other: number;
}

export interface FlowStats {
    flow: string;
    deployment?: string;
    /** Every run in the period, whatever its state. */
    runs: number;
    completed: number;
    /** Final failures: Failed, Crashed, TimedOut (what the alerts fire on). */
    failures: number;
    /** Runs neither Completed nor a final failure (Cancelled, still running, scheduled, ...). */
    other: number;
    /** completed / (completed + failures); undefined when no run finished. */
    successRate?: number;
    /** Wall-clock duration (end - start) of the runs that finished, in seconds. */
    medianSeconds?: number;
    p95Seconds?: number;
    lastSuccess?: LastSuccess;
    /** Seconds from the last success's end to the period's end. */
    lastSuccessAgeSeconds?: number;
    daily: DayCount[];
}

/** One `prefect.automation.triggered` event, reduced to what the noise table needs. */
export interface Firing {
    automationId: string;
    automationName: string;
    occurred: string;
    /** What made it fire: a flow name, "work pool <name>", or a description of a proactive (silence) firing. */
    cause: string;
}

export interface AutomationNoise {
    id: string;
    name: string;
    /** False for a disabled automation; undefined for one no longer on the server (it fired, then was deleted). */
    enabled?: boolean;
    firings: number;
    /** Causes by count, most first. */
    causes: { cause: string; count: number }[];
}

export interface Report {
    stack: string;
    /** The API the figures came from. */
    api: string;
    /** Base URL of the Prefect UI, for run links; undefined when unknown. */
    uiUrl?: string;
    period: Period;
    /** The watched routes in words ("dlt: flow runs tagged dlt"). */
    watched: string[];
    flows: FlowStats[];
    automations: AutomationNoise[];
    /** Causes over all of the stack's automations, most first. */
    noisiest: { cause: string; count: number }[];
    /** Who owns the workspace's deployments (rules/coverage.ts); only for a stack with owners. */
    ownership?: Coverage;
    /** Things the reader should know (e.g. events older than the server's retention are gone). */
    notes: string[];
}
