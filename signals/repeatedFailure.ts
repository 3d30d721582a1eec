import { flowIncidentKey, incidentSeverity, resolveChannels, resolving } from "../rules/incidents";
import { flowRecoveredMessage, repeatedFailureMessage } from "../rules/messages";
import { describeRoute } from "../rules/routes";
import { flowRecoveredTrigger, repeatedFailureTrigger } from "../rules/triggers";
import type { AutomationSpec, Signal } from "./signal";

/** Critical: one flow ended in failure `threshold` times within the window, counted per flow; one automation per route. */
export const repeatedFailure: Signal = {
    id: "repeatedFailure",
    configKey: "critical",
    severity: "critical",
    summary: "one flow's runs ended in failure `threshold` times within `windowHours`, counted per flow; fires once per flow per window",
    automations: (cfg, { route, label }) => {
        if (!cfg.critical.enabled) return [];
        const { threshold, windowSeconds } = cfg.critical;
        // The resolve follows a failure of the same flow (flowRecoveredTrigger's `after`), not necessarily the page: with
        // a threshold above 1, Prefect cannot tell whether the threshold was reached. So chat gets no "Recovered" unless
        // critical.recoveredNotice; PagerDuty ignores a resolve for a key it never opened.
        const resolveTo = resolveChannels(cfg, cfg.critical.channels, cfg.critical.recoveredNotice);
        return cfg.critical.routes.flatMap((name) => {
            const r = route(name);
            const alert: AutomationSpec = {
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
                // One incident per failing flow: a 4th and 5th failure add alerts to it.
                incident: { dedupKey: flowIncidentKey(cfg.stack), action: "trigger", severity: incidentSeverity("critical") },
            };
            if (!resolveTo.length) return [alert];
            return [
                alert,
                resolving(alert, {
                    trigger: flowRecoveredTrigger(r),
                    message: flowRecoveredMessage(),
                    description: `Resolves a flow's critical incident when a run of it (${describeRoute(r)}) completes after failing.`,
                    channels: resolveTo,
                }),
            ];
        });
    },
};
