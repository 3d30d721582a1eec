import { incidentSeverity, resolving, workPoolIncidentKey } from "../alert/incidents";
import type { AutomationDraft, Message } from "../alert/model";
import { EventTriggerSpec, clearedAfter, oneOrMany, reactive } from "../alert/triggers";
import { ANY_WORK_POOL, WORK_POOL_NOT_READY_EVENTS, WORK_POOL_READY_EVENT } from "../prefect/vocabulary";
import { p1Settings } from "./p1";
import type { SettingsOf, SignalModule } from "./signal";

/** A named work pool lost its last healthy worker: nothing in it can start. */
export function workPoolNotReadyTrigger(workPools: string[]): EventTriggerSpec {
    return reactive({
        match: { "prefect.resource.id": ANY_WORK_POOL, "prefect.resource.name": oneOrMany(workPools) },
        expect: WORK_POOL_NOT_READY_EVENTS,
        for_each: ["prefect.resource.id"],
    });
}

/**
 * A named work pool is ready again (a worker polls it) after it was not-ready: `after` the not-ready events, per
 * pool, so the first ready after creation, or a ready after a pause, sends nothing (a bucket exists only once a
 * not-ready was seen, and is removed when it fires: triggers.py `evaluate`).
 */
export function workPoolReadyTrigger(workPools: string[]): EventTriggerSpec {
    return clearedAfter(workPoolNotReadyTrigger(workPools), [WORK_POOL_READY_EVENT]);
}

export function workPoolNotReadyMessage(): Message {
    return {
        subject: "P1: work pool {{ work_pool.name }} is not ready",
        body: [
            ":fire: *P1: work pool {{ work_pool.name }} is not ready*",
            "",
            "No healthy worker is polling it, so none of its scheduled flow runs can start.",
            "*Work pool*: <{{ work_pool|ui_url }}|open {{ work_pool.name }} in Prefect>",
            "",
            `*Next*: ${WORK_POOL_NEXT}`,
        ].join("\n"),
        detail: {
            title: "P1: work pool {{ work_pool.name }} is not ready",
            fields: [{ label: "Work pool", value: "work_pool.name" }],
            link: { url: "work_pool|ui_url", text: "Open the work pool in Prefect" },
            next: WORK_POOL_NEXT,
        },
    };
}

const WORK_POOL_NEXT = "check the worker processes / containers for this pool and their logs, then the infrastructure they run on.";

export function workPoolReadyMessage(): Message {
    return {
        subject: "Recovered: work pool {{ work_pool.name }} is ready",
        body: ":white_check_mark: *Recovered*: work pool {{ work_pool.name }} is ready again",
        detail: { title: "Recovered: work pool {{ work_pool.name }} is ready", fields: [{ label: "Work pool", value: "work_pool.name" }] },
    };
}

/** P1: a named work pool lost its last healthy worker, so nothing in it can start. One automation for all named pools. */
export const workPoolNotReady: SignalModule<SettingsOf<typeof p1Settings>> = {
    severity: "p1",
    summary: "a work pool in `p1.workPools` went not-ready (no healthy worker)",
    settings: p1Settings,
    automations: (p1, { stack, label, resolveChannels }) => {
        if (!p1.enabled || p1.workPools.length === 0) return [];
        const alert: AutomationDraft = {
            key: "p1-work-pool-not-ready",
            tier: "p1",
            name: label("P1 work pool not ready"),
            description: `P1: work pool ${p1.workPools.join(" or ")} went not-ready (no healthy worker).`,
            trigger: workPoolNotReadyTrigger(p1.workPools),
            channels: p1.channels,
            message: workPoolNotReadyMessage(),
            routes: [],
            // One incident per work pool; its ready event resolves it.
            incident: { dedupKey: workPoolIncidentKey(stack), action: "trigger", severity: incidentSeverity("p1") },
        };
        // Every not-ready event alerts, and the resolve needs one before the ready (workPoolReadyTrigger's `after`):
        // a pool becoming ready after creation or after a pause sends nothing.
        const resolveTo = resolveChannels(p1.channels, p1.recoveredNotice);
        if (!resolveTo.length) return [alert];
        const resolve = resolving(alert, {
            trigger: workPoolReadyTrigger(p1.workPools),
            message: workPoolReadyMessage(),
            description: `Resolves a work pool's P1 incident when ${p1.workPools.join(" or ")} is ready again after being not-ready.`,
            channels: resolveTo,
        });
        return [alert, resolve];
    },
};
