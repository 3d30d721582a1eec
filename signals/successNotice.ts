import { z } from "zod";
import { bool, channelRefs, prefectName, uniqueList } from "../alert/fields";
import { RUN_FIELDS, RUN_LINK } from "../alert/messages";
import type { Message } from "../alert/model";
import { EventTriggerSpec, oneOrMany, reactive } from "../alert/triggers";
import { ANY_FLOW_RUN, COMPLETED_EVENT } from "../prefect/vocabulary";
import { SettingsOf, SignalModule, section } from "./signal";

const successNoticeSettings = section({
    key: "successNotice",
    schema: z
        .strictObject({
            enabled: bool()
                .default(false)
                .describe(
                    "The seed's optional notify_on_completion: a notice for each Completed run of the named flows " +
                        "(an info notice, not a tier).",
                ),
            flows: uniqueList(prefectName("flow name"), "flow names").default([]).describe("Which flows announce a Completed run."),
            channels: channelRefs.optional().describe("Where the notices go (an info channel such as #data-info); required when enabled."),
        })
        .prefault({}),
    // Disabled, it sends nowhere (its channels get no block).
    refs: (s) => ({ enabled: s.enabled, channels: s.enabled ? s.channels : [], routes: [] }),
    problem: (s) =>
        s.enabled && s.flows.length === 0
            ? { path: ["flows"], expected: "at least one flow name when successNotice.enabled is true" }
            : undefined,
});

/** A run of one of the named flows Completed (the seed's optional notify_on_completion). */
export function successTrigger(flows: string[]): EventTriggerSpec {
    return reactive({
        match: ANY_FLOW_RUN,
        match_related: { "prefect.resource.role": "flow", "prefect.resource.name": oneOrMany(flows) },
        expect: [COMPLETED_EVENT],
    });
}

export function successMessage(): Message {
    return {
        subject: "Pipeline completed: {{ flow.name }}",
        body: [
            ":white_check_mark: *{{ flow.name }}* completed",
            "*Run*: {{ flow_run.name }} (`{{ flow_run.id }}`)",
            // The same facts as the laid-out message (RUN_FIELDS), so webhook, Teams and e-mail readers see the state too.
            "*State*: {{ flow_run.state.name }} at {{ flow_run.state.timestamp }}",
            "<{{ flow_run|ui_url }}|open the flow run in Prefect>",
        ].join("\n"),
        detail: { title: "Pipeline completed: {{ flow.name }}", fields: RUN_FIELDS.slice(0, 4), link: RUN_LINK },
    };
}

/** Info, not an alert: a run of one of the named flows completed (the seed's optional notify_on_completion). */
export const successNotice: SignalModule<SettingsOf<typeof successNoticeSettings>> = {
    severity: "info",
    summary: "a run of one of the named flows completed (to an information channel)",
    settings: successNoticeSettings,
    automations: (s, { label }) => {
        if (!s.enabled) return [];
        return [
            {
                key: "success-notice",
                tier: "info",
                name: label("Pipeline completed"),
                description: `Info: a run of ${s.flows.join(", ")} completed.`,
                trigger: successTrigger(s.flows),
                channels: s.channels ?? [],
                message: successMessage(),
                routes: [],
            },
        ];
    },
};
