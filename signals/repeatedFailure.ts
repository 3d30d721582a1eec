import { repeatedFailureMessage } from "../rules/messages";
import { describeRoute } from "../rules/routes";
import { repeatedFailureTrigger } from "../rules/triggers";
import type { Signal } from "./signal";

/** Critical: one flow ended in failure `threshold` times within the window, counted per flow; one automation per route. */
export const repeatedFailure: Signal = {
    id: "repeatedFailure",
    configKey: "critical",
    severity: "critical",
    summary: "one flow's runs ended in failure `threshold` times within `windowHours`, counted per flow; fires once per flow per window",
    automations: (cfg, { route, label }) => {
        if (!cfg.critical.enabled) return [];
        const { threshold, windowSeconds } = cfg.critical;
        return cfg.critical.routes.map((name) => {
            const r = route(name);
            return {
                key: `critical-${name}`,
                tier: "critical",
                signal: "repeatedFailure",
                name: label(`CRITICAL repeated failures (${name})`),
                description:
                    `Critical: one flow's runs (${describeRoute(r)}) ended Failed, Crashed or TimedOut ` +
                    `${threshold} times within ${windowSeconds} s, counted per flow. Fires once per flow per window.`,
                trigger: repeatedFailureTrigger(r, threshold, windowSeconds),
                channels: cfg.critical.channels,
                message: repeatedFailureMessage(threshold, windowSeconds),
                routes: [name],
            };
        });
    },
};
