import { describeDuration } from "../../alert/messages";
import { configCoverageLines } from "../../rules/coverage";
import type { EventTriggerSpec } from "../../prefect/vocabulary";
import { calibrationLines } from "./calibration";
import type { PreviewData } from "./load";
import { incidentChannels } from "./samples";
import { idleResolveLines } from "./resolves";
import { findSampleValues } from "./sampleValues";

/**
 * The preview's default answer, one screen: one line per automation, the values to set before `pulumi up`, the
 * example values still to replace, the policy verdict. Everything else is behind --verbose / --automation. Pure.
 */
export function summaryLines(p: Omit<PreviewData, "resources" | "invokes" | "costs">): string[] {
    const { stack, plan, cfg } = p;
    const out = [
        `Offline preview of stack "${stack}": the real program under Pulumi's runtime mocks; nothing is created.`,
        `Full detail: --verbose; one automation in full: --automation KEY; for tools: --json; every message as shown: --html FILE`,
    ];
    if (p.encrypted.length) out.push(`Encrypted in the stack file (not decrypted here): ${p.encrypted.join(", ")}`);

    const shown = plan.automations;
    const anyIncident = shown.some((a) => a.incident && incidentChannels(cfg, a.channels).length);
    out.push(
        "",
        `Automations (${shown.length}): severity, key, when it fires -> channels${anyIncident ? "; incident opened or resolved" : ""}`,
    );
    const keyWidth = Math.max(...shown.map((a) => a.key.length), 3);
    for (const a of shown) {
        const tracking = incidentChannels(cfg, a.channels);
        const incident =
            a.incident && tracking.length
                ? `; ${a.incident.action === "trigger" ? "opens" : "resolves"} incident (${tracking.join(", ")})`
                : "";
        const state = a.enabled ? "" : a.armedBy ? " [armed by its alert]" : " [MUTED]";
        out.push(
            `  ${a.tier.padEnd(8)} ${a.key.padEnd(keyWidth)}  ${shortTrigger(a.trigger)} -> ${a.channels.join(", ")}${incident}${state}`,
        );
    }
    if (plan.muteTimers.length || Object.keys(cfg.endedMutes).length)
        for (const [route, m] of Object.entries(cfg.mutes)) out.push(`  route ${route} muted until ${m.until}: ${m.reason}`);
    for (const [route, m] of Object.entries(cfg.endedMutes))
        out.push(`  route ${route}: its mute ended at ${m.until}; remove it: pulumi config rm --path mute.${route}`);

    const idle = idleResolveLines(cfg, plan);
    if (idle.length) out.push("", ...idle);
    out.push(...calibrationLines(cfg));
    const owners = configCoverageLines(cfg.owners, cfg.defaultOwner, cfg.routes);
    if (owners.length) out.push("", ...owners);

    const mustSet = p.placeholders.filter((x) => x.mustSet);
    out.push("", mustSet.length ? "Values you must set before `pulumi up`:" : "Values you must set before `pulumi up`: none");
    for (const x of mustSet) out.push(`  ${x.key}: ${x.purpose}; ${x.command}`);

    const samples = findSampleValues(p.values);
    out.push("", samples.length ? "Example values in the stack file to replace with real ones:" : "Example values in the stack file: none");
    for (const s of samples) out.push(`  ${s.key}: ${s.value} (${s.what})`);

    out.push("", ...p.policies.lines);
    return out;
}

/** A trigger in a few words: "each Failed/Crashed/TimedOut", "3x Failed/... within 24 hours per flow", "no Completed for 6 hours". */
export function shortTrigger(t: EventTriggerSpec): string {
    const expect = eventsInWords(t.expect);
    const per = t.for_each.length ? ` per ${t.for_each.map(bucketInWords).join(", ")}` : "";
    const within = describeDuration(t.within);
    if (t.posture === "Proactive") {
        if (!t.after.length || sameSet(t.after, t.expect)) return `no ${expect} for ${within}${per}`;
        return `${eventsInWords(t.after)} and nothing after it for ${within}${per}`;
    }
    if (t.after.length) return `${expect} after ${eventsInWords(t.after)}${per}`;
    if (t.threshold <= 1 && t.within === 0) return `each ${expect}${per}`;
    if (t.threshold <= 1) return `${expect}${per}, at most once per ${within}`;
    return `${t.threshold}x ${expect} within ${within}${per}`;
}

/** prefect.flow-run.Failed -> Failed; prefect.work-pool.not-ready / not_ready -> pool not-ready (once). */
function eventsInWords(events: string[]): string {
    const words = events.map((e) =>
        e
            .replace(/^prefect\.flow-run\./, "")
            .replace(/^prefect\.work-pool\./, "pool ")
            .replace(/^prefect\.work-queue\./, "queue ")
            .replace(/^prefect\.deployment\./, "deployment ")
            .replace(/_/g, "-"),
    );
    return [...new Set(words)].join("/");
}

function bucketInWords(label: string): string {
    const related = /^related:([\w-]+):/.exec(label);
    if (related) return related[1];
    return label === "prefect.resource.id" ? "resource" : label;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
