/**
 * Prefect event names and labels, as the server emits them (prefect.md §1).
 * The event name carries the state's *name*: a timeout is `TimedOut`, not
 * `Failed`, and an intermediate failure with retries left is `AwaitingRetry`.
 */
export const FINAL_FAILURE_STATES = ["Failed", "Crashed", "TimedOut"] as const;
export const flowRunEvent = (state: string) => `prefect.flow-run.${state}`;
export const FINAL_FAILURE_EVENTS = FINAL_FAILURE_STATES.map(flowRunEvent);
export const COMPLETED_EVENT = flowRunEvent("Completed");
/** Both spellings: older servers emitted `not_ready`, Prefect's own UI listens for both. */
export const WORK_POOL_NOT_READY_EVENTS = ["prefect.work-pool.not-ready", "prefect.work-pool.not_ready"];

export const ANY_FLOW_RUN = { "prefect.resource.id": "prefect.flow-run.*" };
export const ANY_WORK_POOL = "prefect.work-pool.*";
/** Bucket a trigger per flow, so failures of different flows never add up. */
export const PER_FLOW = "related:flow:prefect.resource.id";
