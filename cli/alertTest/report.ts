import type { Expectation, TestPlan } from "./select";

/**
 * What Prefect did about the test runs, from its own events (pure): per
 * automation, each firing (`prefect.automation.triggered` whose triggering
 * event is one of the test's flow runs) and, per action, whether it was
 * executed or failed (`prefect.automation.action.executed` / `.failed`, which
 * name the triggered event as their `automation-triggered-event`). Prefect
 * source: prefect/server/events/actions.py (succeed/fail), triggers.py (act).
 */

export const TRIGGERED = "prefect.automation.triggered";
export const EXECUTED = "prefect.automation.action.executed";
export const FAILED = "prefect.automation.action.failed";
export const WATCHED_EVENTS = [TRIGGERED, EXECUTED, FAILED];

export interface PrefectEvent {
    id: string;
    event: string;
    occurred: string;
    resource: Record<string, string>;
    related: Record<string, string>[];
    payload: Record<string, any>;
}

/** An automation as the server holds it (POST /automations/filter). */
export interface ServerAutomation {
    id: string;
    name: string;
    enabled: boolean;
    actions: { type: string; block_document_id?: string }[];
}

/** One finished test run, as cli/alertTest/flow.py prints it. */
export interface RunResult {
    route: string;
    flow: string;
    flow_run_id: string;
    state: string;
    /** When the run entered its final state (ISO), as the client saw it. */
    timestamp?: string;
}

export interface ActionOutcome {
    index: number;
    channel: string;
    /** The block the action sends with, by name, as the server holds it. */
    block?: string;
    outcome: "delivered" | "failed" | "pending";
    reason?: string;
    /** From the failing state to the outcome. */
    ms?: number;
}

export interface Firing {
    flowRunId: string;
    /** From the failing state to `prefect.automation.triggered`. */
    msToTriggered: number;
    actions: ActionOutcome[];
}

export interface AutomationResult {
    expectation: Expectation;
    id?: string;
    /** Why it cannot fire at all (checked before any run starts). */
    problem?: string;
    firings: Firing[];
    /** Every expected firing seen and every action of them has an outcome (or there is a problem). */
    done: boolean;
    /** It fired as often as expected and every action delivered. */
    ok: boolean;
}

/** The server's automation for each expected one, by its exact name (`[<stack>] ...`), or why there is none. */
export function findOnServer(
    expected: Expectation[],
    server: ServerAutomation[],
): { expectation: Expectation; automation?: ServerAutomation; problem?: string }[] {
    return expected.map((expectation) => {
        const same = server.filter((s) => s.name === expectation.automation.name);
        const live = same.find((s) => s.enabled);
        if (!same.length) return { expectation, problem: "not on the server (has `pulumi up` run for this stack?)" };
        if (!live) return { expectation, automation: same[0], problem: "disabled on the server, so it cannot fire" };
        if (live.actions.length !== expectation.automation.actions.length)
            return {
                expectation,
                automation: live,
                problem:
                    `the server's automation has ${live.actions.length} action(s), ` +
                    `the plan ${expectation.automation.actions.length}: run \`pulumi up\``,
            };
        return { expectation, automation: live };
    });
}

const ms = (a: string, b: string) => Date.parse(b) - Date.parse(a);

export function assess(
    found: ReturnType<typeof findOnServer>,
    runs: RunResult[],
    events: PrefectEvent[],
    blockNames: Record<string, string> = {},
): AutomationResult[] {
    const runIds = new Set(runs.map((r) => `prefect.flow-run.${r.flow_run_id}`));
    return found.map(({ expectation, automation, problem }) => {
        if (problem || !automation) return { expectation, id: automation?.id, problem, firings: [], done: true, ok: false };
        const resourceId = `prefect.automation.${automation.id}`;
        const mine = events.filter((e) => e.resource["prefect.resource.id"] === resourceId);
        const firings: Firing[] = mine
            .filter((e) => e.event === TRIGGERED && runIds.has(e.payload?.triggering_event?.resource?.["prefect.resource.id"]))
            .map((t) => {
                const failedAt: string = t.payload.triggering_event.occurred;
                const outcomes = mine.filter(
                    (e) =>
                        (e.event === EXECUTED || e.event === FAILED) &&
                        e.related.some(
                            (r) =>
                                r["prefect.resource.role"] === "automation-triggered-event" &&
                                r["prefect.resource.id"] === `prefect.event.${t.id}`,
                        ),
                );
                const actions = expectation.automation.actions.map((planned, index): ActionOutcome => {
                    const blockId = automation.actions[index]?.block_document_id;
                    const block = blockId ? (blockNames[blockId] ?? blockId) : undefined;
                    const seen = outcomes.find((e) => e.payload?.action_index === index);
                    if (!seen) return { index, channel: planned.channel, block, outcome: "pending" };
                    return {
                        index,
                        channel: planned.channel,
                        block,
                        outcome: seen.event === EXECUTED ? "delivered" : "failed",
                        reason: seen.event === FAILED ? String(seen.payload?.reason ?? "no reason given") : undefined,
                        ms: ms(failedAt, seen.occurred),
                    };
                });
                return {
                    flowRunId: t.payload.triggering_event.resource["prefect.resource.id"],
                    msToTriggered: ms(failedAt, t.occurred),
                    actions,
                };
            });
        const counted = firings.slice(0, expectation.firings);
        const enough = counted.length >= expectation.firings;
        return {
            expectation,
            id: automation.id,
            firings,
            done: enough && counted.every((f) => f.actions.every((a) => a.outcome !== "pending")),
            ok: enough && counted.every((f) => f.actions.every((a) => a.outcome === "delivered")),
        };
    });
}

