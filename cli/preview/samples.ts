import { kindOf } from "../../channels/registry";
import type { StackConfig } from "../../config/model";
import type { PlannedAutomation } from "../../rules/plan";
import { SAMPLE_CONTEXT, renderSample } from "../../alert/templates";
import { ACTION_FAILED_EVENT, sampleActionFailed } from "../../signals/deliveryFailure";

const COMPLETED = "prefect.flow-run.Completed";

/** A message as one channel would receive it, rendered with a sample event. */
export interface MessageSample {
    channel: string;
    /** The channel's kind (slack, teams, webhook, pagerduty, heartbeat): how a reader shows it. */
    kind: string;
    subject: string;
    /** The rendered body, as sent (Block Kit JSON, a Teams card, an Events API v2 event's fields, text). */
    body: string;
}

/**
 * The sample an automation's messages are rendered with: a failed delivery of another automation for alerts about
 * alerting; a completed run for automations that fire on completions (success notices, resolves), so their text
 * says `State: Completed`; a failed run and work pool otherwise.
 */
export function sampleFor(a: Pick<PlannedAutomation, "trigger" | "name">, others: readonly { name: string }[]) {
    if (a.trigger.expect.includes(ACTION_FAILED_EVENT)) {
        const watched = others.find((x) => x.name !== a.name)?.name;
        if (watched)
            return {
                context: { ...SAMPLE_CONTEXT, event: sampleActionFailed(watched) },
                what: `a sample failed delivery of ${watched}'s first action`,
            };
    }
    if (a.trigger.posture === "Reactive" && a.trigger.expect.length && a.trigger.expect.every((e) => e === COMPLETED)) {
        const run = SAMPLE_CONTEXT.flow_run;
        const completed = { ...run, state: { ...run.state, name: "Completed", message: "All states completed.", timestamp: run.end_time } };
        return { context: { ...SAMPLE_CONTEXT, flow_run: completed }, what: "a sample completed run" };
    }
    const named = namedResource(a.trigger.match);
    if (named) {
        const base = SAMPLE_CONTEXT[named.object];
        // The resource the automation watches, by the name it is written with: a sample of another would mislead.
        return { context: { ...SAMPLE_CONTEXT, [named.object]: { ...base, name: named.name } }, what: `a sample event of ${named.name}` };
    }
    return { context: SAMPLE_CONTEXT, what: "a sample failed run and work pool" };
}

const NAMED_OBJECTS = {
    "prefect.work-pool.": "work_pool",
    "prefect.work-queue.": "work_queue",
    "prefect.deployment.": "deployment",
} as const;

/** The work pool, queue or deployment a trigger watches by name (its first one), as it is written in the config. */
function namedResource(
    match: Record<string, string | string[]> | undefined,
): { object: "work_pool" | "work_queue" | "deployment"; name: string } | undefined {
    const id = [match?.["prefect.resource.id"] ?? []].flat()[0];
    const name = [match?.["prefect.resource.name"] ?? []].flat()[0];
    const prefix = Object.keys(NAMED_OBJECTS).find((p) => id?.startsWith(p)) as keyof typeof NAMED_OBJECTS | undefined;
    if (!prefix || !name) return undefined;
    // Labels carry names fnmatch-escaped (`[*]` for a literal `*`): the config's own spelling back.
    return { object: NAMED_OBJECTS[prefix], name: name.replace(/\[(.)\]/g, "$1") };
}

/** Every action of `a`, rendered with its sample on the stack's own UI base (cfg.prefect.uiUrl). */
export function messageSamples(cfg: StackConfig, a: PlannedAutomation, all: readonly PlannedAutomation[]): MessageSample[] {
    const { context } = sampleFor(a, all);
    return a.actions.map((action) => ({
        channel: action.channel,
        kind: channelKind(cfg, action.channel),
        subject: renderSample(action.subject, cfg.prefect.uiUrl, context),
        body: renderSample(action.body, cfg.prefect.uiUrl, context),
    }));
}

export function channelKind(cfg: StackConfig, channel: string): string {
    return cfg.channels.find((c) => c.name === channel)?.spec.type ?? "unknown";
}

/** The channels of `names` that open and resolve incidents by key (PagerDuty's kind). */
export function incidentChannels(cfg: StackConfig, names: readonly string[]): string[] {
    return names.filter((name) => {
        const channel = cfg.channels.find((c) => c.name === name);
        return channel !== undefined && kindOf(channel.spec).tracksIncidents === true;
    });
}
