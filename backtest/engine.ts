import type { EventTriggerSpec, Labels } from "../prefect/vocabulary";
import { bucketingKey, coversResources, expectsEvent, fnmatch, startsAfter } from "./match";

/**
 * A pure model of Prefect 3.9.1's trigger engine for event triggers (server/events/triggers.py), replayed over a
 * history of events in the order they occurred. It keeps what the server keeps: one bucket per automation and
 * `for_each` key (start, end, count, last event), the `expect` events a Proactive trigger with `after` holds
 * (server/events/models/automation_held_events.py), and when each Proactive trigger is next evaluated. Line
 * references are to triggers.py of 3.9.1.
 *
 * Not modelled: compound and sequence triggers (the program plans none), Cloud-only SLAs and metric triggers,
 * events that arrive out of order (the server orders a run's state events by `follows`; the replay takes them in
 * the order they occurred), and the exact instant of the periodic evaluation: the server evaluates Proactive
 * triggers on a 5 s loop whose phase drifts, so a Proactive firing is predicted on a 5 s grid (`tickMs`) and is
 * within one tick of the real one.
 */

export type { EventTriggerSpec };

export interface ReplayEvent {
    id: string;
    /** When it occurred, ms since the epoch. */
    occurred: number;
    event: string;
    resource: Record<string, string>;
    related: Record<string, string>[];
}

export interface ReplayAutomation {
    key: string;
    name: string;
    /** Enabled from the start of the replay (or from `enabledAt`). */
    enabled: boolean;
    trigger: EventTriggerSpec;
    /** Keys of the automations it resumes when it fires (`resume-automation`, source selected). */
    arms: string[];
    /** It pauses itself when it fires (an armed resolve: `pause-automation`, source inferred, in `actions_on_trigger`). */
    pausesItself: boolean;
    /**
     * When it starts being evaluated (ms): a muted automation's mute end (disabled until then, then enabled), or when
     * an automation was created. Without it, an enabled automation is on from the start of the replay.
     */
    enabledAt?: number;
}

export interface Firing {
    /** The automation's key. */
    automation: string;
    /** When it fired (ms): the event's time for a Reactive trigger, the evaluation tick for a Proactive one. */
    at: number;
    /** The event Prefect renders the message from: the one that fired it, else the bucket's last event. */
    triggeringEvent?: ReplayEvent;
    /** The bucket's `for_each` values in sorted label order, joined with "," ("" without `for_each`). */
    bucket: string;
}

export interface ReplayOptions {
    /** Period of the server's Proactive evaluation loop (PREFECT_SERVER_EVENTS_PROACTIVE_GRANULARITY): 5 s. */
    tickMs?: number;
    /** Where the tick grid sits: ticks at `tickPhaseMs + k * tickMs`. */
    tickPhaseMs?: number;
    /** How long after a firing its pause / resume actions take effect (the actions service; measured 3.2 s on 3.9.1). */
    actionDelayMs?: number;
    /**
     * Offer every event to every enabled automation instead of only to those it can interest: the
     * straightforward replay the index is checked against (tests/backtest.index.test.ts). Same firings, slower.
     */
    unindexed?: boolean;
}

/** triggers.py line 674: a trigger without `after` opens its first bucket this far back (ordering/__init__.py). */
export const PRECEDING_EVENT_LOOKBACK_MS = 15 * 60_000;
/** `sweep_closed_buckets` deletes buckets that ended this long ago (PREFECT_EVENTS_EXPIRED_BUCKET_BUFFER, 60 s). */
export const EXPIRED_BUCKET_BUFFER_MS = 60_000;
/** Held `expect` events older than this (measured from the newest held one) are dropped (2 × the lookback). */
const HELD_RETENTION_MS = 2 * PRECEDING_EVENT_LOOKBACK_MS;

interface Bucket {
    key: string[];
    start: number;
    end: number;
    count: number;
    lastEvent?: ReplayEvent;
}

/** One automation's state, as the server keeps it across pauses (a PATCH of `enabled` keeps the buckets). */
class Evaluator {
    readonly buckets = new Map<string, Bucket>();
    readonly held = new Map<string, ReplayEvent[]>();
    enabled = false;
    /** `next_proactive_runs`: when it is evaluated next (at the first tick from then); set to the load time on enabling. */
    nextRun: number | undefined;
    private readonly withinMs: number;

    constructor(
        readonly automation: ReplayAutomation,
        private readonly fire: (a: ReplayAutomation, at: number, bucket: Bucket, event?: ReplayEvent) => void,
    ) {
        const t = automation.trigger;
        // schemas/automations.py `enforce_minimum_within_for_proactive_triggers`: a Proactive 0 becomes 10 s.
        this.withinMs = (t.posture === "Proactive" && !t.within ? 10 : t.within) * 1000;
    }