/** Waiting is over when every tested automation is done (side effects are reported as seen). */
export const allDone = (results: AutomationResult[]) => results.filter((r) => r.expectation.tested).every((r) => r.done);

/** `fired 1/2, delivered 1/3`: the progress line's numbers, over the tested automations. */
export function progress(results: AutomationResult[]): string {
    const tested = results.filter((r) => r.expectation.tested && !r.problem);
    const firingsWanted = tested.reduce((n, r) => n + r.expectation.firings, 0);
    const firingsSeen = tested.reduce((n, r) => n + Math.min(r.firings.length, r.expectation.firings), 0);
    const actionsWanted = tested.reduce((n, r) => n + r.expectation.firings * r.expectation.automation.actions.length, 0);
    const outcomes = tested.flatMap((r) => r.firings.slice(0, r.expectation.firings).flatMap((f) => f.actions));
    const delivered = outcomes.filter((a) => a.outcome === "delivered").length;
    const failed = outcomes.filter((a) => a.outcome === "failed").length;
    return `fired ${firingsSeen}/${firingsWanted}, delivered ${delivered}/${actionsWanted}${failed ? `, failed ${failed}` : ""}`;
}

/** The report, one automation after another, each channel with its outcome and timing. */
export function formatReport(test: TestPlan, runs: RunResult[], results: AutomationResult[], timedOut: boolean): string[] {
    const out: string[] = [];
    if (runs.length) out.push(`Test runs (${runs.length}):`);
    for (const r of runs) out.push(`  ${r.flow} (route ${r.route}): ${r.state}, flow run ${r.flow_run_id}`);
    for (const r of results) {
        const a = r.expectation.automation;
        const role = r.expectation.tested ? `${a.tier}` : `${a.tier}, fires too (not tested)`;
        if (out.length) out.push("");
        out.push(`${a.name}  [${role}]${r.id ? `  automation ${r.id}` : ""}`);
        if (r.problem) {
            out.push(`  NOT TESTED: ${r.problem}`);
            continue;
        }
        const seen = r.firings.length;
        const timing = r.firings.length ? `; triggered ${r.firings.map((f) => `${f.msToTriggered} ms`).join(", ")} after the failure` : "";
        const missing = seen < r.expectation.firings ? ` (NOT FIRED${timedOut ? " before the timeout" : ""})` : "";
        out.push(`  fired ${seen}/${r.expectation.firings}${missing}${timing}`);
        a.actions.forEach((planned, index) => {
            const per = r.firings.slice(0, Math.max(1, r.expectation.firings)).map((f) => f.actions[index]);
            const block = per.find((p) => p?.block)?.block;
            const states = per.length ? per.map((p) => outcomeText(p, timedOut)) : ["NOT SENT (did not fire)"];
            out.push(`  #${index + 1} ${planned.channel}${block ? ` (block ${block})` : ""}: ${states.join("; ")}`);
        });
    }
    const bad = results.filter((r) => r.expectation.tested && !r.ok);
    out.push(
        "",
        bad.length
            ? `FAILED: ${bad.length} of ${results.filter((r) => r.expectation.tested).length} tested automation(s) ` +
                  `did not get every alert out: ${bad.map((r) => r.expectation.automation.name).join(", ")}`
            : `OK: every tested alert went out (${progress(results)}).`,
    );
    return out;
}

/**
 * A missing outcome is a failure too: Prefect 3.9 records neither event when a webhook channel answers an
 * HTTP error (the custom-webhook block raises past the action, the actions service retries it 3 times, then
 * drops it; only the server log shows the error).
 */
function outcomeText(p: ActionOutcome, timedOut: boolean): string {
    if (p.outcome === "delivered") return `delivered ${p.ms} ms`;
    if (p.outcome === "failed") return `FAILED ${p.ms} ms: ${p.reason}`;
    return timedOut
        ? "NOT DELIVERED: Prefect recorded no outcome (neither action.executed nor action.failed) before the timeout; see the server log"
        : "no outcome yet";
}
