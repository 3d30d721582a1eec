import type { PreviewData } from "./load";
import { MessageSample, messageSamples } from "./samples";
import { readable } from "./verbose";

/**
 * Every message of the stack rendered the way its channel shows it: Slack (Block Kit), Teams (the Adaptive Card
 * the block builds: the subject as a bold title, the body as card markdown), PagerDuty (the incident the event
 * opens or the one it resolves), anything else as sent. One self-contained page: inline CSS, no script, nothing
 * fetched. Pure.
 */
export function renderPreviewHtml(p: PreviewData): string {
    const { cfg, plan } = p;
    const sections = plan.automations.map((a) => {
        const messages = messageSamples(cfg, a, plan.automations)
            .map((m) => `<div class="msg"><div class="to">${esc(m.channel)} (${esc(m.kind)})</div>${renderMessage(m)}</div>`)
            .join("");
        const state = a.enabled ? "" : a.armedBy ? " (armed by its alert)" : " (muted)";
        return (
            `<section><h2><span class="tier ${esc(a.tier)}">${esc(a.tier)}</span> ${esc(a.name)}${esc(state)}</h2>` +
            `<p class="desc">${esc(a.description)}</p>${messages}</section>`
        );
    });
    return [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        `<title>Messages of stack ${esc(p.stack)}</title>`,
        `<style>${CSS}</style></head><body>`,
        `<h1>Messages of stack ${esc(p.stack)}</h1>`,
        `<p class="desc">Each automation's messages, rendered with a sample run; links on the stack's UI base ` +
            `${esc(cfg.prefect.uiUrl)}.</p>`,
        ...sections,
        "</body></html>",
        "",
    ].join("\n");
}

function renderMessage(m: MessageSample): string {
    if (m.kind === "slack") return slack(m);
    if (m.kind === "teams") return teams(m);
    if (m.kind === "pagerduty") return pagerDuty(m);
    return `<div class="plain"><div class="subject">${esc(m.subject)}</div><pre>${esc(readable(m.body))}</pre></div>`;
}

function parse(text: string): any {
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

/** Block Kit: header, section (mrkdwn text and fields), context, divider, actions; the fallback text when there are no blocks. */
function slack(m: MessageSample): string {
    const message = parse(m.body.trim());
    const blocks: any[] = message?.blocks ?? [];
    const parts = blocks.map((b) => {
        if (b.type === "header") return `<div class="sl-header">${esc(b.text?.text ?? "")}</div>`;
        if (b.type === "divider") return "<hr>";
        if (b.type === "context")
            return `<div class="sl-context">${(b.elements ?? []).map((e: any) => mrkdwn(String(e.text ?? ""))).join(" ")}</div>`;
        if (b.type === "actions") return `<div>${(b.elements ?? []).map(button).join(" ")}</div>`;
        const fields = (b.fields ?? []).map((f: any) => `<div>${mrkdwn(String(f.text ?? ""))}</div>`).join("");
        const text = b.text ? mrkdwn(String(b.text.text ?? "")) : "";
        return `<div class="sl-section">${text}${fields ? `<div class="sl-fields">${fields}</div>` : ""}</div>`;
    });
    const body = parts.length ? parts.join("") : `<div class="sl-section">${mrkdwn(message?.text ?? m.body)}</div>`;
    return `<div class="slack"><div class="sl-app">Prefect <span class="badge">APP</span></div>${body}</div>`;
}

/** Slack mrkdwn: *bold*, _italic_, `code`, <url|text>, :emoji:, line breaks; everything escaped first. */
function mrkdwn(text: string): string {
    return esc(text)
        .replace(/&lt;(https?:[^|&]*(?:&amp;[^|&]*)*)\|([^&]*(?:&amp;[^&]*)*?)&gt;/g, (_, url, label) => `<a href="${url}">${label}</a>`)
        .replace(/```([^`]+)```/g, "<code>$1</code>")
        .replace(/`([^`]+)`/g, "<code>$1</code>")
        .replace(/(^|[\s(])\*([^*\n]+)\*/g, "$1<b>$2</b>")
        .replace(/(^|[\s(])_([^_\n]+)_/g, "$1<i>$2</i>")
        .replace(/:([a-z0-9_+-]+):/g, (all, name: string) => EMOJI[name] ?? all)
        .replace(/\n/g, "<br>");
}

/** The Adaptive Card the Teams block posts: its title, its markdown text (**bold**, [text](url), lines), its buttons. */
function teams(m: MessageSample): string {
    const card = parse(m.body.trim())?.attachments?.[0]?.content;
    const [title, text] = ((card?.body ?? []) as { text?: string }[]).map((b) => String(b.text ?? ""));
    const md = esc(text ?? m.body)
        .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, (_, label, url) => `<a href="${url}">${label}</a>`)
        .replace(/\*\*([^*]+)\*\*/g, "<b>$1</b>")
        .replace(/`([^`]+)`/g, "<code>$1</code>")
        .replace(/\n/g, "<br>");
    const actions = ((card?.actions ?? []) as { url?: string; title?: string }[])
        .map((a) => link(String(a.url ?? ""), String(a.title ?? "open"), "button"))
        .join(" ");
    return (
        `<div class="teams"><div class="tm-title">${esc(title ?? m.subject)}</div><div class="tm-body">${md}</div>` +
        `${actions ? `<div>${actions}</div>` : ""}</div>`
    );
}

/** The Events API v2 event as the incident PagerDuty opens (summary, severity, source, details, links) or resolves. */
function pagerDuty(m: MessageSample): string {
    const event = parse(readable(m.body));
    if (!event) return `<div class="pd"><pre>${esc(m.body)}</pre></div>`;
    if (event.event_action === "resolve")
        return (
            `<div class="pd resolved"><div class="pd-title">Resolved</div>` +
            `<div>incident key <code>${esc(event.dedup_key)}</code></div></div>`
        );
    const payload = event.payload ?? {};
    const details = Object.entries(payload.custom_details ?? {})
        .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(String(v))}</td></tr>`)
        .join("");
    const links = (event.links ?? []).map((l: { href: string; text?: string }) => link(l.href, l.text ?? l.href, "")).join(" ");
    return (
        `<div class="pd"><div class="pd-title"><span class="sev ${esc(payload.severity ?? "")}">${esc(payload.severity ?? "")}</span> ` +
        `Triggered: ${esc(payload.summary ?? m.subject)}</div>` +
        `<div class="pd-meta">source ${esc(payload.source ?? "")} · component ${esc(payload.component ?? "")} · ` +
        `group ${esc(payload.group ?? "")} · ` +
        `class ${esc(payload.class ?? "")} · incident key <code>${esc(event.dedup_key ?? "")}</code></div>` +
        `<table>${details}</table><div>${links}</div></div>`
    );
}

