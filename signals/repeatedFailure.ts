import { z } from "zod";
import { bool, channelRefs, range, routeRefs } from "../alert/fields";
import { flowIncidentKey, incidentSeverity, resolving } from "../alert/incidents";
import { RUN_DETAILS, RUN_ERROR, RUN_FIELDS, RUN_LINK, describeDuration } from "../alert/messages";
import type { AutomationDraft, Message, Route } from "../alert/model";
import { describeRoute, matchRelatedFor, routeFilters } from "../alert/routes";
import { EventTriggerSpec, RECOVERY_WINDOW_SECONDS, reactive } from "../alert/triggers";
import { perOwner } from "../alert/owners";
import { ANY_FLOW_RUN, COMPLETED_EVENT, FINAL_FAILURE_EVENTS, PER_FLOW } from "../prefect/vocabulary";
import { finalFailureTrigger } from "./finalFailure";
import { SettingsOf, SignalModule, section, toggledSectionRefs, watchedRoutes } from "./signal";

/** `critical`: the critical tier's section. */
export const criticalSettings = section({
    key: "critical",
    schema: z
        .strictObject({
            enabled: bool().default(false).describe("The critical tier: a flow that fails again and again."),
            routes: routeRefs.optional().describe("The routes it watches; unset: every route."),
            channels: channelRefs.optional().describe("Where critical alerts go; required when enabled. Add a pagerduty channel to page."),
            threshold: range(2, 100, "a whole number of failures from 2 to 100", true)
                .default(3)
                .describe("Final failures of one flow ..."),
            windowHours: range(0.1, 720, "a number of hours from 0.1 to 720").default(24).describe("... within this window."),
            /** Also post "Recovered" to the chat channels (SignalContext.resolveChannels); off: PagerDuty resolves only. */
            recoveredNotice: bool()
                .default(false)
                .describe(
                    'Also post "Recovered" to the section\'s chat channels when its incident clears; off: resolves go to PagerDuty only.',
                ),
        })
        .prefault({}),
    refs: (s) => ({ ...toggledSectionRefs(s), routesFirst: true }),
    resolve: (s, stack) => ({
        enabled: s.enabled,
        routes: watchedRoutes(s, stack),
        channels: s.enabled ? (s.channels ?? []) : [],
        threshold: s.threshold,
        windowSeconds: Math.round(s.windowHours * 3600),
        recoveredNotice: s.recoveredNotice,
    }),
});

/**
 * `threshold` final failures of the *same flow* within `windowSeconds`. Fires
 * on the failure that reaches the threshold, then stays quiet for that flow
 * until the window ends. Not "consecutive": successes in between do not reset it.
 */
export function repeatedFailureTrigger(route: Route, threshold: number, windowSeconds: number): EventTriggerSpec {
    return { ...finalFailureTrigger(route), for_each: [PER_FLOW], threshold, within: windowSeconds };
}

/**
 * A flow of the route completed after a final failure: the clearing event of
 * its incident. Reactive with `after`: a failure opens a bucket per flow, the
 * flow's next Completed fires it, and the bucket is gone until the next failure
 * (prefect/server/events/triggers.py: a trigger with `after` removes its bucket
 * once it fired), so a healthy flow's completions send nothing.
 */
export function flowRecoveredTrigger(route: Route): EventTriggerSpec {
    return reactive({
        match: ANY_FLOW_RUN,
        match_related: matchRelatedFor(routeFilters(route)),
        after: FINAL_FAILURE_EVENTS,
        expect: [COMPLETED_EVENT],
        for_each: [PER_FLOW],
        within: RECOVERY_WINDOW_SECONDS,
    });
}

export function repeatedFailureMessage(threshold: number, windowSeconds: number): Message {
    const window = describeDuration(windowSeconds);
    return {
        subject: `CRITICAL: {{ flow.name }} failed ${threshold} times within ${window}`,
        body: [
            `:rotating_light: *CRITICAL: {{ flow.name }} failed ${threshold} times within ${window}*`,
            "",
            "Latest failure:",
            RUN_DETAILS,
            "",
            `*Next*: ${REPEATED_NEXT}`,
        ].join("\n"),
        detail: {
            title: `CRITICAL: {{ flow.name }} failed ${threshold} times within ${window}`,
            fields: RUN_FIELDS,
            error: RUN_ERROR,
            link: RUN_LINK,
            next: REPEATED_NEXT,
        },
    };
}

const REPEATED_NEXT =
    "this flow is failing repeatedly, not transiently. Acknowledge, " +
    "check the source system and the last change to the flow, and pause its deployment if it keeps failing.";

/** The short notice that a flow in incident completed again (its incident is resolved). */
export function flowRecoveredMessage(): Message {
    return {
        subject: "Recovered: {{ flow.name }} completed",
        body: ":white_check_mark: *Recovered*: {{ flow.name }} completed again\n<{{ flow_run|ui_url }}|open the flow run in Prefect>",
        detail: { title: "Recovered: {{ flow.name }} completed", fields: RUN_FIELDS.slice(0, 4), link: RUN_LINK },
    };
}

/** Critical: one flow ended in failure `threshold` times within the window, counted per flow; one automation per route. */
export const repeatedFailure: SignalModule<SettingsOf<typeof criticalSettings>> = {
    severity: "critical",
    summary: "one flow's runs ended in failure `threshold` times within `windowHours`, counted per flow; fires once per flow per window",
    settings: criticalSettings,
    automations: (critical, { stack, route, label, resolveChannels, owners, sendTo }) => {
        if (!critical.enabled) return [];
        const { threshold, windowSeconds } = critical;
        const plan = (key: string, r: Route, channels: string[]): AutomationDraft[] => {
            const alert: AutomationDraft = {
                key: `critical-${key}`,
                tier: "critical",
                name: label(`CRITICAL repeated failures (${key})`),
                description:
                    `Critical: one flow's runs (${describeRoute(r)}) ended Failed, Crashed or TimedOut ` +
                    `${threshold} times within ${describeDuration(windowSeconds)}, counted per flow. Fires once per flow per window.`,
                trigger: repeatedFailureTrigger(r, threshold, windowSeconds),
                channels,
                message: repeatedFailureMessage(threshold, windowSeconds),
                routes: [key],
                // One incident per failing flow: a 4th and 5th failure add alerts to it.
                incident: { dedupKey: flowIncidentKey(stack), action: "trigger", severity: incidentSeverity("critical") },
            };
            // The resolve follows a failure of the same flow (flowRecoveredTrigger's `after`), not necessarily the page:
            // with a threshold above 1, Prefect cannot tell whether the threshold was reached. So chat gets no
            // "Recovered" unless critical.recoveredNotice; PagerDuty ignores a resolve for a key it never opened.
            const resolveTo = resolveChannels(channels, critical.recoveredNotice);
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
        };
        // The stack's routes (the default owner's), then one per owner: its runs by the owner:<team> tag, its chat
        // channels and the section's PagerDuty channels.
        return [
            ...critical.routes.flatMap((name) => plan(name, route(name), sendTo(critical.channels))),
            ...perOwner(owners, (o, r) => plan(r.name, r, sendTo(critical.channels, o))),
        ];
    },
};
