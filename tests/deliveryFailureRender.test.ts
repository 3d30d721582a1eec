import { describe, expect, it } from "vitest";
import { PROJECT, parseStackConfig } from "../config/load";
import { planAlerting } from "../rules/plan";
import { renderSample } from "../alert/templates";
import { ACTION_FAILED_EVENT, deliveryFailureName } from "../signals/deliveryFailure";
import { SLACK_URL, STACK_SECRETS, editKey, stackConfig } from "./helpers/stacks";

/**
 * The delivery-failure message names the channel that failed through a lookup table (`{% set channels = … %}`,
 * automation name -> its channels in action order) and the event's action_index. Each kind renders the message its
 * own way: the table must reach every rendering, Slack's Block Kit (built from the message's parts) included.
 */
const TEAMS_URL =
    "https://placeholder.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/" +
    "placeholder-fallback/triggers/manual/paths/invoke";

/** The local stack (webhook channels) with a fallback channel of another kind for failed deliveries. */
function planWithFallback(fallback: Record<string, unknown>, url: string) {
    let raw = stackConfig("local", {}, { ...STACK_SECRETS.local, [`${PROJECT}:fallbackWebhookUrl`]: url });
    raw = editKey(raw, "channels", (c) => ({ ...c, fallback }));
    raw = editKey(raw, "deliveryFailure", () => ({ enabled: true, channels: ["fallback"] }));
    return planAlerting(parseStackConfig(raw));
}

/** Prefect's prefect.automation.action.failed for the second action (index 1) of an automation (server/events/actions.py `fail`). */
const actionFailed = (automation: string) => ({
    event: {
        event: ACTION_FAILED_EVENT,
        resource: { "prefect.resource.id": "prefect.automation.5d1c0000-0000-4000-8000-000000000001", name: automation },
        payload: { action_index: 1, action_type: "send-notification", reason: "The block document was not found" },
    },
});

const UI = "http://127.0.0.1:4200";

describe("delivery-failure message: the failed channel by name, on every fallback kind", () => {
    it.each([
        ["slack", { type: "slack", slackChannel: "#alerting-meta" }, SLACK_URL],
        ["teams", { type: "teams" }, TEAMS_URL],
    ])("%s", (_, fallback, url) => {
        const plan = planWithFallback(fallback, url);
        const meta = plan.automations.find((a) => a.name === deliveryFailureName("local"))!;
        expect(meta.channels).toEqual(["fallback"]);
        // An automation of the stack whose second action goes to a channel of a known name.
        const watched = plan.automations.find((a) => a.signal !== "deliveryFailure" && a.channels.length > 1)!;
        const failed = watched.channels[1];
        const body = renderSample(meta.actions[0].body, UI, actionFailed(watched.name));
        const text = fallback.type === "slack" ? slackText(body) : body;
        expect(text).toContain(watched.name);
        expect(text).toContain(failed);
        expect(text).not.toContain("unknown");
    });

    it("the Slack body's Channel field is the failed channel (not unknown), its Action the number Prefect gave", () => {
        const plan = planWithFallback({ type: "slack", slackChannel: "#alerting-meta" }, SLACK_URL);
        const meta = plan.automations.find((a) => a.name === deliveryFailureName("local"))!;
        const watched = plan.automations.find((a) => a.signal !== "deliveryFailure" && a.channels.length > 1)!;
        const payload = JSON.parse(renderSample(meta.actions[0].body, UI, actionFailed(watched.name)));
        const fields = payload.blocks.flatMap((b: any) => (b.fields ?? []).map((f: any) => f.text as string));
        expect(fields).toContain(`*Channel*\n${watched.channels[1]}`);
        expect(fields).toContain("*Action*\nsend-notification #2");
        // An automation the table does not know (not of this stack) still renders, as unknown.
        const other = JSON.parse(renderSample(meta.actions[0].body, UI, actionFailed("[other] Pipeline failed")));
        const otherFields = other.blocks.flatMap((b: any) => (b.fields ?? []).map((f: any) => f.text as string));
        expect(otherFields).toContain("*Channel*\nunknown");
    });
});

/** Every text of a rendered Block Kit payload (it must be valid JSON). */
function slackText(body: string): string {
    const payload = JSON.parse(body);
    return [payload.text, ...payload.blocks.flatMap((b: any) => [b.text?.text, ...(b.fields ?? []).map((f: any) => f.text)])].join("\n");
}
