import { Firing, ReplayAutomation, ReplayEvent, replay } from "./engine";
import type { EventTriggerSpec } from "../prefect/vocabulary";

/**
 * The backtest checked against what a Prefect server really did, over a history nobody planned for it: every
 * automation that existed on the server (its definition as Prefect stored it, when it was created and deleted),
 * replayed through the engine over its own lifetime, and compared with the `prefect.automation.triggered` events
 * the server recorded for it. Pure: the e2e suite's teardown (tests/e2e/historyReport.ts) gathers the inputs.
 *
 * Prefect 3.9.1 records `triggered` only, for event triggers (server/events/triggers.py line 199: a firing of an
 * event trigger carries `TriggerState.Triggered` alone; `resolved` comes from composite triggers only).
 */

/** An automation as the server held it, with its lifetime. */
export interface LivedAutomation {
    id: string;
    /** The automation as Prefect stored it (the answer to POST /automations/: API names, defaults filled in). */
    stored: StoredAutomation;
    /** When Prefect created it (ms). */
    createdAt: number;
    /** When it was deleted (ms); undefined while it still exists. */
    deletedAt?: number;
    /** `enabled` switched by a client (PATCH / PUT), not by Prefect's own pause/resume actions. */
    switches: { at: number; enabled: boolean }[];
    /** Who made it (e.g. the e2e file), shown in the report. */
    origin?: string;
}

export interface StoredAutomation {
    name: string;
    enabled?: boolean;
    trigger: Record<string, any>;
    actions?: Record<string, any>[];
    actions_on_trigger?: Record<string, any>[];
    actions_on_resolve?: Record<string, any>[];
}

/** One `prefect.automation.triggered` event: the automation's id (and name) and when it occurred. */
export interface RecordedFiring {
    automationId: string;
    name?: string;
    at: number;
}

export interface VerifyOptions {
    /** A predicted and a recorded firing this close are one firing (Proactive: the 5 s loop's phase, plus load). Default 16 s. */
    toleranceMs?: number;
}

export interface VerifyRow {
    id: string;
    name: string;
    origin?: string;
    predicted: number;
    actual: number;
    agree: boolean;
    /** Why it disagrees, where known (or why it cannot be simulated). */
    reason?: string;
}

export interface VerifyReport {
    rows: VerifyRow[];
    /**
     * Recorded firings of automations outside the given list, by automation: made by someone the journal did not see,
     * e.g. a create whose answer was lost (the server stored it, the client saw an error), so nobody deleted it.
     */
    unknown: { id: string; name: string; firings: number }[];
    totals: { automations: number; agreeing: number; predicted: number; actual: number; notSimulated: number };
}

const DEFAULT_TOLERANCE_MS = 16_000;
/** The server's Proactive evaluation period (PREFECT_SERVER_EVENTS_PROACTIVE_GRANULARITY), the replay's grid. */
const TICK_MS = 5_000;

/**
 * The engine's view of a stored automation, or the reason it cannot be replayed. Arming follows the program's
 * mute timers and armed resolves (components/muteTimers.ts, backtest/fromPlan.ts): `resume-automation` of selected
 * automations arms them; `pause-automation` with `source: inferred` in `actions_on_trigger` pauses itself.
 */
export function toReplayAutomation(a: LivedAutomation): ReplayAutomation | { unsupported: string } {
    const t = a.stored.trigger ?? {};
    if (t.type !== "event") return { unsupported: `a ${t.type ?? "missing"} trigger (only event triggers are simulated)` };
    const actions = [...(a.stored.actions ?? []), ...(a.stored.actions_on_trigger ?? [])];
    const arms: string[] = [];
    let pausesItself = false;
    const onTrigger = new Set(a.stored.actions_on_trigger ?? []);
    for (const action of actions) {
        // In `actions_on_trigger` the triggering event is the automation's own `triggered` event: `inferred` is itself.
        const itself =
            (action.source === "selected" && action.automation_id === a.id) || (action.source === "inferred" && onTrigger.has(action));
        if (action.type === "resume-automation" && action.source === "selected" && action.automation_id && !itself)
            arms.push(action.automation_id);
        else if (action.type === "pause-automation" && itself) pausesItself = true;
        else if (action.type === "pause-automation" || action.type === "resume-automation")
            return { unsupported: `a ${action.type} action the engine does not model` };
    }
    const trigger: EventTriggerSpec = {
        posture: t.posture ?? "Reactive",
        match: t.match ?? {},
        match_related: t.match_related ?? {},
        after: t.after ?? [],
        expect: t.expect ?? [],
        for_each: t.for_each ?? [],
        threshold: t.threshold ?? 1,
        within: t.within ?? 0,
    };
    const enabled = a.stored.enabled !== false;
    return {
        key: a.id,
        name: a.stored.name,
        enabled,
        trigger,
        arms,
        pausesItself,
        // An enabled automation is evaluated from its creation; a disabled one only once something resumes it.
        ...(enabled ? { enabledAt: a.createdAt } : {}),
    };
}

