import type { Route } from "../config/model";
import { armedResolve, incidentSeverity, resolveChannels, silenceIncidentKey } from "../rules/incidents";
import { noSuccessMessage, silenceEndedMessage } from "../rules/messages";
import { describeRoute, unionOfRoutes } from "../rules/routes";
import { noSuccessTrigger, silenceEndedTrigger } from "../rules/triggers";
import type { AutomationSpec, Signal } from "./signal";

/**
 * P1 "all pipelines down": no watched run reached Completed for
 * `p1.noSuccessMinutes`. One automation for the whole stack when Prefect can
 * express the routes as one filter (all routes by tags, say); otherwise one
 * per route, each firing when its own runs go silent.
 */
export const allPipelinesDown: Signal = {
    id: "allPipelinesDown",
    configKey: "p1",
    severity: "p1",
    summary: "no watched run reached Completed for `p1.noSuccessMinutes` (one automation for the stack where Prefect can express it)",
    automations: (cfg, ctx) => {
        const seconds = cfg.p1.noSuccessSeconds;
        if (!cfg.p1.enabled || seconds === undefined) return [];
        const routes = cfg.p1.routes.map(ctx.route);
        // A second silent window adds to the same incident (one key per silence); the first completed run after an alert
        // resolves it (an armed resolve: no for_each bucket can tie a completion to the stack-wide silence).
        const resolveTo = resolveChannels(cfg, cfg.p1.channels, cfg.p1.recoveredNotice);
        const spec = (key: string, title: string, r: Route, watched: string[]): AutomationSpec[] => {
            const alert: AutomationSpec = {
                key,
                tier: "p1",
                signal: "allPipelinesDown",
                name: ctx.label(`P1 no successful run (${title})`),
                description: `P1: no ${describeRoute(r)} reached Completed within ${seconds} s.`,
                trigger: noSuccessTrigger(r, seconds),
                channels: cfg.p1.channels,
                message: noSuccessMessage(describeRoute(r), seconds),
                routes: watched,
                incident: { dedupKey: silenceIncidentKey(cfg.stack, key), action: "trigger", severity: incidentSeverity("p1") },
            };
            if (!resolveTo.length) return [alert];
            const resolve = armedResolve(alert, {
                trigger: silenceEndedTrigger(r),
                message: silenceEndedMessage(),
                description: `Resolves the P1 silence incident when a run (${describeRoute(r)}) completes after the alert.`,
                channels: resolveTo,
            });
            return [alert, resolve];
        };
        const perRoute = () => routes.flatMap((r) => spec(`p1-no-success-${r.name}`, r.name, r, [r.name]));
        // One route keeps its own name and key: the automation stays the one it was.
        if (routes.length === 1) return perRoute();
        const union = unionOfRoutes(routes, "all");
        if (!union) return perRoute();
        const names = routes.map((r) => r.name);
        return spec("p1-no-success", names.length <= 3 ? names.join(", ") : `${names.length} routes`, union, names);
    },
};
