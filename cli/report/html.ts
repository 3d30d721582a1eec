import type { Coverage } from "../../rules/coverage";
import type { DayCount, FlowStats, Report } from "./model";
import { runUrl } from "./endpoint";
import { flowLabel, formatDuration, formatRate, formatTime, lastSuccessText } from "./text";

/**
 * The report as one self-contained HTML page (pure): inline CSS, one inline
 * SVG bar chart per flow (completed / failed / other per day), no script, no
 * external resource. The only URLs are links to runs in the Prefect UI.
 */

export const escapeHtml = (s: string): string =>
    s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

const COLORS = { completed: "#2e9e5b", failed: "#d64545", other: "#a0a7b4" } as const;

/** The reports' one style sheet (the backtest's page uses it too). */
export const CSS = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1d2330;background:#f6f7f9}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.meta{color:#5b6474;margin:2px 0}
table{border-collapse:collapse;background:#fff;width:100%}
th,td{padding:6px 10px;border-bottom:1px solid #e3e6eb;text-align:left;vertical-align:top}
th{background:#eef0f4;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.bad{color:#b42323;font-weight:600}.ok{color:#1f7a45}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:12px}
.card{background:#fff;border:1px solid #e3e6eb;border-radius:6px;padding:10px 12px}
.card h3{font-size:14px;margin:0 0 4px;word-break:break-all}
.legend span{display:inline-block;margin-right:12px}.sw{display:inline-block;width:10px;height:10px;margin-right:4px}
a{color:#2456b3}
`;

/** One stacked series of a day-by-day bar chart: its CSS class and title word, colour, and a value per day. */
export interface BarSeries {
    kind: string;
    color: string;
    values: number[];
}

/**
 * A day-by-day stacked bar chart as inline SVG, the first series at the bottom (the report's runs per day, the
 * backtest's messages and pages per day). `aria` says what it shows.
 */
export function stackedBarChart(days: string[], series: BarSeries[], aria: string): string {
    const width = 320;
    const height = 120;
    const left = 24;
    const bottom = 18;
    const top = 8;
    const plotH = height - bottom - top;
    const max = Math.max(1, ...days.map((_, i) => series.reduce((sum, s) => sum + s.values[i], 0)));
    const slot = (width - left) / Math.max(1, days.length);
    const bar = Math.max(2, Math.min(28, slot * 0.7));
    // Label every day when they fit, else every few.
    const every = Math.ceil(days.length / 10);
    const parts = [
        `<line x1="${left}" y1="${top + plotH}" x2="${width}" y2="${top + plotH}" stroke="#c5cad3"/>`,
        `<text x="${left - 4}" y="${top + 8}" font-size="10" text-anchor="end" fill="#5b6474">${max}</text>`,
        `<text x="${left - 4}" y="${top + plotH}" font-size="10" text-anchor="end" fill="#5b6474">0</text>`,
    ];
    days.forEach((day, i) => {
        const x = left + i * slot + (slot - bar) / 2;
        let y = top + plotH;
        for (const { kind, color, values } of series) {
            const n = values[i];
            if (n === 0) continue;
            const h = (n / max) * plotH;
            y -= h;
            parts.push(
                `<rect class="${kind}" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}" ` +
                    `fill="${color}"><title>${day}: ${n} ${kind}</title></rect>`,
            );
        }
        if (i % every === 0 || i === days.length - 1)
            parts.push(
                `<text x="${(x + bar / 2).toFixed(1)}" y="${height - 4}" font-size="10" text-anchor="middle" fill="#5b6474">` +
                    `${day.slice(5)}</text>`,
            );
    });
    return (
        `<svg class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" ` +
        `aria-label="${escapeHtml(aria)}">${parts.join("")}</svg>`
    );
}

/** A day-by-day stacked bar chart: completed at the bottom, then failed, then other. */
export function dailyChart(daily: DayCount[], label: string): string {
    const series = (["completed", "failed", "other"] as const).map((kind) => ({
        kind,
        color: COLORS[kind],
        values: daily.map((d) => d[kind]),
    }));
    return stackedBarChart(
        daily.map((d) => d.day),
        series,
        `runs per day of ${label}`,
    );
}

function flowCard(f: FlowStats, uiUrl: string | undefined): string {
    const label = flowLabel(f);
    const last = f.lastSuccess
        ? uiUrl
            ? `<a href="${escapeHtml(runUrl(uiUrl, f.lastSuccess.id))}">${escapeHtml(lastSuccessText(f))}</a>`
            : escapeHtml(lastSuccessText(f))
        : `<span class="bad">never</span>`;
    return [
        `<div class="card">`,
        `<h3>${escapeHtml(label)}</h3>`,
        `<div class="meta">${f.runs} run${f.runs === 1 ? "" : "s"}, ${f.failures} failed, ` +
            `success ${formatRate(f.successRate)}; last success: ${last}</div>`,
        dailyChart(f.daily, label),
        `</div>`,
    ].join("");
}

