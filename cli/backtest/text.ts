import { BacktestSummary, Row, hourRanges, perDay } from "./aggregate";
import { BacktestDiff, COUNTED, Counted, DiffRow } from "./diff";

/** The backtest as text for a terminal, and the --against difference as Markdown for a review comment (pure). */

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : " ".repeat(n - s.length) + s);

function table(title: string, rows: Row[], days: number, label: (r: Row) => string = (r) => r.key): string[] {
    if (!rows.length) return [];
    const width = Math.min(60, Math.max(...rows.map((r) => label(r).length), 10));
    const head =
        `  ${pad(title, width)}  ${lpad("messages", 8)} ${lpad("/day", 6)}  ${lpad("pages", 5)} ${lpad("/day", 6)}  ` +
        `${lpad("opened", 6)} ${lpad("resolved", 8)}`;
    const held = rows.some((r) => r.held > 0);
    return [
        held ? `${head} ${lpad("held", 5)}` : head,
        ...rows.map(
            (r) =>
                `  ${pad(label(r), width)}  ${lpad(String(r.messages), 8)} ${lpad(perDay(r.messages, days), 6)}  ` +
                `${lpad(String(r.pages), 5)} ${lpad(perDay(r.pages, days), 6)}  ` +
                `${lpad(String(r.opened), 6)} ${lpad(String(r.resolved), 8)}` +
                (held ? ` ${lpad(String(r.held), 5)}` : ""),
        ),
        "",
    ];
}

export function renderBacktest(s: BacktestSummary, source: string): string {
    const n = s.days.length;
    const t = s.total;
    const lines = [
        `Backtest of stack ${s.stack}: ${s.days[0]} to ${s.days.at(-1)} (${n} day${n === 1 ? "" : "s"}, UTC), ${source}`,
        `${s.firings} firing${s.firings === 1 ? "" : "s"}: ${t.messages} messages (${perDay(t.messages, n)}/day), ` +
            `${t.pages} pages (${perDay(t.pages, n)}/day), ${t.opened} incidents opened, ${t.resolved} resolved` +
            (t.held ? `, ${t.held} pages held by maintenance windows` : ""),
        `Messages and pages per day: ${s.days.map((d, i) => `${d.slice(5)} ${t.daily.messages[i]}+${t.daily.pages[i]}`).join(", ")}`,
        `Quiet hours (UTC, nothing sent): ${s.quietHours.length ? hourRanges(s.quietHours) : "none"}`,
        "",
        ...table("automation", s.automations, n, (r) => `${r.key} (${(r as BacktestSummary["automations"][number]).firings}x)`),
        ...table("route", s.routes, n),
        ...table("channel", s.channels, n),
        ...(s.noisiest.length ? table("noisiest flows", s.noisiest, n) : ["  No flow caused a message or a page.", ""]),
        ...(s.notSimulated.length ? ["Not simulated (the history cannot say):", ...s.notSimulated.map((x) => `  - ${x}`), ""] : []),
    ];
    return `${lines.join("\n")}\n`;
}

const LABELS: Record<Counted, string> = {
    messages: "messages",
    pages: "pages",
    opened: "incidents opened",
    resolved: "resolved",
    held: "held",
};

const cell = (d: DiffRow, c: Counted): string => {
    const delta = d.after[c] - d.before[c];
    return delta === 0 ? String(d.after[c]) : `${d.before[c]} → ${d.after[c]} (${delta > 0 ? "+" : ""}${delta})`;
};

function mdTable(title: string, rows: DiffRow[]): string[] {
    if (!rows.length) return [];
    const cols = COUNTED.filter((c) => c !== "held" || rows.some((r) => r.before.held || r.after.held));
    return [
        `| ${title} | ${cols.map((c) => LABELS[c]).join(" | ")} |`,
        `|---|${cols.map(() => "---:").join("|")}|`,
        ...rows.map((r) => `| ${r.key.replace(/\|/g, "\\|")} | ${cols.map((c) => cell(r, c)).join(" | ")} |`),
        "",
    ];
}

/** The difference as Markdown: a one-line verdict, then one table per view with the changed rows only. */
export function renderDiff(d: BacktestDiff): string {
    const n = d.days.length;
    const same = COUNTED.every((c) => d.total.before[c] === d.total.after[c]) && !d.automations.length && !d.channels.length;
    const lines = [
        `### Backtest: ${d.after} against ${d.before}, ${d.days[0]} to ${d.days.at(-1)} (${n} day${n === 1 ? "" : "s"}, UTC)`,
        "",
        same
            ? "No difference: over this history both configs send the same messages and pages."
            : `Messages ${cell(d.total, "messages")}, pages ${cell(d.total, "pages")}, incidents opened ${cell(d.total, "opened")}, ` +
              `resolved ${cell(d.total, "resolved")}.`,
        "",
        ...mdTable("automation", d.automations),
        ...mdTable("route", d.routes),
        ...mdTable("channel", d.channels),
        ...mdTable("flow", d.flows),
    ];
    return `${lines.join("\n")}\n`;
}
