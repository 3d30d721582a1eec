import { z } from "zod";
import { bool, channelRefs } from "../alert/fields";
import type { Message } from "../alert/model";
import { EventTriggerSpec, labelLiteral } from "../prefect/vocabulary";
import type { SignalModule } from "./signal";

/**
 * Alerts about alerting: when Prefect records that an automation of this
 * stack could not deliver an action (`prefect.automation.action.failed`: its
 * block is gone, or the notification was refused), a fallback channel of
 * another kind says which automation and which channel failed. Prefect 3.9
 * records no such event when a webhook answers an HTTP error (the block's
 * error escapes the action, which is retried and dropped; only the server log
 * shows it): `npm run alert-test` reports those as not delivered.
 */
const KEY = "deliveryFailure";
const schema = z
    .strictObject({
        enabled: bool()
            .default(false)
            .describe(
                "Alerts about alerting: when Prefect records prefect.automation.action.failed for an automation of the stack, a " +
                    "fallback channel says which automation and which channel failed.",
            ),
        channels: channelRefs
            .optional()
            .describe(
                "The fallback: of another kind than every channel the stack's automations send to " +
                    "(a broken Slack webhook cannot report itself on Slack).",
            ),
    })
    .prefault({});
type Settings = z.output<typeof schema>;

/** Its own name has no `[<stack>] ` prefix, so its trigger (automations named so) never matches its own failures. */
export const deliveryFailureName = (stack: string) => `alerting-meta (${stack}): alert delivery failed`;
export const ACTION_FAILED_EVENT = "prefect.automation.action.failed";

export function deliveryFailureTrigger(stack: string): EventTriggerSpec {
    return {
        posture: "Reactive",
        // Prefect matches labels with fnmatch: `[stack]` alone would be a character class (labelLiteral).
        match: { "prefect.resource.id": "prefect.automation.*", "prefect.resource.name": `${labelLiteral(`[${stack}] `)}*` },
        match_related: {},
        after: [],
        expect: [ACTION_FAILED_EVENT],
        // At most one fallback message per failing automation per 5 minutes.
        for_each: ["prefect.resource.id"],
        threshold: 1,
        within: 300,
    };
}

/**
 * A prefect.automation.action.failed event as Prefect records it (server/events/actions.py `fail`), for the
 * preview's sample rendering: the first action of `automation` could not be delivered.
 */
export function sampleActionFailed(automation: string): Record<string, unknown> {
    return {
        event: ACTION_FAILED_EVENT,
        occurred: "2026-11-30 06:02:12.104231+00:00",
        resource: { id: "prefect.automation.5d1c0000-0000-4000-8000-000000000001", name: automation },
        payload: { action_index: 0, action_type: "send-notification", reason: "The block document was not found" },
    };
}

/** The message, with the channels of every automation of the stack as a lookup table (Prefect gives the action's index). */
export function deliveryFailureMessage(channelsByAutomation: Record<string, string[]>): Message {
    const table = `{% set channels = ${JSON.stringify(channelsByAutomation)} %}`;
    const channel = "(channels[event.resource.name] or [])[event.payload.action_index]";
    return {
        subject: "Alert delivery failed: {{ event.resource.name }}",
        body:
            `${table}:warning: *Alert delivery failed*: automation {{ event.resource.name }} could not deliver ` +
            `its action #{{ event.payload.action_index + 1 }} (channel {{ ${channel} or "unknown" }}): {{ event.payload.reason }}\n` +
            "*Next*: check that channel's webhook or block; until it works, its alerts do not arrive.",
        detail: {
            // Block Kit and Events API v2 bodies are built from these parts, not from the body: they need the table too.
            setup: table,
            title: "Alert delivery failed: {{ event.resource.name }}",
            fields: [
                { label: "Automation", value: "event.resource.name" },
                { label: "Channel", value: `${channel} or "unknown"` },
                { label: "Action", value: 'event.payload.action_type ~ " #" ~ ((event.payload.action_index + 1) | string)' },
                { label: "Reason", value: "event.payload.reason" },
            ],
            next: "check that channel's webhook or block; until it works, its alerts do not arrive.",
        },
    };
}

export const deliveryFailure: SignalModule<Settings> = {
    severity: "warning",
    summary: "an automation of the stack could not deliver an action (prefect.automation.action.failed), to a fallback channel",
    watchesAutomations: true,
    settings: {
        key: KEY,
        schema,
        refs: (s: Settings) => ({ enabled: s.enabled, channels: s.enabled ? s.channels : [], routes: [] }),
        // A fallback of another kind than every channel the stack's automations send to, and none of them: a broken
        // Slack webhook cannot report itself on Slack.
        problem: (s: Settings, all, sendsTo) => {
            if (!s.enabled) return undefined;
            const watched = Object.entries(sendsTo ?? {}).flatMap(([key, names]) => (key === KEY ? [] : names));
            const kinds = new Set(watched.map((c) => all.channels?.[c]?.type));
            for (const [i, name] of (s.channels ?? []).entries()) {
                const kind = all.channels?.[name]?.type;
                if (watched.includes(name) || kinds.has(kind))
                    return {
                        path: ["channels", i],
                        expected:
                            `a fallback channel of another kind than the channels the stack's alerts go to (${[...kinds].join(", ")}), ` +
                            `so a broken channel cannot be its own fallback (channel "${name}" is ${kind})`,
                    };
            }
            return undefined;
        },
    },
    automations: (s, { stack, automations }) => {
        if (!s.enabled) return [];
        const table = Object.fromEntries((automations ?? []).map((a) => [a.name, a.channels]));
        const channels = s.channels ?? [];
        return [
            {
                key: "alert-delivery-failed",
                tier: "warning",
                name: deliveryFailureName(stack),
                description: `Warning: an automation of stack ${stack} could not deliver an action (Prefect recorded action.failed).`,
                trigger: deliveryFailureTrigger(stack),
                channels,
                message: deliveryFailureMessage(table),
                routes: [],
            },
        ];
    },
};