/** A self-contained page in the report's style: the frame the report, the backtest and the preview share. */
export function htmlPage(title: string, body: string[]): string {
    return [
        "<!DOCTYPE html>",
        `<html lang="en">`,
        "<head>",
        `<meta charset="utf-8">`,
        `<meta name="viewport" content="width=device-width, initial-scale=1">`,
        `<title>${escapeHtml(title)}</title>`,
        `<style>${CSS}</style>`,
        "</head>",
        "<body>",
        `<h1>${escapeHtml(title)}</h1>`,
        ...body,
        "</body>",
        "</html>",
        "",
    ].join("\n");
}

/** A coverage hint (' (did you mean "owner:x"?)') as words for a table cell, or "-". */
const hintText = (hint: string): string => hint.trim().replace(/^\((.*)\)$/, "$1") || "-";

/** Owner coverage (rules/coverage.ts, the text report's lines) as a section of the page: every name escaped. */
export function coverageSection(c: Coverage): string[] {
    const list = (cls: string, items: string[]) =>
        items.length ? `<ul class="${cls}">${items.map((i) => `<li>${escapeHtml(i)}</li>`).join("")}</ul>` : `<p class="ok">None.</p>`;
    const unknownRows = c.unknownOwner
        .map((u) => `<tr><td>${escapeHtml(u.deployment)}</td><td>${escapeHtml(u.tag)}</td><td>${escapeHtml(hintText(u.hint))}</td></tr>`)
        .join("\n");
    return [
        `<h2>Owners</h2>`,
        `<p class="meta">owner:&lt;team&gt; tags on deployments and their flows.</p>`,
        `<h3>Deployments with no owner tag (${c.unowned.length})</h3>`,
        list("unowned", c.unowned),
        `<h3>Deployments with an owner the stack does not know (${c.unknownOwner.length})</h3>`,
        c.unknownOwner.length
            ? `<table class="unknown-owners"><thead><tr><th>deployment</th><th>tag</th><th>what it should say</th></tr></thead>` +
              `<tbody>\n${unknownRows}\n</tbody></table>`
            : `<p class="ok">None.</p>`,
        `<h3>Owners no deployment carries (${c.unusedOwners.length})</h3>`,
        list("unused-owners", c.unusedOwners),
    ];
}

export function renderHtml(r: Report): string {
    const { period } = r;
    const title = `Prefect report: ${r.stack}, ${period.days[0]} to ${period.days.at(-1)}`;
    const flowRows = r.flows
        .map(
            (f) =>
                `<tr><td>${escapeHtml(flowLabel(f))}</td><td class="n">${f.runs}</td>` +
                `<td class="n${f.failures ? " bad" : ""}">${f.failures}</td><td class="n">${formatRate(f.successRate)}</td>` +
                `<td class="n">${formatDuration(f.medianSeconds)}</td><td class="n">${formatDuration(f.p95Seconds)}</td>` +
                `<td${f.lastSuccess ? "" : ` class="bad"`}>${escapeHtml(lastSuccessText(f))}</td></tr>`,
        )
        .join("\n");
    const noiseRows = r.automations
        .map(
            (a) =>
                `<tr><td>${escapeHtml(a.name)}${a.enabled === false ? " (disabled)" : ""}</td><td class="n">${a.firings}</td>` +
                `<td>${a.causes.map((c) => `${escapeHtml(c.cause)} (${c.count})`).join(", ") || "-"}</td></tr>`,
        )
        .join("\n");
    const legend = (["completed", "failed", "other"] as const)
        .map((k) => `<span><i class="sw" style="background:${COLORS[k]}"></i>${k}</span>`)
        .join("");
    // The API's URL without its scheme: the page links to nothing but runs.
    const api = r.api.replace(/^https?:\/\//, "");
    return htmlPage(title, [
        `<p class="meta">${period.days.length} days (UTC) until ${escapeHtml(formatTime(period.until.toISOString()))}; ` +
            `Prefect API ${escapeHtml(api)}</p>`,
        `<p class="meta">Watched: ${escapeHtml(r.watched.join("; ") || "(no routes)")}</p>`,
        `<h2>Flow runs</h2>`,
        r.flows.length
            ? `<table class="flows"><thead><tr><th>flow / deployment</th><th>runs</th><th>failed</th><th>success</th>` +
              `<th>median</th><th>p95</th><th>last success</th></tr></thead><tbody>\n${flowRows}\n</tbody></table>`
            : `<p>No watched flow run in the period.</p>`,
        `<h2>Runs per day</h2>`,
        `<p class="legend">${legend}</p>`,
        `<div class="cards">${r.flows.map((f) => flowCard(f, r.uiUrl)).join("\n")}</div>`,
        `<h2>Alert noise</h2>`,
        `<p class="meta">Automations named "[${escapeHtml(r.stack)}] ...", times each fired in the period, and what caused it.</p>`,
        r.automations.length
            ? `<table class="noise"><thead><tr><th>automation</th><th>fired</th><th>caused by</th></tr></thead>` +
              `<tbody>\n${noiseRows}\n</tbody></table>`
            : `<p>No automation of stack ${escapeHtml(r.stack)} on this server.</p>`,
        ...(r.ownership ? coverageSection(r.ownership) : []),
        ...r.notes.map((n) => `<p class="meta">Note: ${escapeHtml(n)}</p>`),
    ]);
}
