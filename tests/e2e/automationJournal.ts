import { appendFileSync } from "node:fs";
import { basename } from "node:path";
import type { LivedAutomation } from "../../backtest/verify";

/**
 * A journal of the automations the e2e suite makes on its Prefect server: each one as Prefect stored it, when it
 * was created, when it was deleted and any `enabled` switch, one JSON line per call, so that the suite's teardown
 * can replay the whole history through the backtest after the files have deleted their automations
 * (tests/e2e/historyReport.ts). Every e2e call goes through prefectApi.ts's `prefectRequest`, which calls
 * `journalCall`; the global setup names the file in JOURNAL_ENV (unset, e.g. in the bench scripts: no journal).
 */

export const JOURNAL_ENV = "E2E_AUTOMATION_JOURNAL";

export type JournalEntry =
    | { kind: "created"; api: string; id: string; at: number; stored: LivedAutomation["stored"]; origin?: string }
    | { kind: "deleted"; api: string; id: string; at: number }
    | { kind: "switched"; api: string; id: string; at: number; enabled: boolean };

const ONE = /^\/automations\/([0-9a-f-]{36})$/;

/** The journal entry of a successful API call, if it made, deleted or switched an automation (pure). */
export function journalEntry(api: string, method: string, path: string, body: any, response: any, now: number): JournalEntry | undefined {
    if (method === "POST" && path === "/automations/" && response?.id) {
        const created = Date.parse(response.created ?? "");
        return { kind: "created", api, id: response.id, at: Number.isNaN(created) ? now : created, stored: response };
    }
    const id = ONE.exec(path)?.[1];
    if (!id) return undefined;
    if (method === "DELETE") return { kind: "deleted", api, id, at: now };
    if ((method === "PATCH" || method === "PUT") && typeof body?.enabled === "boolean")
        return { kind: "switched", api, id, at: now, enabled: body.enabled };
    return undefined;
}

/** Appends the call's entry to the journal, when the suite keeps one. */
export function journalCall(api: string, method: string, path: string, body: unknown, response: unknown): void {
    const file = process.env[JOURNAL_ENV];
    if (!file) return;
    const entry = journalEntry(api, method, path, body, response, Date.now());
    if (!entry) return;
    // The test file that made it (vitest's worker state), to tell the rows apart in the report.
    const filepath: string | undefined = (globalThis as any).__vitest_worker__?.filepath;
    if (entry.kind === "created" && filepath) entry.origin = basename(filepath).replace(/\.e2e\.ts$/, "");
    appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

/** The automations of one server, from the journal's lines (pure): a later line about an unknown id is ignored. */
export function livedAutomations(lines: string[], api: string): LivedAutomation[] {
    const byId = new Map<string, LivedAutomation>();
    for (const line of lines) {
        if (!line.trim()) continue;
        const e = JSON.parse(line) as JournalEntry;
        if (e.api !== api) continue;
        if (e.kind === "created") byId.set(e.id, { id: e.id, stored: e.stored, createdAt: e.at, switches: [], origin: e.origin });
        const a = byId.get(e.id);
        if (!a) continue;
        if (e.kind === "deleted") a.deletedAt = a.deletedAt ?? e.at;
        if (e.kind === "switched") a.switches.push({ at: e.at, enabled: e.enabled });
    }
    return [...byId.values()];
}

/** A `prefect.automation.created` / `deleted` event, as the server stores it (payload: the automation). */
export interface LifecycleEvent {
    event: string;
    occurred: string;
    resource: Record<string, string>;
    payload?: Record<string, any>;
}

/**
 * Adds the automations the journal missed, from the server's own lifecycle events (pure): Prefect emits
 * `prefect.automation.created` and `deleted` with the whole automation as payload (server/events/schemas/lifecycle.py).
 * A create whose answer was lost (the server stored it, the client saw an error) is journaled by no one, and nobody
 * deletes it. The journal stays the source for the rest: it alone tells a client's switch from Prefect's own.
 */
export function withServerLifecycle(journaled: LivedAutomation[], events: LifecycleEvent[]): LivedAutomation[] {
    const known = new Set(journaled.map((a) => a.id));
    const missed = new Map<string, LivedAutomation>();
    for (const e of [...events].sort((a, b) => Date.parse(a.occurred) - Date.parse(b.occurred))) {
        const id = e.resource["prefect.resource.id"]?.replace("prefect.automation.", "");
        if (!id || known.has(id)) continue;
        if (e.event === "prefect.automation.created" && e.payload?.trigger)
            missed.set(id, {
                id,
                stored: e.payload as LivedAutomation["stored"],
                createdAt: Date.parse(e.occurred),
                switches: [],
                origin: "not journaled",
            });
        const a = missed.get(id);
        if (a && e.event === "prefect.automation.deleted") a.deletedAt = Date.parse(e.occurred);
    }
    return [...journaled, ...missed.values()];
}
