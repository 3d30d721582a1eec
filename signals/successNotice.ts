import { successMessage } from "../rules/messages";
import { successTrigger } from "../rules/triggers";
import type { Signal } from "./signal";

/** Info, not an alert: a run of one of the named flows completed (the seed's optional notify_on_completion). */
export const successNotice: Signal = {
    id: "successNotice",
    configKey: "successNotice",
    severity: "info",
    summary: "a run of one of the named flows completed (to an information channel)",
    automations: (cfg, { label }) =>
        !cfg.successNotice.enabled
            ? []
            : [
                  {
                      key: "success-notice",
                      tier: "info",
                      signal: "successNotice",
                      name: label("Pipeline completed"),
                      description: `Info: a run of ${cfg.successNotice.flows.join(", ")} completed.`,
                      trigger: successTrigger(cfg.successNotice.flows),
                      channels: cfg.successNotice.channels,
                      message: successMessage(),
                      routes: [],
                  },
              ],
};
