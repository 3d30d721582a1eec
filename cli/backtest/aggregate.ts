import type { AlertPlan } from "../../rules/plan";
import type { Delivery } from "./deliveries";

/**
 * What people would have received over the replayed window, counted (pure): per automation, route, channel and
 * flow, messages and pages (in total and per UTC day), incidents opened and resolved, the noisiest flows, and the
 * hours of day (UTC) in which nothing was sent.
 */

const DAY_MS = 86_400_000;

export interface Counts {
    /** Chat, webhook and e-mail messages (a PagerDuty resolve is not one: it closes an incident, nobody is told). */
    messages: number;
    /** PagerDuty `trigger` events that reached PagerDuty. */
    pages: number;
    /** PagerDuty triggers held back by a maintenance window. */
    held: number;
    /** Incidents (service + dedup key) a page opened, and the ones a resolve (or the service's auto-resolve timeout) closed. */
    opened: number;
    resolved: number;
}

export interface Row extends Counts {
    key: string;
    /** Messages and pages per UTC day of the window, in order. */
    daily: { messages: number[]; pages: number[] };
}

export interface BacktestSummary {
    stack: string;
    window: { start: number; end: number };
    /** The UTC days of the window, `YYYY-MM-DD`. */
    days: string[];
    firings: number;
    total: Row;
    automations: (Row & { name: string; tier: string; firings: number })[];
    routes: Row[];
    channels: Row[];
    flows: Row[];
    /** Flows by messages + pages, most first (at most five, none without any). */
    noisiest: Row[];
    /** Hours of day (UTC, 0-23) in which no message and no page went out on any day of the window. */
    quietHours: number[];
    /** What the replay cannot judge: Prefect Cloud SLAs, and automations the engine has no model for. */
    notSimulated: string[];
}

export const utcDays = (window: { start: number; end: number }): string[] => {
    const first = Math.floor(window.start / DAY_MS);
    const last = Math.floor(Math.max(window.start, window.end - 1) / DAY_MS);
    return Array.from({ length: last - first + 1 }, (_, i) => new Date((first + i) * DAY_MS).toISOString().slice(0, 10));
};

const emptyRow = (key: string, days: number): Row => ({
    key,
    messages: 0,
    pages: 0,
    held: 0,
    opened: 0,
    resolved: 0,
    daily: { messages: Array<number>(days).fill(0), pages: Array<number>(days).fill(0) },
});

/** Seconds after which the service behind a PagerDuty channel resolves an incident by itself, if it does. */
function autoResolveMs(plan: AlertPlan, service: string): number | undefined {
    const s = plan.pagerDuty?.services.find((x) => x.service === service);
    return s && s.autoResolveTimeout !== "null" ? Number(s.autoResolveTimeout) * 1000 : undefined;
}

/**
 * The summary of `deliveries` (deliveriesOf, time order) over `window`. `notSimulated` comes from the caller (the
 * plan's SLAs and what the engine left out). Incidents are tracked per PagerDuty service and dedup key: a page for a
 * key with no open incident opens one; a resolve for an open key closes it, counted on the rows of the page that opened it.
 */
export function summarize(
    stack: string,
    plan: AlertPlan,
    deliveries: Delivery[],
    firings: { automation: string }[],
    window: { start: number; end: number },
    notSimulated: string[],
): BacktestSummary {
    const days = utcDays(window);
    const firstDay = Math.floor(window.start / DAY_MS);
    const tables = {
        automations: new Map<string, Row>(),
        routes: new Map<string, Row>(),
        channels: new Map<string, Row>(),
        flows: new Map<string, Row>(),
    };
    const total = emptyRow("total", days.length);
    const row = (table: Map<string, Row>, key: string) => {
        let r = table.get(key);
        if (!r) table.set(key, (r = emptyRow(key, days.length)));
        return r;
    };
    const rowsOf = (d: Delivery): Row[] => [
        total,
        row(tables.automations, d.automation),
        ...d.routes.map((r) => row(tables.routes, r)),
        row(tables.channels, d.channel),
        row(tables.flows, d.flow),
    ];
    // Every automation and channel of the plan has a row, zero included: "sends nothing" is an answer too.
    for (const a of plan.automations) row(tables.automations, a.key);
    for (const b of plan.blocks) row(tables.channels, b.channel);

    const open = new Map<string, { since: number; rows: Row[] }>();
    const expire = (incident: string, at: number) => {
        const o = open.get(incident);
        const ttl = autoResolveMs(plan, incident.split("|")[0]);
        if (o && ttl !== undefined && o.since + ttl <= at) {
            for (const r of o.rows) r.resolved++;
            open.delete(incident);
        }
    };
    const busyHours = new Set<number>();
    for (const d of deliveries) {
        const day = Math.floor(d.at / DAY_MS) - firstDay;
        const rows = rowsOf(d);
        if (d.kind === "message" || d.kind === "page") busyHours.add(new Date(d.at).getUTCHours());
        if (d.kind === "message")
            for (const r of rows) {
                r.messages++;
                if (day >= 0 && day < days.length) r.daily.messages[day]++;
            }
        else if (d.kind === "held") for (const r of rows) r.held++;
        else if (d.kind === "page") {
            for (const r of rows) {
                r.pages++;
                if (day >= 0 && day < days.length) r.daily.pages[day]++;
            }
            expire(d.incident!, d.at);
            if (!open.has(d.incident!)) {
                open.set(d.incident!, { since: d.at, rows });
                for (const r of rows) r.opened++;
            }
        } else {
            expire(d.incident!, d.at);
            const o = open.get(d.incident!);
            if (o) {
                for (const r of o.rows) r.resolved++;
                open.delete(d.incident!);
            }
        }
    }
    for (const incident of [...open.keys()]) expire(incident, window.end);

    const sorted = (t: Map<string, Row>) => [...t.values()].sort((a, b) => a.key.localeCompare(b.key));
    const firedTimes = new Map<string, number>();
    for (const f of firings) firedTimes.set(f.automation, (firedTimes.get(f.automation) ?? 0) + 1);
    const flows = sorted(tables.flows);
    return {
        stack,
        window,
        days,
        firings: firings.length,
        total,
        automations: plan.automations.map((a) => ({
            ...tables.automations.get(a.key)!,
            name: a.name,
            tier: a.tier,
            firings: firedTimes.get(a.key) ?? 0,
        })),
        routes: sorted(tables.routes),
        channels: sorted(tables.channels),
        flows,
        noisiest: flows
            .filter((f) => f.messages + f.pages > 0)
            .sort((a, b) => b.messages + b.pages - (a.messages + a.pages) || a.key.localeCompare(b.key))
            .slice(0, 5),
        quietHours: Array.from({ length: 24 }, (_, h) => h).filter((h) => !busyHours.has(h)),
        notSimulated,
    };
}

/** Hours as ranges: [0,1,2,5,22,23] -> "00-03, 05-06, 22-24" (each range's end is the hour after its last). */
export function hourRanges(hours: number[]): string {
    const out: string[] = [];
    const two = (h: number) => String(h).padStart(2, "0");
    for (let i = 0; i < hours.length;) {
        let j = i;
        while (j + 1 < hours.length && hours[j + 1] === hours[j] + 1) j++;
        out.push(`${two(hours[i])}-${two(hours[j] + 1)}`);
        i = j + 1;
    }
    return out.join(", ");
}

/** Per-day average over the window, one decimal. */
export const perDay = (n: number, days: number): string => (n / Math.max(1, days)).toFixed(1);
