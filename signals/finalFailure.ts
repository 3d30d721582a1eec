import { z } from "zod";
import { bool, channelRefs, range, routeRefs } from "../alert/fields";
import { RUN_DETAILS, RUN_ERROR, RUN_FIELDS, RUN_LINK, describeDuration } from "../alert/messages";
import type { AutomationDraft, Message, Route } from "../alert/model";
import { perOwner } from "../alert/owners";
import { matchRelatedFor, routeFilters, describeRoute } from "../alert/routes";
import { EventTriggerSpec, reactive } from "../alert/triggers";
import { ANY_FLOW_RUN, FINAL_FAILURE_EVENTS, PER_FLOW } from "../prefect/vocabulary";
import { criticalSettings } from "./repeatedFailure";
import { SettingsOf, SignalModule, section, toggledSectionRefs, watchedRoutes } from "./signal";

/** `warning`: the warning tier's section. On by default: every stack posts its final failures somewhere. */
export const warningSettings = section({
    key: "warning",
    schema: z
        .strictObject({
            enabled: bool().default(true).describe("The warning tier: every final failure of a watched run."),
            routes: routeRefs.optional().describe("The routes it watches; unset: every route."),
            channels: channelRefs.optional().describe("Where warnings go; required when enabled."),
            /** At most one warning per flow per this many minutes (a flapping flow does not flood the channel); unset: every failure. */
            repeatMinutes: range(1, 10080, "a whole number of minutes from 1 to 10080", true)
                .optional()
                .describe(
                    "At most one warning per flow per interval (a Reactive window per flow): a flapping flow posts once, and the message " +
                        "says further failures in the interval are not posted. Unset: every failure.",
                ),
        })
        .prefault({}),
    refs: (s) => ({ ...toggledSectionRefs(s), routesFirst: true }),
    resolve: (s, stack) => ({
        enabled: s.enabled,
        routes: watchedRoutes(s, stack),
        channels: s.enabled ? (s.channels ?? []) : [],
        repeatMinutes: s.repeatMinutes,
    }),
});

/** Every final failure (Failed, Crashed, TimedOut) of a run on the route; retries in progress are AwaitingRetry and never match. */
export function finalFailureTrigger(route: Route): EventTriggerSpec {
    return reactive({ match: ANY_FLOW_RUN, match_related: matchRelatedFor(routeFilters(route)), expect: FINAL_FAILURE_EVENTS });
}

/**
 * At most one warning per flow per `seconds`: Reactive with a window fires on
 * the first failure of a flow, then ignores that flow's failures until the
 * window ends (a flapping flow posts once per window).
 */
export function throttledFailureTrigger(route: Route, seconds: number): EventTriggerSpec {
    return { ...finalFailureTrigger(route), for_each: [PER_FLOW], within: seconds };
}

/**
 * `escalates`: whether the critical tier watches the same runs, so the reader knows what happens next.
 * `repeatSeconds`: warnings are throttled per flow, and the message says so (Prefect fires on the first failure of
 * the window, so it cannot count the ones it folds in).
 */
export function finalFailureMessage(escalates: boolean, repeatSeconds?: number): Message {
    const folded = repeatSeconds ? ` Further failures of this flow in the next ${describeDuration(repeatSeconds)} are not posted.` : "";
    return {
        subject: "Pipeline failed: {{ flow.name }} ({{ flow_run.state.name }})",
        body: [":x: *Pipeline failed*: {{ flow.name }}", "", RUN_DETAILS, "", `*Next*: ${finalFailureNext(escalates)}${folded}`].join("\n"),
        detail: {
            title: "Pipeline failed: {{ flow.name }} ({{ flow_run.state.name }})",
            fields: RUN_FIELDS,
            error: RUN_ERROR,
            link: RUN_LINK,
            next: finalFailureNext(escalates) + folded,
        },
    };
}

const finalFailureNext = (escalates: boolean) =>
    "read the run's logs; if the error is transient, retry the run from its " +
    `page${escalates ? "; repeated failures of this flow page the on-call engineer" : ""}.`;

/** Warning: every final failure (Failed, Crashed, TimedOut) of a watched run, one automation per route. */
export const finalFailure: SignalModule<SettingsOf<typeof warningSettings>> = {
    severity: "warning",
    summary: "every final failure (Failed, Crashed, TimedOut) of a watched flow run; retries in progress never alert",
    settings: warningSettings,
    automations: (warning, { route, label, settings, owners, sendTo }) => {
        if (!warning.enabled) return [];
        const critical = settings(criticalSettings);
        const repeatSeconds = warning.repeatMinutes === undefined ? undefined : warning.repeatMinutes * 60;
        const plan = (key: string, r: Route, escalates: boolean, channels: string[]): AutomationDraft => ({
            key: `warning-${key}`,
            tier: "warning",
            name: label(`Pipeline failed (${key})`),
            description:
                `Warning: every final failure (Failed, Crashed, TimedOut) ` +
                `of ${describeRoute(r)}. Retries in progress do not alert.` +
                (repeatSeconds ? ` At most one per flow per ${repeatSeconds / 60} minutes.` : ""),
            trigger: repeatSeconds ? throttledFailureTrigger(r, repeatSeconds) : finalFailureTrigger(r),
            channels,
            message: finalFailureMessage(escalates, repeatSeconds),
            routes: [key],
        });
        // The stack's routes (the default owner's), then one per owner: its runs by the owner:<team> tag.
        return [
            ...warning.routes.map((name) =>
                plan(name, route(name), critical.enabled && critical.routes.includes(name), sendTo(warning.channels)),
            ),
            ...perOwner(owners, (o, r) => [plan(r.name, r, critical.enabled, sendTo(warning.channels, o))]),
        ];
    },
};
