import * as pulumi from "@pulumi/pulumi";
import * as prefect from "@pulumi/prefect";
import type { MuteTimerPlan } from "../rules/muteTimers";
import { eventTriggerInputs } from "./prefectInputs";

/**
 * The Prefect-side timers that end mutes (rules/muteTimers.ts): each resumes
 * its muted automations at the mute's until, then pauses itself, so a mute
 * ends on time without a `pulumi up`.
 */
export class MuteTimers extends pulumi.ComponentResource {
    readonly timerIds: Record<string, pulumi.Output<string>> = {};

    constructor(
        name: string,
        args: { timers: MuteTimerPlan[]; automationIds: Record<string, pulumi.Input<string>> },
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super("alerting:index:MuteTimers", name, {}, opts);
        for (const timer of args.timers) {
            const automation = new prefect.Automation(
                timer.key,
                {
                    name: timer.name,
                    description: timer.description,
                    enabled: true,
                    trigger: { event: eventTriggerInputs(timer.trigger) } satisfies prefect.types.input.AutomationTrigger,
                    // Prefect's ResumeAutomation / PauseAutomation (server/events/actions.py, AutomationCommandAction):
                    // "selected" acts on automation_id; "inferred" on the automation named by the triggering event.
                    actions: timer.resumes.map(
                        (key) =>
                            ({
                                type: "resume-automation",
                                source: "selected",
                                automationId: args.automationIds[key],
                            }) satisfies prefect.types.input.AutomationAction,
                    ),
                    // Fires once: an action on trigger runs with the timer's own prefect.automation.triggered event, from
                    // which "inferred" finds the timer itself (in `actions` there is no such event, and the pause fails).
                    actionsOnTriggers: [
                        { type: "pause-automation", source: "inferred" } satisfies prefect.types.input.AutomationActionsOnTrigger,
                    ],
                },
                // The wait (`within`) is counted from when the program runs: sent again on a later `pulumi up`, it would
                // move the end later by the time since the timer was made. A new until or other automations make a new
                // timer (its name), so the trigger stored at creation stays right.
                { parent: this, ignoreChanges: ["trigger"] },
            );
            this.timerIds[timer.key] = automation.id;
        }
        this.registerOutputs({ timerIds: this.timerIds });
    }
}
