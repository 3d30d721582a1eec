import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { isTeamsWebhookUrl, teamsCard } from "../../channels/teams";
import { WEBHOOK_URL_SECRET } from "../../channels/webhook";
import { PROJECT } from "../../config/load";
import type { Applied } from "./applyToPrefect";
import { OwnStack, applyOwnStack } from "./ownStack";
import { events, get } from "./prefectApi";
import { Receiver } from "./receiver";
import { runFlows } from "./runFlows";

/**
 * A `teams` channel on the real Prefect server (issue 9, item 1): a small stack
 * whose warning tier watches its own tag and sends to one Teams channel. The
 * program is given a URL of Teams' own form (it accepts no other); the block is
 * created with the loopback receiver in its place (applyToPrefect `deliverTo`),
 * so what arrives is exactly what Teams would get. Its own tag and flow name:
 * the `local` stack's automations (alerting.e2e.ts) never see this run.
 */

const { url, apiUrl } = inject("prefect");
const SETTLE_MS = Number(process.env.E2E_SETTLE_MS ?? 20_000);
const STACK = "teams";
const CHANNEL = "teams";
const TAG = "teams-e2e";
const FLOW = "e2e-teams-fails";
const RUNBOOK = "https://wiki.example.com/runbooks/teams-e2e";

/** Made up, Teams' Workflows form; a fresh workflow id per run, no signature. */
const TEAMS_URL = [
    "https://e2e.environment.api.powerplatform.com/powerautomate/automations/direct/workflows",
    `/e2e-${randomUUID()}/triggers/manual/paths/invoke`,
].join("");

let own: OwnStack | undefined;
let receiver: Receiver;
let delivered: string;
let applied: Applied;

beforeAll(async () => {
    own = await applyOwnStack({
        stack: STACK,
        channels: { [CHANNEL]: { type: "teams", description: "loopback receiver standing in for a Teams channel" } },
        routes: { teamsE2e: { tags: [TAG], runbook: RUNBOOK } },
        sections: { warning: { enabled: true, channels: [CHANNEL] } },
        secrets: { [`${PROJECT}:${CHANNEL}WebhookUrl`]: TEAMS_URL },
        deliverTo: (receiverUrl) => ({ [TEAMS_URL]: (delivered = `${receiverUrl}/${CHANNEL}?token=e2e-${randomUUID()}`) }),
    });
    ({ receiver, applied } = own);
});

afterAll(async () => {
    await own?.cleanup();
});

describe("a Teams channel on the real server", () => {
    it("applies one custom-webhook block (posting the rendered card as is) and one warning automation sending to it", () => {
        expect(isTeamsWebhookUrl(TEAMS_URL)).toBe(true);
        expect(applied.blocks.map((b) => b.sent.name)).toEqual([`${STACK}-${CHANNEL}`]);
        expect(applied.blocks[0].sent.data.form_data).toBe("{{body}}");
        expect(applied.automations.map((a) => a.name)).toEqual(["warning-teamsE2e"]);
        expect(applied.automations[0].sent.actions.map((a: any) => a.block_document_id)).toEqual([applied.blocks[0].id]);
    });

    it("a failing flow tagged teams-e2e: one Adaptive Card in Teams markdown, with the run's link and the runbook's button", async () => {
        const [run] = await runFlows(apiUrl, [{ kind: "fail", name: FLOW, tags: [TAG] }]);
        expect(run.state).toBe("Failed");
        const [message] = await receiver.waitFor(() => receiver.on(`/${CHANNEL}`), 1, 90_000, `Teams card for ${FLOW}`);
        expect(message.method).toBe("POST");

        const content = (message.json as any)?.attachments?.[0]?.content;
        const [title, text] = (content?.body ?? []).map((b: { text: string }) => b.text);
        expect(title).toBe(`Pipeline failed: ${FLOW} (Failed)`);
        expect(text).toContain(`**Flow**: ${FLOW}`);
        expect(text).toContain("**State**: Failed at ");
        expect(text).toContain(
            `**Error**: Flow run encountered an exception: ValueError: upstream API answered 503 Service Unavailable (${FLOW})`,
        );
        expect(text).toContain(`[open the flow run in Prefect](${url}/runs/flow-run/${run.flow_run_id})`);
        // Teams markdown: no Slack link or bold left, a blank line between lines.
        expect(text).not.toMatch(/<[^<>\n]*\|[^<>\n]*>/);
        expect(text).not.toMatch(/(^|[^*])\*[^*\s][^*\n]*\*(?!\*)/);
        expect(text).not.toMatch(/[^\n]\n(?!\n)/);
        // The whole request is the program's card with the subject and body filled in, nothing else.
        expect(message.json).toEqual(teamsCard(title, text, { url: RUNBOOK, text: "Open the runbook" }));
        // The runbook (the route's): a line of the body and the card's one button.
        expect(text).toContain(`**Runbook**: [open the runbook](${RUNBOOK})`);
        expect(content.actions).toEqual([{ type: "Action.OpenUrl", title: "Open the runbook", url: RUNBOOK }]);

        await new Promise((r) => setTimeout(r, SETTLE_MS));
        expect(receiver.on(`/${CHANNEL}`)).toHaveLength(1);
    });

    it("the block as the API reads it holds neither URL, and Prefect executed the action without a failure", async () => {
        const [block] = applied.blocks;
        const read = JSON.stringify(await get(apiUrl, `/block_documents/${block.id}`));
        for (const secret of [TEAMS_URL, new URL(TEAMS_URL).pathname, delivered, new URL(delivered).search])
            expect(read.includes(secret)).toBe(false);
        const full = await get(apiUrl, `/block_documents/${block.id}?include_secrets=true`);
        expect(full.data.secrets[WEBHOOK_URL_SECRET] === delivered).toBe(true);

        const automation = applied.automations[0].id;
        const about = (e: { related: Record<string, string>[]; resource: Record<string, string> }) =>
            e.resource["prefect.resource.id"] === `prefect.automation.${automation}` ||
            e.related.some((r) => r["prefect.resource.id"] === `prefect.automation.${automation}`);
        expect((await events(apiUrl, ["prefect.automation.action.failed"])).filter(about)).toEqual([]);
        expect((await events(apiUrl, ["prefect.automation.action.executed"])).filter(about).length).toBeGreaterThanOrEqual(1);
    });
});
