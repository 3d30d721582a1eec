import { armedResolve, incidentSeverity, silenceIncidentKey } from "../alert/incidents";
import { LAST_COMPLETED, LAST_COMPLETED_FIELD, describeDuration, silenceEndedMessage } from "../alert/messages";
import type { AutomationDraft, Message, Route } from "../alert/model";
import { describeRoute, matchRelatedFor, routeFilters, unionOfRoutes } from "../alert/routes";
import { templateLiteral } from "../alert/templates";
import { EventTriggerSpec, reactive, silenceAfterLastCompletion } from "../alert/triggers";
import { ANY_FLOW_RUN, COMPLETED_EVENT } from "../prefect/vocabulary";
import { p1Settings } from "./p1";
import type { SettingsOf, SignalModule } from "./signal";

/** No run on the route reached Completed for `seconds`: Proactive, so it fires on the absence of events. */
export function noSuccessTrigger(route: Route, seconds: number): EventTriggerSpec {
    return silenceAfterLastCompletion({ match: ANY_FLOW_RUN, match_related: matchRelatedFor(routeFilters(route)) }, seconds);
}

/**
 * A run of the route completed: the end of a silence. The automation is an armed resolve (alert/incidents.ts
 * armedResolve): on only after a silence alert; at most once a minute in the seconds before it turns itself off.
 */
export function silenceEndedTrigger(route: Route): EventTriggerSpec {
    return reactive({ match: ANY_FLOW_RUN, match_related: matchRelatedFor(routeFilters(route)), expect: [COMPLETED_EVENT], within: 60 });
}

/** `scope`: the watched runs in words (describeRoute), plain text that may hold any tag or name; it renders literally. */
export function noSuccessMessage(scope: string, seconds: number): Message {
    const window = describeDuration(seconds);
    return {
        subject: `P1: no pipeline has succeeded for ${window}`,
        body: [
            `:fire: *P1: no successful run for ${window}*`,
            "",
            `Not one of the watched ${templateLiteral(scope)} reached Completed in the last ${window}: pipelines may be down altogether.`,
            LAST_COMPLETED,
            "",
            `*Next*: ${SILENCE_NEXT}`,
        ].join("\n"),
        detail: {
            title: `P1: no successful run for ${window}`,
            fields: [
                { label: "Watched", value: JSON.stringify(scope) },
                { label: "Last Completed run", value: LAST_COMPLETED_FIELD },
            ],
            next: SILENCE_NEXT,
        },
    };
}

const SILENCE_NEXT = "check the Prefect server, the work pools and their workers, and whether runs are stuck in Scheduled or Late.";

/**
 * P1 "all pipelines down": no watched run reached Completed for
 * `p1.noSuccessMinutes`. One automation for the whole stack when Prefect can
 * express the routes as one filter (all routes by tags, say); otherwise one
 * per route, each firing when its own runs go silent.
 */
export const allPipelinesDown: SignalModule<SettingsOf<typeof p1Settings>> = {
    severity: "p1",
    summary: "no watched run reached Completed for `p1.noSuccessMinutes` (one automation for the stack where Prefect can express it)",
    settings: p1Settings,
    automations: (p1, ctx) => {
        const seconds = p1.noSuccessSeconds;
        if (!p1.enabled || seconds === undefined) return [];
        const routes = p1.routes.map(ctx.route);
        // A second silent window adds to the same incident (one key per silence); the first completed run after an alert
        // resolves it (an armed resolve: no for_each bucket can tie a completion to the stack-wide silence).
        const resolveTo = ctx.resolveChannels(p1.channels, p1.recoveredNotice);
        const spec = (key: string, title: string, r: Route, watched: string[]): AutomationDraft[] => {
            const alert: AutomationDraft = {
                key,
                tier: "p1",
                name: ctx.label(`P1 no successful run (${title})`),
                description: `P1: no ${describeRoute(r)} reached Completed within ${describeDuration(seconds)}.`,
                trigger: noSuccessTrigger(r, seconds),
                channels: p1.channels,
                message: noSuccessMessage(describeRoute(r), seconds),
                routes: watched,
                incident: { dedupKey: silenceIncidentKey(ctx.stack, key), action: "trigger", severity: incidentSeverity("p1") },
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
