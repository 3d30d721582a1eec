import { incidentSeverity, resolveChannels, resolving, workPoolIncidentKey } from "../rules/incidents";
import { workPoolNotReadyMessage, workPoolReadyMessage } from "../rules/messages";
import { workPoolNotReadyTrigger, workPoolReadyTrigger } from "../rules/triggers";
import type { AutomationSpec, Signal } from "./signal";

/** P1: a named work pool lost its last healthy worker, so nothing in it can start. One automation for all named pools. */
export const workPoolNotReady: Signal = {
    id: "workPoolNotReady",
    configKey: "p1",
    severity: "p1",
    summary: "a work pool in `p1.workPools` went not-ready (no healthy worker)",
    automations: (cfg, { label }) => {
        if (!cfg.p1.enabled || cfg.p1.workPools.length === 0) return [];
        const alert: AutomationSpec = {
            key: "p1-work-pool-not-ready",
            tier: "p1",
            signal: "workPoolNotReady",
            name: label("P1 work pool not ready"),
            description: `P1: work pool ${cfg.p1.workPools.join(" or ")} went not-ready (no healthy worker).`,
            trigger: workPoolNotReadyTrigger(cfg.p1.workPools),
            channels: cfg.p1.channels,
            message: workPoolNotReadyMessage(),
            routes: [],
            // One incident per work pool; its ready event resolves it.
            incident: { dedupKey: workPoolIncidentKey(cfg.stack), action: "trigger", severity: incidentSeverity("p1") },
        };
        // Every not-ready event alerts, and the resolve needs one before the ready (workPoolReadyTrigger's `after`):
        // a pool becoming ready after creation or after a pause sends nothing.
        const resolveTo = resolveChannels(cfg, cfg.p1.channels, cfg.p1.recoveredNotice);
        if (!resolveTo.length) return [alert];
        const resolve = resolving(alert, {
            trigger: workPoolReadyTrigger(cfg.p1.workPools),
            message: workPoolReadyMessage(),
            description: `Resolves a work pool's P1 incident when ${cfg.p1.workPools.join(" or ")} is ready again after being not-ready.`,
            channels: resolveTo,
        });
        return [alert, resolve];
    },
};
