import { describeTrigger } from "../../rules/describe";
import type { PreviewData } from "./load";
import { incidentChannels, messageSamples } from "./samples";
import { findSampleValues } from "./sampleValues";

/** The plan and the verdict as plain data for tools (--json): every automation, its messages rendered with a sample. */
export function previewJson(p: PreviewData) {
    const { cfg, plan } = p;
    return {
        stack: p.stack,
        uiUrl: cfg.prefect.uiUrl,
        resources: p.resources.length,
        blocks: plan.blocks.map((b) => ({ channel: b.channel, name: b.name, typeSlug: b.typeSlug, kind: b.spec.type })),
        automations: plan.automations.map((a) => {
            const tracking = incidentChannels(cfg, a.channels);
            return {
                key: a.key,
                name: a.name,
                tier: a.tier,
                signal: a.signal,
                description: a.description,
                enabled: a.enabled,
                ...(a.mute ? { mute: a.mute } : {}),
                ...(a.armedBy ? { armedBy: a.armedBy } : {}),
                arms: a.arms,
                routes: a.routes,
                trigger: a.trigger,
                triggerInWords: describeTrigger(a.trigger),
                channels: a.channels,
                ...(a.incident && tracking.length ? { incident: { ...a.incident, channels: tracking } } : {}),
                messages: messageSamples(cfg, a, plan.automations),
            };
        }),
        valuesToSet: p.placeholders.filter((x) => x.mustSet).map(({ key, purpose, command }) => ({ key, purpose, command })),
        exampleValues: findSampleValues(p.values),
        policy: { mandatory: p.policies.mandatory, advisory: p.policies.advisory, lines: p.policies.lines },
    };
}