    private get t(): EventTriggerSpec {
        return this.automation.trigger;
    }
    private get proactive(): boolean {
        return this.t.posture === "Proactive";
    }
    /** `EventTrigger.immediate`: Reactive with `within` 0 fires on every event, whatever the bucket's window. */
    private get immediate(): boolean {
        return !this.proactive && this.withinMs === 0;
    }
    /** `holds_expect_events`: Proactive with `after`. */
    private get holds(): boolean {
        return this.proactive && this.t.after.length > 0;
    }
    private meetsThreshold(count: number): boolean {
        return this.proactive ? count < this.t.threshold : count >= this.t.threshold;
    }

    /** The bucket of a key, unless the periodic sweep (every tick) has deleted it since it ended. */
    bucket(key: string[], lastSweep: number): Bucket | undefined {
        const id = key.join("\u0000");
        const b = this.buckets.get(id);
        if (b && b.end <= lastSweep - EXPIRED_BUCKET_BUFFER_MS) {
            this.buckets.delete(id);
            return undefined;
        }
        return b;
    }
    private remove(b: Bucket): void {
        this.buckets.delete(b.key.join("\u0000"));
    }
    private heldIn(key: string[], start: number, end: number): number {
        if (!this.holds) return 0;
        return (this.held.get(key.join("\u0000")) ?? []).filter((e) => e.occurred >= start && e.occurred < end).length;
    }
    /** `ensure_bucket`: the existing bucket untouched, or a new one counting the held events in its window. */
    private ensure(key: string[], start: number, end: number, lastEvent: ReplayEvent | undefined, initial: number, sweep: number): Bucket {
        const existing = this.bucket(key, sweep);
        if (existing) return existing;
        return this.startNew(key, start, end, initial, lastEvent);
    }
    /** `start_new_bucket`: replaces the key's bucket, counting the held events in its window. */
    private startNew(key: string[], start: number, end: number, count: number, lastEvent?: ReplayEvent): Bucket {
        const b: Bucket = { key, start, end, count: count + this.heldIn(key, start, end), lastEvent };
        this.buckets.set(key.join("\u0000"), b);
        return b;
    }
    private hold(key: string[], e: ReplayEvent): void {
        const id = key.join("\u0000");
        const list = this.held.get(id) ?? [];
        if (list.some((h) => h.id === e.id)) return;
        list.push(e);
        const newest = Math.max(...list.map((h) => h.occurred));
        const horizon = Math.max(HELD_RETENTION_MS, this.withinMs);
        this.held.set(
            id,
            list.filter((h) => h.occurred >= newest - horizon),
        );
    }

    /** `evaluate` (triggers.py line 89): spend the event's count, fire, and open the next bucket. */
    private evaluate(b: Bucket, now: number, event: ReplayEvent | undefined): Bucket | undefined {
        let count = event ? 1 : 0;
        // Case 1 (line 143): an event older than the bucket (a Reactive trigger inside its cooldown) changes nothing.
        if (now < b.start) return b;
        const previousLast = b.lastEvent;
        if (count && (this.immediate || (b.start <= now && now < b.end))) {
            b.count += count;
            if (event) b.lastEvent = event;
            count = 0;
        }
        // Line 177: Reactive fires as soon as the threshold is met; Proactive only once its whole window has passed.
        const ready = !this.proactive || b.end <= now;
        const meets = this.meetsThreshold(b.count);
        if (ready && meets) {
            this.fire(this.automation, now, b, event ?? b.lastEvent);
            this.remove(b);
        } else if (now < b.end) {
            // Line 232: the same event in `after` and `expect` (a heartbeat) restarts the window from itself.
            if (event && this.proactive && !meets && startsAfter(this.t.after, event.event) && expectsEvent(this.t.expect, event.event)) {
                this.remove(b);
                let last = event;
                if (
                    previousLast &&
                    expectsEvent(this.t.expect, previousLast.event) &&
                    !startsAfter(this.t.after, previousLast.event) &&
                    previousLast.occurred >= event.occurred
                )
                    last = previousLast;
                return this.startNew(b.key, event.occurred, event.occurred + this.withinMs, 0, last);
            }
            return b;
        }
        // Past the window, or fired: with `after` the bucket waits for the next opening event.
        if (this.t.after.length > 0) {
            this.remove(b);
            return undefined;
        }
        if (this.withinMs === 0) return undefined;
        // Line 300: the next window starts where this one ended (a tumbling window), or now if that is later.
        const start = Math.max(b.end, now);
        const end = start + this.withinMs;
        if (!this.proactive && count > 0) {
            // Case 4: an event past the window is spent in the next one, which may fire at once.
            return this.evaluate(this.startNew(b.key, start, end, 0), now, event);
        }
        return this.startNew(b.key, start, end, count);
    }

