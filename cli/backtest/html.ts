import { escapeHtml, htmlPage, stackedBarChart } from "../report/html";
import { BacktestSummary, Row, hourRanges, perDay } from "./aggregate";
import { BacktestDiff, COUNTED, DiffRow } from "./diff";

/**
 * The backtest as one self-contained HTML page in the report's style (pure): the report's CSS, inline SVG bar
 * charts of messages and pages per day, no script, no external resource, no link.
 */

const COLORS = { messages: "#2456b3", pages: "#d64545" } as const;

/** Messages (bottom) and pages (top) per day, stacked, in the report's chart (cli/report/html.ts stackedBarChart). */
export function deliveriesChart(days: string[], daily: Row["daily"], label: string): string {
    const series = (["messages", "pages"] as const).map((kind) => ({ kind, color: COLORS[kind], values: daily[kind] }));
    return stackedBarChart(days, series, `messages and pages per day of ${label}`);
}

const n = (v: number, bad = false) => `<td class="n${bad && v ? " bad" : ""}">${v}</td>`;

function rowsTable(title: string, rows: Row[], days: number, label: (r: Row) => string = (r) => r.key): string {
    if (!rows.length) return "";
    const body = rows
        .map(
            (r) =>
                `<tr><td>${escapeHtml(label(r))}</td>${n(r.messages)}<td class="n">${perDay(r.messages, days)}</td>${n(r.pages, true)}` +
                `<td class="n">${perDay(r.pages, days)}</td>${n(r.opened)}${n(r.resolved)}${n(r.held)}</tr>`,
        )
        .join("\n");
    return (
        `<table><thead><tr><th>${escapeHtml(title)}</th><th>messages</th><th>/day</th><th>pages</th><th>/day</th>` +
        `<th>incidents opened</th><th>resolved</th><th>held</th></tr></thead><tbody>\n${body}\n</tbody></table>`
    );
}

function section(s: BacktestSummary, heading: string): string {
    const d = s.days.length;
    const t = s.total;
    const cards = [t, ...s.channels.filter((c) => c.messages + c.pages > 0)]
        .map((r) => {
            const label = r === t ? "all channels" : r.key;
            const meta = `<div class="meta">${r.messages} messages, ${r.pages} pages</div>`;
            return `<div class="card"><h3>${escapeHtml(label)}</h3>${meta}${deliveriesChart(s.days, r.daily, label)}</div>`;
        })
        .join("\n");
    return [
        `<h2>${escapeHtml(heading)}</h2>`,
        `<p class="meta">${s.firings} firings: ${t.messages} messages (${perDay(t.messages, d)}/day), ${t.pages} pages ` +
            `(${perDay(t.pages, d)}/day), ${t.opened} incidents opened, ${t.resolved} resolved. ` +
            `Quiet hours (UTC): ${escapeHtml(s.quietHours.length ? hourRanges(s.quietHours) : "none")}.</p>`,
        `<div class="cards">${cards}</div>`,
        `<h2>Per automation</h2>`,
        rowsTable("automation", s.automations, d, (r) => `${(r as BacktestSummary["automations"][number]).name} (${r.key})`),
        `<h2>Per route</h2>`,
        rowsTable("route", s.routes, d) || `<p>No route.</p>`,
        `<h2>Per channel</h2>`,
        rowsTable("channel", s.channels, d),
        `<h2>Noisiest flows</h2>`,
        rowsTable("flow", s.noisiest, d) || `<p>No flow caused a message or a page.</p>`,
        ...(s.notSimulated.length
            ? [`<h2>Not simulated</h2>`, `<ul>${s.notSimulated.map((x) => `<li>${escapeHtml(x)}</li>`).join("")}</ul>`]
            : []),
    ].join("\n");
}

function diffTable(title: string, rows: DiffRow[]): string {
    if (!rows.length) return "";
    const cell = (r: DiffRow, c: (typeof COUNTED)[number]) => {
        const delta = r.after[c] - r.before[c];
        if (!delta) return `<td class="n">${r.after[c]}</td>`;
        return `<td class="n ${delta > 0 ? "bad" : "ok"}">${r.before[c]} → ${r.after[c]} (${delta > 0 ? "+" : ""}${delta})</td>`;
    };
    return (
        `<table><thead><tr><th>${escapeHtml(title)}</th>${COUNTED.map((c) => `<th>${c}</th>`).join("")}</tr></thead><tbody>\n` +
        rows.map((r) => `<tr><td>${escapeHtml(r.key)}</td>${COUNTED.map((c) => cell(r, c)).join("")}</tr>`).join("\n") +
        `\n</tbody></table>`
    );
}

/** The page: the base stack's backtest; with --against, the difference first, then the second stack's backtest. */
export function renderBacktestHtml(base: BacktestSummary, against?: { after: BacktestSummary; diff: BacktestDiff }): string {
    const title = `Backtest: ${base.stack}${against ? ` against ${against.after.stack}` : ""}, ${base.days[0]} to ${base.days.at(-1)}`;
    const legend = (["messages", "pages"] as const)
        .map((k) => `<span><i class="sw" style="background:${COLORS[k]}"></i>${k}</span>`)
        .join("");
    const diff = against?.diff;
    return htmlPage(title, [
        `<p class="meta">${base.days.length} days (UTC), the flow runs Prefect recorded, replayed through each config's automations.</p>`,
        `<p class="legend">${legend}</p>`,
        ...(diff
            ? [
                  `<h2>What ${escapeHtml(diff.after)} changes against ${escapeHtml(diff.before)}</h2>`,
                  diffTable("total", [diff.total]),
                  diffTable("automation", diff.automations),
                  diffTable("route", diff.routes),
                  diffTable("channel", diff.channels),
                  diffTable("flow", diff.flows),
              ]
            : []),
        section(base, `Stack ${base.stack}`),
        ...(against ? [section(against.after, `Stack ${against.after.stack}`)] : []),
    ]);
}
