import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { ReplayEvent } from "../../backtest/engine";
import { RecordedFiring, formatVerifyReport, interestPrefixes, toReplayAutomation, verifyHistory } from "../../backtest/verify";
import { livedAutomations, withServerLifecycle } from "./automationJournal";
import { PrefectEvent, eventPages, post } from "./prefectApi";

/**
 * The backtest over the whole history the e2e suite leaves on its server (issue 17, part 2), run by the global
 * teardown before the server stops: every automation the journal saw (automationJournal.ts), replayed over its
 * lifetime through backtest/engine.ts against the server's events, compared with the `prefect.automation.triggered`
 * events Prefect recorded. A report, not a test: it never fails the suite (backtest/verify.ts is unit-tested, and
 * tests/e2e/backtest.e2e.ts asserts exactness on scenarios built for it).
 */

/** Concurrent time slices the events are read in: /events/filter serves at most 50 a page, one page after another. */
const SLICES = 4;

export async function historyReport(api: string, journalFile: string, outFile: string): Promise<string> {
    const t0 = Date.now();
    const lines = existsSync(journalFile) ? readFileSync(journalFile, "utf8").split("\n") : [];
    const journaled = livedAutomations(lines, api);
    if (journaled.length === 0) return write(outFile, "[e2e history] no automation was journaled: nothing to compare");
    const waited = await storeCaughtUp(api, journaled);
    const end = Date.now();
    const start = Math.min(...journaled.map((a) => a.createdAt)) - 60_000;
    const lifecycle = await eventsIn(api, { name: ["prefect.automation.created", "prefect.automation.deleted"] }, start, end);
    const automations = withServerLifecycle(journaled, lifecycle);
    const replayable = automations.map(toReplayAutomation).flatMap((r) => ("unsupported" in r ? [] : [r]));
    const prefixes = interestPrefixes(replayable);
    const nameFilter: Record<string, string[]> = prefixes
        ? { prefix: prefixes }
        : { exclude_prefix: ["prefect.log.", "prefect.task-run."] };
    const [events, triggered] = await Promise.all([
        eventsIn(api, nameFilter, start, end),
        eventsIn(api, { name: ["prefect.automation.triggered"] }, start, end),
    ]);
    const read = Date.now();
    const recorded: RecordedFiring[] = triggered.map((e) => ({
        automationId: e.resource["prefect.resource.id"].replace("prefect.automation.", ""),
        name: e.resource["prefect.resource.name"],
        at: Date.parse(e.occurred),
    }));
    const history: ReplayEvent[] = events.map((e) => ({
        id: e.id,
        occurred: Date.parse(e.occurred),
        event: e.event,
        resource: e.resource,
        related: e.related ?? [],
    }));
    const report = verifyHistory(automations, history, recorded, end);
    const done = Date.now();
    const cost =
        `read ${events.length} events and ${triggered.length} firings over ${((end - start) / 60_000).toFixed(1)} min in ` +
        `${((read - t0) / 1000).toFixed(1)} s (${(waited / 1000).toFixed(1)} s of it waiting for the event store), ` +
        `replayed in ${((done - read) / 1000).toFixed(1)} s`;
    return write(
        outFile,
        `[e2e history] predicted vs actual per automation over the whole e2e run (${cost})\n${formatVerifyReport(report)}`,
    );
}

/**
 * The server stores events in batches, up to `event_persister.flush_interval` (5 s) after they happen, so an
 * automation that fired just before the last file deleted it may not be readable yet. Prefect emits
 * `prefect.automation.deleted` when an automation is deleted (server/events/schemas/lifecycle.py), after any
 * firing that came before; once the last deletion's event is stored, so are they. Waits at most 10 s; returns ms.
 */
async function storeCaughtUp(api: string, automations: { id: string; deletedAt?: number }[]): Promise<number> {
    const t0 = Date.now();
    const last = automations.filter((a) => a.deletedAt !== undefined).sort((a, b) => b.deletedAt! - a.deletedAt!)[0];
    if (!last) return 0;
    const filter = {
        event: { name: ["prefect.automation.deleted"] },
        resource: { id: [`prefect.automation.${last.id}`] },
        occurred: iso(last.deletedAt! - 60_000, Date.now() + 60_000),
    };
    while (Date.now() - t0 < 10_000) {
        const page = await post<{ events: unknown[] }>(api, "/events/filter", { filter, limit: 1 });
        if (page.events.length > 0) break;
        await new Promise((r) => setTimeout(r, 500));
    }
    return Date.now() - t0;
}

function write(file: string, text: string): string {
    writeFileSync(file, `${text}\n`);
    return text;
}

/** Every event matching `name` in [since, until], read in concurrent time slices, oldest first, each once. */
async function eventsIn(api: string, name: Record<string, string[]>, since: number, until: number): Promise<PrefectEvent[]> {
    const step = Math.ceil((until - since + 1) / SLICES);
    // Bounds are inclusive and shared by neighbouring slices (times have microseconds): an event on one is read twice, kept once.
    const slices = Array.from({ length: SLICES }, (_, i) => [since + i * step, Math.min(until, since + (i + 1) * step)]);
    const pages = await Promise.all(slices.map(([from, to]) => eventPages(api, { event: name, occurred: iso(from, to), order: "ASC" })));
    const byId = new Map(pages.flat().map((e) => [e.id, e]));
    return [...byId.values()].sort((a, b) => Date.parse(a.occurred) - Date.parse(b.occurred));
}

const iso = (from: number, to: number) => ({ since: new Date(from).toISOString(), until: new Date(to).toISOString() });
