import { z } from "zod";
import { bool, channelRefs, prefectName, uniqueList } from "../config/fields";
import { successMessage } from "../rules/messages";
import { successTrigger } from "../rules/triggers";
import type { Signal } from "./signal";

const schema = z
    .strictObject({
        enabled: bool().default(false),
        flows: uniqueList(prefectName("flow name"), "flow names").default([]),
        channels: channelRefs.optional(),
    })
    .prefault({});
type Settings = z.output<typeof schema>;

/** Info, not an alert: a run of one of the named flows completed (the seed's optional notify_on_completion). */
export const successNotice: Signal = {
    id: "successNotice",
    configKey: "successNotice",
    severity: "info",
    summary: "a run of one of the named flows completed (to an information channel)",
    settings: {
        key: "successNotice",
        schema,
        // Disabled, it sends nowhere (its channels get no block).
        refs: (s: Settings) => ({ enabled: s.enabled, channels: s.enabled ? s.channels : [], routes: [] }),
        problem: (s: Settings) =>
            s.enabled && s.flows.length === 0
                ? { path: ["flows"], expected: "at least one flow name when successNotice.enabled is true" }
                : undefined,
    },
    automations: (cfg, { label }) => {
        const s = cfg.signals.successNotice as Settings;
        if (!s.enabled) return [];
        return [
            {
                key: "success-notice",
                tier: "info",
                signal: "successNotice",
                name: label("Pipeline completed"),
                description: `Info: a run of ${s.flows.join(", ")} completed.`,
                trigger: successTrigger(s.flows),
                channels: s.channels ?? [],
                message: successMessage(),
                routes: [],
            },
        ];
    },
};
