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
            enabled: bool().default(false),
            channels: channelRefs.optional(),
            /** Work pools whose going not-ready (no healthy worker) means nothing can run. */
            workPools: uniqueList(prefectName("work pool name"), "work pool names").default([]),
            /** Page when no watched flow run has completed for this long. 0.5 min minimum: Prefect needs >= 10 s. */
            noSuccessMinutes: range(
                0.5,
                10080,
                "a number of minutes from 0.5 to 10080 (a Proactive trigger's window: Prefect refuses one under 10 s, and 0 never fires)",
            ).optional(),
            /** Routes whose successful runs count for the silence signal. */
            routes: routeRefs.optional(),
            /** Also post "Recovered" to the chat channels (SignalContext.resolveChannels); off: PagerDuty resolves only. */
            recoveredNotice: bool().default(false),
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
