import { workPoolNotReadyMessage } from "../rules/messages";
import { workPoolNotReadyTrigger } from "../rules/triggers";
import type { Signal } from "./signal";

/** P1: a named work pool lost its last healthy worker, so nothing in it can start. One automation for all named pools. */
export const workPoolNotReady: Signal = {
    id: "workPoolNotReady",
    configKey: "p1",
    severity: "p1",
    summary: "a work pool in `p1.workPools` went not-ready (no healthy worker)",
    automations: (cfg, { label }) =>
        !cfg.p1.enabled || cfg.p1.workPools.length === 0
            ? []
            : [
                  {
                      key: "p1-work-pool-not-ready",
                      tier: "p1",
                      signal: "workPoolNotReady",
                      name: label("P1 work pool not ready"),
                      description: `P1: work pool ${cfg.p1.workPools.join(" or ")} went not-ready (no healthy worker).`,
                      trigger: workPoolNotReadyTrigger(cfg.p1.workPools),
                      channels: cfg.p1.channels,
                      message: workPoolNotReadyMessage(),
                      routes: [],
                  },
              ],
};