const button = (e: any) => link(String(e.url ?? ""), String(e.text?.text ?? "open"), "button");

const link = (url: string, label: string, cls: string) =>
    /^https?:\/\//.test(url) ? `<a${cls ? ` class="${cls}"` : ""} href="${esc(url)}">${esc(label)}</a>` : esc(label);

const esc = (s: string): string =>
    String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const EMOJI: Record<string, string> = {
    warning: "\u26a0\ufe0f",
    rotating_light: "\ud83d\udea8",
    fire: "\ud83d\udd25",
    white_check_mark: "\u2705",
    hourglass: "\u231b",
    hourglass_flowing_sand: "\u23f3",
    x: "\u274c",
    bell: "\ud83d\udd14",
    information_source: "\u2139\ufe0f",
    broken_heart: "\ud83d\udc94",
    ghost: "\ud83d\udc7b",
};

const CSS = `
body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:24px;max-width:1100px;color:#1d1c1d;background:#f6f6f6}
h1{font-size:22px}h2{font-size:16px;margin:0 0 4px}
section{background:#fff;border:1px solid #ddd;border-radius:8px;padding:12px 16px;margin:14px 0}
.desc{color:#555;font-size:13px;margin:4px 0 10px}.to{font-size:12px;color:#777;margin:8px 0 4px}
.tier{display:inline-block;border-radius:4px;padding:1px 6px;font-size:12px;color:#fff;background:#888;text-transform:uppercase}
.tier.warning{background:#d9a400}.tier.critical{background:#d13438}.tier.p1{background:#7a1111}.tier.info{background:#2b7bb9}
.slack{border-left:4px solid #4a154b;padding:8px 12px;background:#fff;font-size:15px;line-height:1.45}
.sl-app{font-weight:700;margin-bottom:4px}.badge{font-size:10px;background:#ddd;color:#555;padding:1px 3px;border-radius:2px}
.sl-header{font-weight:900;font-size:17px;margin:4px 0}.sl-context{color:#616061;font-size:12px;margin-top:6px}
.sl-fields{display:grid;grid-template-columns:1fr 1fr;gap:4px 16px;margin-top:6px}
code{background:#f2f2f2;border:1px solid #e0e0e0;border-radius:3px;padding:0 3px;font-size:12px;color:#c01343}
a{color:#1264a3}.button{display:inline-block;border:1px solid #bbb;border-radius:4px;padding:3px 10px;margin-top:6px;text-decoration:none}
.teams{border:1px solid #e1dfdd;border-top:4px solid #6264a7;border-radius:4px;padding:12px 14px;background:#fff}
.teams{font-family:"Segoe UI",sans-serif;font-size:14px}
.tm-title{font-weight:600;font-size:16px;margin-bottom:6px}
.pd{border:1px solid #ccc;border-left:6px solid #d13438;border-radius:4px;padding:10px 12px;background:#fff;font-size:14px}
.pd.resolved{border-left-color:#2e8540}.pd-title{font-weight:700;margin-bottom:4px}.pd-meta{color:#555;font-size:12px;margin-bottom:6px}
.sev{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;background:#d13438;font-size:12px;text-transform:uppercase}
.sev.warning{background:#d9a400}.sev.info{background:#2b7bb9}
table{border-collapse:collapse;font-size:13px}th{text-align:left;color:#555;padding:1px 10px 1px 0;font-weight:600}td{padding:1px 0}
pre{white-space:pre-wrap;font-size:12px;background:#fafafa;border:1px solid #eee;padding:8px}
`;
