import type { BacktestSummary, Counts, Row } from "./aggregate";

/**
 * Two configs over the same history, compared (pure): what a pull request would change in what people receive, per
 * automation, route, channel and flow. Only rows where some count differs are kept; a row only one side has (a new
 * or removed automation or channel) counts as zero on the other.
 */

export const COUNTED = ["messages", "pages", "opened", "resolved", "held"] as const satisfies readonly (keyof Counts)[];
export type Counted = (typeof COUNTED)[number];

export interface DiffRow {
    key: string;
    before: Counts;
    after: Counts;
}

export interface BacktestDiff {
    before: string;
    after: string;
    days: string[];
    total: DiffRow;
    automations: DiffRow[];
    routes: DiffRow[];
    channels: DiffRow[];
    flows: DiffRow[];
}

const ZERO: Counts = { messages: 0, pages: 0, held: 0, opened: 0, resolved: 0 };
const countsOf = (r: Row | undefined): Counts =>
    r ? { messages: r.messages, pages: r.pages, held: r.held, opened: r.opened, resolved: r.resolved } : ZERO;

export const changed = (d: DiffRow): boolean => COUNTED.some((c) => d.before[c] !== d.after[c]);

function compare(before: Row[], after: Row[]): DiffRow[] {
    const keys = [...new Set([...before.map((r) => r.key), ...after.map((r) => r.key)])].sort();
    const find = (rows: Row[], key: string) => rows.find((r) => r.key === key);
    return keys.map((key) => ({ key, before: countsOf(find(before, key)), after: countsOf(find(after, key)) })).filter(changed);
}

/** `after` (the proposed config) against `before` (the current one), both replayed over the same window. */
export function diffSummaries(before: BacktestSummary, after: BacktestSummary): BacktestDiff {
    if (before.window.start !== after.window.start || before.window.end !== after.window.end)
        throw new Error("the two backtests replayed different windows: compare runs over the same history only");
    return {
        before: before.stack,
        after: after.stack,
        days: before.days,
        total: { key: "total", before: countsOf(before.total), after: countsOf(after.total) },
        automations: compare(before.automations, after.automations),
        routes: compare(before.routes, after.routes),
        channels: compare(before.channels, after.channels),
        flows: compare(before.flows, after.flows),
    };
}
