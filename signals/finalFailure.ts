import { finalFailureMessage } from "../rules/messages";
import { describeRoute } from "../rules/routes";
import { finalFailureTrigger, throttledFailureTrigger } from "../rules/triggers";
import type { Signal } from "./signal";

/** Warning: every final failure (Failed, Crashed, TimedOut) of a watched run, one automation per route. */
export const finalFailure: Signal = {
    id: "finalFailure",
    configKey: "warning",
    severity: "warning",
    summary: "every final failure (Failed, Crashed, TimedOut) of a watched flow run; retries in progress never alert",
    automations: (cfg, { route, label }) =>
        !cfg.warning.enabled
            ? []
            : cfg.warning.routes.map((name) => {
                  const r = route(name);
                  const repeatSeconds = cfg.warning.repeatMinutes === undefined ? undefined : cfg.warning.repeatMinutes * 60;
                  return {
                      key: `warning-${name}`,
                      tier: "warning",
                      signal: "finalFailure",
                      name: label(`Pipeline failed (${name})`),
                      description:
                          `Warning: every final failure (Failed, Crashed, TimedOut) ` +
                          `of ${describeRoute(r)}. Retries in progress do not alert.` +
                          (repeatSeconds ? ` At most one per flow per ${repeatSeconds / 60} minutes.` : ""),
                      trigger: repeatSeconds ? throttledFailureTrigger(r, repeatSeconds) : finalFailureTrigger(r),
                      channels: cfg.warning.channels,
                      message: finalFailureMessage(cfg.critical.enabled && cfg.critical.routes.includes(name), repeatSeconds),
                      routes: [name],
                  };
              }),
};