    /** `reactive_evaluation` for one trigger (line 581). `sweep` is the last tick at or before the event. */
    onEvent(e: ReplayEvent, sweep: number): void {
        const t = this.t;
        // `find_interested_triggers`: the event's name against `expect` and `after` (plain fnmatch), or any event without `expect`.
        if (t.expect.length > 0 && ![...t.expect, ...t.after].some((p) => fnmatch(e.event, p))) return;
        if (!coversResources(t.match, t.match_related, e.resource, e.related)) return;
        const key = bucketingKey(t.for_each, e.resource, e.related);
        const expects = expectsEvent(t.expect, e.event);
        let b: Bucket | undefined;
        if (t.after.length > 0 && startsAfter(t.after, e.event))
            // Line 649: an event both in `after` and `expect` starts at -1, so its own count leaves the new bucket at 0.
            b = this.ensure(key, e.occurred, e.occurred + this.withinMs, e, expects ? -1 : 0, sweep);
        if (!b && t.after.length === 0 && expects)
            b = this.ensure(key, e.occurred - PRECEDING_EVENT_LOOKBACK_MS, e.occurred + this.withinMs, e, 0, sweep);
        if (!expects) return;
        if (!b) {
            // An `expect`-only event is held for any window that opens later over it, and counts in the current one.
            if (this.holds) this.hold(key, e);
            b = this.bucket(key, sweep);
            if (!b) return;
        }
        this.evaluate(b, e.occurred, e);
    }

    /** `proactive_evaluation` (line 1396), run by `evaluate_proactive_triggers` (line 1452) when the trigger is due. */
    onTick(asOf: number, sweep: number): void {
        let runAgain = asOf + this.withinMs;
        if (this.t.for_each.length === 0) this.ensure([], asOf, asOf + this.withinMs, undefined, 0, sweep);
        // Line 1436 `remove_buckets_exceeding_threshold`: a window that met its threshold is dropped without firing.
        for (const [id, b] of this.buckets) if (b.count >= this.t.threshold) this.buckets.delete(id);
        const open = [...this.buckets.values()].filter((b) => this.bucket(b.key, sweep)).sort((a, b) => a.start - b.start);
        for (const b of open) {
            const next = this.evaluate(b, asOf, undefined);
            if (next && asOf < next.end && next.end < runAgain) runAgain = next.end;
        }
        this.nextRun = runAgain;
    }

    get isProactive(): boolean {
        return this.proactive;
    }
}

