import { z } from "zod";
import { bool, channelRefs, prefectName, range, routeRefs, uniqueList } from "../alert/fields";
import { section, watchedRoutes } from "./signal";

/**
 * `p1`: one section for the two P1 signals (workPoolNotReady, allPipelinesDown), as users have always written it.
 * A shared settings module rather than one signal owning the section: each signal gets the same typed value, and
 * neither imports the other.
 */
export const p1Settings = section({
    key: "p1",
    schema: z
        .strictObject({
            enabled: bool().default(false).describe("The P1 tier; needs at least one of workPools or noSuccessMinutes."),
            channels: channelRefs.optional().describe("Where P1s go (a pagerduty channel with service: p1); required when enabled."),
            /** Work pools whose going not-ready (no healthy worker) means nothing can run. */
            workPools: uniqueList(prefectName("work pool name"), "work pool names")
                .default([])
                .describe("P1 when one of them goes not-ready (no healthy worker)."),
            /** Page when no watched flow run has completed for this long. 0.5 min minimum: Prefect needs >= 10 s. */
            noSuccessMinutes: range(
                0.5,
                10080,
                "a number of minutes from 0.5 to 10080 (a Proactive trigger's window: Prefect refuses one under 10 s, and 0 never fires)",
            )
                .optional()
                .describe('P1 ("all pipelines down") when no watched run reaches Completed for this long.'),
            /** Routes whose successful runs count for the silence signal. */
            routes: routeRefs.optional().describe("Routes whose Completed runs count for the silence; unset: every route."),
            /** Also post "Recovered" to the chat channels (SignalContext.resolveChannels); off: PagerDuty resolves only. */
            recoveredNotice: bool()
                .default(false)
                .describe(
                    'Also post "Recovered" to the section\'s chat channels when its incident clears; off: resolves go to PagerDuty only.',
                ),
        })
        .prefault({}),
    refs: (s) => ({ enabled: s.enabled, channels: s.enabled ? s.channels : [], routes: s.routes }),
    problem: (s) =>
        s.enabled && s.workPools.length === 0 && s.noSuccessMinutes === undefined
            ? { path: [], expected: "at least one P1 signal when p1.enabled is true: workPools or noSuccessMinutes" }
            : undefined,
    resolve: (s, stack) => ({
        enabled: s.enabled,
        channels: s.enabled ? (s.channels ?? []) : [],
        workPools: s.workPools,
        noSuccessSeconds: s.noSuccessMinutes === undefined ? undefined : Math.round(s.noSuccessMinutes * 60),
        routes: watchedRoutes(s, stack),
        recoveredNotice: s.recoveredNotice,
    }),
});
