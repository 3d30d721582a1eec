import { coverageLines } from "../../rules/coverage";
import type { FlowStats, Report } from "./model";

/** The report as plain text tables for a terminal (pure). */

/** 0.5 -> "50.0%"; undefined -> "-". */
export const formatRate = (rate: number | undefined): string => (rate === undefined ? "-" : `${(rate * 100).toFixed(1)}%`);

/** Seconds as a short duration: 0.42 s, 12.3 s, 4m 05s, 2h 10m, 3d 4h. */
export function formatDuration(seconds: number | undefined): string {
    if (seconds === undefined) return "-";
    if (seconds < 10) return `${seconds.toFixed(2)} s`;
    if (seconds < 60) return `${seconds.toFixed(1)} s`;
    const s = Math.round(seconds);
    if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
    if (s < 86_400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
    return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** `2026-05-07 10:01 UTC`. */
export const formatTime = (iso: string): string => `${new Date(iso).toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** An age in words: "just now", "42 min ago", "5 h ago", "3 d ago". */
export function formatAge(seconds: number): string {
    if (seconds < 60) return "just now";
    if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
    if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
    return `${Math.floor(seconds / 86_400)} d ago`;
}

export const flowLabel = (f: Pick<FlowStats, "flow" | "deployment">): string => (f.deployment ? `${f.flow} / ${f.deployment}` : f.flow);

export const lastSuccessText = (f: FlowStats): string =>
    f.lastSuccess ? `${formatTime(f.lastSuccess.end)} (${formatAge(f.lastSuccessAgeSeconds ?? 0)})` : "never";

/** Columns padded to their widest cell; numbers right-aligned. */
export function table(header: string[], rows: string[][], numeric: boolean[] = []): string[] {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) =>
        cells
            .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
            .join("  ")
            .trimEnd();
    return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

const topCauses = (causes: { cause: string; count: number }[], n = 3): string => {
    if (causes.length === 0) return "-";
    const shown = causes.slice(0, n).map((c) => `${c.cause} (${c.count})`);
    return causes.length > n ? `${shown.join(", ")}, +${causes.length - n} more` : shown.join(", ");
};

export function renderText(r: Report): string {
    const { period } = r;
    const lines = [
        `Prefect report for stack "${r.stack}": ${period.days[0]} .. ${period.days.at(-1)} ` +
            `(${period.days.length} day${period.days.length === 1 ? "" : "s"}, UTC, until ${formatTime(period.until.toISOString())})`,
        `API: ${r.api}`,
        `Watched: ${r.watched.join("; ") || "(no routes)"}`,
        "",
        "Flow runs",
    ];
    if (r.flows.length === 0) lines.push("  no watched flow run in the period");
    else
        lines.push(
            ...table(
                ["flow / deployment", "runs", "failed", "success", "median", "p95", "last success"],
                r.flows.map((f) => [
                    flowLabel(f),
                    String(f.runs),
                    String(f.failures),
                    formatRate(f.successRate),
                    formatDuration(f.medianSeconds),
                    formatDuration(f.p95Seconds),
                    lastSuccessText(f),
                ]),
                [false, true, true, true, true, true, false],
            ),
        );
    lines.push("", `Alert noise: automations named "[${r.stack}] ...", times fired in the period`);
    if (r.automations.length === 0) lines.push(`  no automation of stack ${r.stack} on this server`);
    else
        lines.push(
            ...table(
                ["automation", "fired", "caused by"],
                r.automations.map((a) => [a.name + (a.enabled === false ? " (disabled)" : ""), String(a.firings), topCauses(a.causes)]),
                [false, true, false],
            ),
        );
    if (r.noisiest.length) lines.push("", `Noisiest: ${topCauses(r.noisiest, 5)}`);
    if (r.ownership)
        lines.push("", "Owners (owner:<team> tags on deployments and their flows)", ...coverageLines(r.ownership).map((l) => `  ${l}`));
    for (const n of r.notes) lines.push("", `Note: ${n}`);
    return lines.join("\n") + "\n";
}