/** A pattern without fnmatch's `*`, `?` or `[` matches only the name it spells. */
const isLiteral = (pattern: string) => !/[*?[]/.test(pattern);

/**
 * The related resource ids of which an event must carry one for the trigger to cover it: a `match_related` object
 * whose `prefect.resource.id` is literal (a route's tag). Undefined when no object narrows it so.
 */
function requiredRelatedIds(matchRelated: Labels | Labels[]): string[] | undefined {
    for (const spec of Array.isArray(matchRelated) ? matchRelated : [matchRelated]) {
        const id = spec["prefect.resource.id"];
        if (id === undefined) continue;
        const ids = typeof id === "string" ? [id] : id;
        if (ids.every((v) => !v.startsWith("!") && isLiteral(v))) return ids;
    }
    return undefined;
}

/** The automations (by position) an event name can interest: those open to any related resource, and those by related id. */
interface NameInterest {
    open: number[];
    openEvaluators: Evaluator[];
    byRelatedId: Map<string, number[]>;
}

/**
 * The evaluators an event can interest. By its name, as `find_interested_triggers` picks them (triggers.py line 581):
 * those without `expect` (every event), those whose `expect` or `after` spell the name, and those with a pattern
 * matching it, worked out once per distinct name and kept. Of these, a trigger narrowed to literal related ids (a
 * route's tag) only meets events related to one of them: `covers_resources` would refuse the others, and an event
 * refused there changes nothing. In the automations' order, so one event's firings keep theirs.
 */
function interestIndex(evaluators: Evaluator[]): (e: ReplayEvent) => Evaluator[] {
    const always: number[] = [];
    const exact = new Map<string, number[]>();
    const patterns: { pattern: string; at: number }[] = [];
    const related = evaluators.map((ev) => requiredRelatedIds(ev.automation.trigger.match_related));
    evaluators.forEach((ev, at) => {
        const t = ev.automation.trigger;
        if (t.expect.length === 0) always.push(at);
        else
            for (const pattern of new Set([...t.expect, ...t.after])) {
                if (isLiteral(pattern)) exact.set(pattern, [...(exact.get(pattern) ?? []), at]);
                else patterns.push({ pattern, at });
            }
    });
    const byName = new Map<string, NameInterest>();
    const interestIn = (name: string): NameInterest => {
        let interest = byName.get(name);
        if (!interest) {
            const matching = patterns.filter((p) => fnmatch(name, p.pattern)).map((p) => p.at);
            const ats = [...new Set([...always, ...(exact.get(name) ?? []), ...matching])].sort((x, y) => x - y);
            interest = { open: [], openEvaluators: [], byRelatedId: new Map() };
            for (const at of ats) {
                const ids = related[at];
                if (!ids) interest.open.push(at);
                else for (const id of new Set(ids)) interest.byRelatedId.set(id, [...(interest.byRelatedId.get(id) ?? []), at]);
            }
            interest.openEvaluators = interest.open.map((at) => evaluators[at]);
            byName.set(name, interest);
        }
        return interest;
    };
    return (e) => {
        const { open, openEvaluators, byRelatedId } = interestIn(e.event);
        const narrowed = e.related.flatMap((r) => byRelatedId.get(r["prefect.resource.id"]) ?? []);
        if (narrowed.length === 0) return openEvaluators;
        return [...new Set([...open, ...narrowed])].sort((x, y) => x - y).map((at) => evaluators[at]);
    };
}

type Change = { at: number; key: string; enable: boolean; seq: number };

/**
 * Replays the events through the automations and returns every firing inside the window, in time order. Events
 * outside the window are ignored; pass an earlier `start` to let buckets fill before the period that matters.
 */
export function replay(
    automations: ReplayAutomation[],
    events: ReplayEvent[],
    window: { start: number; end: number },
    options: ReplayOptions = {},
): Firing[] {
    const tick = options.tickMs ?? 5000;
    const phase = options.tickPhaseMs ?? 0;
    const delay = options.actionDelayMs ?? 3000;
    const firings: Firing[] = [];
    const changes: Change[] = [];
    let seq = 0;
    const schedule = (at: number, key: string, enable: boolean) => changes.push({ at, key, enable, seq: seq++ });

    const fire = (a: ReplayAutomation, at: number, b: Bucket, event?: ReplayEvent) => {
        firings.push({ automation: a.key, at, bucket: b.key.join(","), ...(event ? { triggeringEvent: event } : {}) });
        for (const k of a.arms) schedule(at + delay, k, true);
        if (a.pausesItself) schedule(at + delay, a.key, false);
    };
    const evaluators = new Map(automations.map((a) => [a.key, new Evaluator(a, fire)]));
    for (const a of automations) {
        if (a.enabledAt !== undefined) schedule(Math.max(a.enabledAt, window.start), a.key, true);
        else if (a.enabled) schedule(window.start, a.key, true);
    }

    /** The last tick at or before a time (the sweep and the Proactive loop run on it). */
    const tickAtOrBefore = (t: number) => phase + Math.floor((t - phase) / tick) * tick;
    const tickAtOrAfter = (t: number) => phase + Math.ceil((t - phase) / tick) * tick;
    const ordered = events.filter((e) => e.occurred >= window.start && e.occurred <= window.end).sort((a, b) => a.occurred - b.occurred);
    const all = [...evaluators.values()];
    // Only Proactive triggers are evaluated on ticks; an event only meets the automations its name can interest.
    const proactive = all.filter((ev) => ev.isProactive);
    const interested = options.unindexed ? () => all : interestIndex(all);
    let i = 0;
    for (;;) {
        const nextChange = changes.reduce<Change | undefined>(
            (m, c) => (!m || c.at < m.at || (c.at === m.at && c.seq < m.seq) ? c : m),
            undefined,
        );
        const nextEvent = ordered[i];
        let nextTick = Infinity;
        for (const ev of proactive) if (ev.enabled && ev.nextRun !== undefined) nextTick = Math.min(nextTick, tickAtOrAfter(ev.nextRun));
        const t = Math.min(nextChange?.at ?? Infinity, nextEvent?.occurred ?? Infinity, nextTick);
        if (t === Infinity || t > window.end) break;
        if (nextChange && nextChange.at === t) {
            changes.splice(changes.indexOf(nextChange), 1);
            const ev = evaluators.get(nextChange.key);
            if (!ev || ev.enabled === nextChange.enable) continue;
            ev.enabled = nextChange.enable;
            // `load_automation` (line 840) forgets when the trigger was last evaluated: it is evaluated at the next tick.
            if (ev.enabled) ev.nextRun = t;
            continue;
        }
        if (nextEvent && nextEvent.occurred === t) {
            i++;
            const sweep = tickAtOrBefore(t);
            for (const ev of interested(nextEvent)) if (ev.enabled) ev.onEvent(nextEvent, sweep);
            continue;
        }
        for (const ev of proactive) if (ev.enabled && ev.nextRun !== undefined && tickAtOrAfter(ev.nextRun) === t) ev.onTick(t, t);
    }
    return firings.filter((f) => f.at >= window.start && f.at <= window.end);
}