/** Pairs two sorted lists of times within `tolerance`: what is left unpaired on each side. */
export function unpaired(predicted: number[], actual: number[], tolerance: number): { predicted: number[]; actual: number[] } {
    const p = [...predicted].sort((x, y) => x - y);
    const q = [...actual].sort((x, y) => x - y);
    const left = { predicted: [] as number[], actual: [] as number[] };
    let i = 0;
    let j = 0;
    while (i < p.length || j < q.length) {
        if (i < p.length && j < q.length && Math.abs(p[i] - q[j]) <= tolerance) {
            i++;
            j++;
        } else if (j >= q.length || (i < p.length && p[i] < q[j])) left.predicted.push(p[i++]);
        else left.actual.push(q[j++]);
    }
    return left;
}

/**
 * Why a firing found on one side only happened, where the history says: near the automation's creation (the
 * server loads a new automation a moment later than it was created), near its deletion or the end of the history
 * (the server had not evaluated or recorded it yet), or the automation was switched by a client.
 */
function reasonFor(a: LivedAutomation, times: number[], side: "predicted" | "recorded", end: number, tolerance: number): string {
    const at = times[0];
    const near = (t: number | undefined) => t !== undefined && Math.abs(at - t) <= tolerance;
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const what = `${times.length} ${side} only`;
    if (a.switches.length > 0) return `${what}: enabled switched by a client ${a.switches.length}x (not modelled)`;
    if (near(a.createdAt)) return `${what}, ${s(at - a.createdAt)} after its creation (the server loads a new automation late)`;
    const predicted = side === "predicted";
    const why = predicted ? "deleted before the server acted" : "the replay predicts it later";
    if (near(a.deletedAt)) {
        const when = at <= a.deletedAt! ? `${s(a.deletedAt! - at)} before` : `${s(at - a.deletedAt!)} after`;
        return `${what}, ${when} its deletion (${why})`;
    }
    if (near(end)) return `${what}, ${s(end - at)} before the end of the history${predicted ? " (not recorded yet)" : ""}`;
    return `${what}, first ${s(at - a.createdAt)} after its creation`;
}

/**
 * Replays `events` through every automation over its lifetime and compares the firings with Prefect's record,
 * per automation. `end` is when the history was read (firings after it are not compared).
 */
export function verifyHistory(
    automations: LivedAutomation[],
    events: ReplayEvent[],
    recorded: RecordedFiring[],
    end: number,
    options: VerifyOptions = {},
): VerifyReport {
    const tolerance = options.toleranceMs ?? DEFAULT_TOLERANCE_MS;
    const replayable: ReplayAutomation[] = [];
    const unsupported = new Map<string, string>();
    for (const a of automations) {
        const r = toReplayAutomation(a);
        if ("unsupported" in r) unsupported.set(a.id, r.unsupported);
        else replayable.push(r);
    }
    const start = Math.min(...automations.map((a) => a.createdAt)) - 60_000;
    const firings: Firing[] = replayable.length > 0 ? replay(replayable, events, { start, end }) : [];
    const byId = new Map(automations.map((a) => [a.id, a]));
    const proactive = new Set(replayable.filter((r) => r.trigger.posture === "Proactive").map((r) => r.key));
    const predicted = new Map<string, number[]>();
    /** Proactive firings predicted within a tick after the automation's deletion: neither counted nor dropped yet. */
    const undecided = new Map<string, number[]>();
    const add = (m: Map<string, number[]>, id: string, at: number) => m.set(id, [...(m.get(id) ?? []), at]);
    for (const f of firings) {
        const deletedAt = byId.get(f.automation)!.deletedAt;
        // A deleted automation fires no more.
        if (deletedAt === undefined || f.at <= deletedAt) add(predicted, f.automation, f.at);
        else if (proactive.has(f.automation) && f.at <= deletedAt + TICK_MS) add(undecided, f.automation, f.at);
    }
    const actual = new Map<string, number[]>();
    const unknown = new Map<string, { id: string; name: string; firings: number }>();
    for (const r of recorded) {
        if (!byId.has(r.automationId)) {
            const u = unknown.get(r.automationId) ?? { id: r.automationId, name: r.name ?? "?", firings: 0 };
            u.firings++;
            unknown.set(r.automationId, u);
        } else if (r.at <= end) actual.set(r.automationId, [...(actual.get(r.automationId) ?? []), r.at]);
    }
    const rows = automations.map((a): VerifyRow => {
        const q = actual.get(a.id) ?? [];
        // A Proactive firing is predicted on the replay's 5 s grid, up to a tick after the server's (whose loop phase
        // drifts): one predicted just after the deletion counts when Prefect recorded one just before it, unpaired
        // otherwise (a file that deletes an automation as soon as it has fired deletes it between the two).
        const p = [...(predicted.get(a.id) ?? [])];
        let spare = unpaired(p, q, tolerance).actual;
        for (const at of undecided.get(a.id) ?? []) {
            const match = spare.find((t) => Math.abs(t - at) <= tolerance);
            if (match === undefined) continue;
            p.push(at);
            spare = spare.filter((t) => t !== match);
        }
        const row: VerifyRow = {
            id: a.id,
            name: a.stored.name,
            origin: a.origin,
            predicted: p.length,
            actual: q.length,
            agree: p.length === q.length,
        };
        const why = unsupported.get(a.id);
        if (why) return { ...row, predicted: 0, agree: q.length === 0, reason: `not simulated: ${why}` };
        if (row.agree) return row;
        const left = unpaired(p, q, tolerance);
        const reasons = [
            ...(left.predicted.length ? [reasonFor(a, left.predicted, "predicted", end, tolerance)] : []),
            ...(left.actual.length ? [reasonFor(a, left.actual, "recorded", end, tolerance)] : []),
        ];
        return { ...row, reason: reasons.join("; ") || "same firings within the tolerance, counted differently" };
    });
    const sum = (f: (r: VerifyRow) => number) => rows.reduce((n, r) => n + f(r), 0);
    return {
        rows,
        unknown: [...unknown.values()],
        totals: {
            automations: rows.length,
            agreeing: rows.filter((r) => r.agree).length,
            predicted: sum((r) => r.predicted),
            actual: sum((r) => r.actual),
            notSimulated: unsupported.size,
        },
    };
}

