import { describeDuration } from "../alert/messages";
import type { EventTriggerSpec } from "../alert/model";
import type { RelatedMatch } from "../alert/routes";

const list = (v: string | string[]) => (Array.isArray(v) ? v.join(" or ") : v);

function describeMatch(labels: Record<string, string | string[]>): string {
    return Object.entries(labels)
        .map(([label, value]) => `${label} = ${list(value)}`)
        .join(" and ");
}

function describeRelated(related: RelatedMatch | RelatedMatch[]): string {
    const all = Array.isArray(related) ? related : [related];
    const parts = all
        .filter((r) => Object.keys(r).length > 0)
        .map((r) => {
            const role = r["prefect.resource.role"];
            const rest = Object.fromEntries(Object.entries(r).filter(([k]) => k !== "prefect.resource.role"));
            const labels = describeMatch(rest);
            return `a related ${role ? list(role) : "resource"}${labels ? ` with ${labels}` : ""}`;
        });
    return parts.length ? ` with ${parts.join(" and ")}` : "";
}

/** An event trigger said in words, read from the data Prefect will store (preview, README). */
export function describeTrigger(t: EventTriggerSpec): string {
    const events = t.expect.join(", ");
    const what = `${describeMatch(t.match) || "any resource"}${describeRelated(t.match_related)}`;
    const bucket = t.for_each.length ? `, counted separately per ${t.for_each.join(", ")}` : "";
    if (t.posture === "Proactive") {
        const missing = t.threshold <= 1 ? `no event [${events}]` : `fewer than ${t.threshold} events [${events}]`;
        // The same events open and satisfy the window (alert/triggers.ts silenceAfterLastCompletion).
        if (t.after.length && sameSet(t.after, t.expect))
            return (
                `fires when ${missing} arrives within ${describeDuration(t.within)} of the last one (or of the automation's ` +
                `start) for ${what}${bucket}`
            );
        // With `after`, the window opens on one of those events (per bucket) and the trigger needs one to re-arm.
        if (t.after.length)
            return (
                `fires when, within ${describeDuration(t.within)} after an event [${t.after.join(", ")}], ${missing} arrives ` +
                `for ${what}${bucket}`
            );
        return `fires when ${missing} arrives within ${describeDuration(t.within)} for ${what}${bucket}`;
    }
    // Reactive with `after`: an `after` event opens a window per bucket; the first expected event in it fires, and
    // the bucket is gone until the next `after` event (prefect/server/events/triggers.py removes it on firing).
    if (t.after.length)
        return (
            `fires on the first event [${events}] of ${what} within ${describeDuration(t.within)} after an event ` +
            `[${t.after.join(", ")}]${bucket}; then waits for the next [${t.after.join(", ")}]`
        );
    if (t.threshold <= 1 && t.within === 0) return `fires on every event [${events}] of ${what}${bucket}`;
    if (t.threshold <= 1)
        return `fires on the first event [${events}] of ${what}${bucket}; then quiet for that bucket for ${describeDuration(t.within)}`;
    return (
        `fires when ${t.threshold} events [${events}] of ${what} arrive within ${describeDuration(t.within)}` +
        `${bucket}; then quiet for that bucket until the window ends`
    );
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
