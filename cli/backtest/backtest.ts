import { Firing, ReplayEvent, replay } from "../../backtest/engine";
import { replayAutomations } from "../../backtest/fromPlan";
import { BacktestSummary, summarize } from "./aggregate";
import { BacktestPlan, deliveriesOf } from "./deliveries";

/**
 * One stack's plan replayed over a history, and what people would have received (pure: the history is data). The
 * engine (backtest/engine.ts) decides when each automation fires; this module turns firings into deliveries and counts.
 */

/** What the replay cannot judge: Prefect Cloud SLAs (Cloud evaluates them, no event of ours does), and automations left out. */
export function notSimulated(p: BacktestPlan, replayed: { key: string }[]): string[] {
    const kept = new Set(replayed.map((a) => a.key));
    return [
        ...p.plan.slas.flatMap((s) => s.slas.map((x) => `SLA "${x.name}" of deployment ${s.deployment} (Prefect Cloud evaluates SLAs)`)),
        ...p.plan.automations.filter((a) => !kept.has(a.key)).map((a) => `automation ${a.key} (no model of its trigger in the engine)`),
    ];
}

/**
 * The longest window any trigger counts over, in ms: history is read from this long before the window, so a
 * threshold at the window's start sees the failures just before it (capped at a week, the engine's recovery window).
 */
export function warmupMs(p: BacktestPlan): number {
    return Math.min(7 * 86_400_000, Math.max(0, ...replayAutomations(p.plan).map((a) => a.trigger.within * 1000)));
}

export interface Backtest {
    summary: BacktestSummary;
    firings: Firing[];
}

/**
 * `window` is the period counted; the replay starts at `replayFrom` (default: the window's start), earlier so that
 * buckets fill with the events just before the period (warmupMs), as the server's had.
 */
export function backtest(
    p: BacktestPlan,
    events: ReplayEvent[],
    window: { start: number; end: number },
    replayFrom = window.start,
): Backtest {
    const automations = replayAutomations(p.plan);
    const firings = replay(automations, events, { start: Math.min(replayFrom, window.start), end: window.end }).filter(
        (f) => f.at >= window.start && f.at <= window.end,
    );
    const deliveries = deliveriesOf(p, firings);
    return { firings, summary: summarize(p.stack, p.plan, deliveries, firings, window, notSimulated(p, automations)) };
}