/** The report as text: a table (name, predicted, actual, agree), the totals, then each disagreement with its reason. */
export function formatVerifyReport(report: VerifyReport): string {
    const name = (r: VerifyRow) => {
        const n = `${r.name} ${r.id.slice(0, 8)}`;
        return n.length > 58 ? `${n.slice(0, 55)}...` : n;
    };
    const lines = [`${"automation".padEnd(58)} ${"origin".padEnd(22)} pred  act  agree`];
    const sorted = [...report.rows].sort((a, b) => (a.origin ?? "").localeCompare(b.origin ?? "") || a.name.localeCompare(b.name));
    const count = (k: number) => String(k).padStart(4);
    for (const r of sorted) {
        const origin = (r.origin ?? "").slice(0, 22).padEnd(22);
        lines.push(`${name(r).padEnd(58)} ${origin} ${count(r.predicted)} ${count(r.actual)}  ${r.agree ? "yes" : "NO"}`);
    }
    const t = report.totals;
    lines.push(
        `totals: ${t.agreeing}/${t.automations} automations agree; firings predicted ${t.predicted}, recorded ${t.actual}` +
            (t.notSimulated ? `; ${t.notSimulated} not simulated` : "") +
            (report.unknown.length ? `; ${report.unknown.length} automation(s) the journal did not see fired` : ""),
    );
    const off = sorted.filter((r) => !r.agree || r.reason);
    const notes = [
        ...off.map((r) => `  ${name(r)}: ${r.predicted} vs ${r.actual}: ${r.reason}`),
        ...report.unknown.map(
            (u) => `  ${u.name} ${u.id.slice(0, 8)}: fired ${u.firings}x, never journaled (a create whose answer was lost?)`,
        ),
    ];
    if (notes.length) lines.push("disagreements and notes:", ...notes);
    return lines.join("\n");
}

/**
 * The event-name prefixes that cover every event the automations can be interested in (their `expect` and
 * `after` patterns up to the first wildcard), so that reading the history skips the rest (logs, task runs, ...).
 * Undefined when some trigger is interested in any event (no `expect`, or a pattern starting with a wildcard).
 */
export function interestPrefixes(automations: ReplayAutomation[]): string[] | undefined {
    const prefixes = new Set<string>();
    for (const a of automations) {
        const { expect, after } = a.trigger;
        if (expect.length === 0) return undefined;
        for (const pattern of [...expect, ...after]) {
            // A negated pattern (`!x`) is interested in everything else.
            const prefix = pattern.startsWith("!") ? "" : pattern.split(/[*?[]/)[0];
            if (prefix === "") return undefined;
            prefixes.add(prefix);
        }
    }
    const sorted = [...prefixes].sort();
    return sorted.filter((p) => !sorted.some((q) => q !== p && p.startsWith(q)));
}
