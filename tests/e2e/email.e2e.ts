import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { API_KEY_SECRET, SENDGRID_MAIL_SEND_URL, emailApiKey, mailJson } from "../../channels/email";
import { PROJECT } from "../../config/load";
import type { Applied } from "./applyToPrefect";
import { OwnStack, applyOwnStack } from "./ownStack";
import { events, get } from "./prefectApi";
import { Receiver } from "./receiver";
import { runFlows } from "./runFlows";

/**
 * An `email` channel on the real Prefect server: a small stack whose warning
 * tier watches its own tag and sends to one e-mail channel. The block posts to
 * SendGrid's Mail Send URL; it is created with the loopback receiver in that
 * URL's place (applyToPrefect `deliverTo`), so what arrives is exactly what
 * SendGrid would get, the bearer token included. Its own tag and flow names:
 * no other stack's automations see these runs.
 */

const { url, apiUrl } = inject("prefect");
const SETTLE_MS = Number(process.env.E2E_SETTLE_MS ?? 20_000);
const STACK = "email";
const CHANNEL = "mail";
const TAG = "email-e2e";
const FAILS = "e2e-email-fails";
const COMPLETES = "e2e-email-completes";
const SPEC = { type: "email", to: ["oncall@example.com", "data-team@example.com"], from: "alerts@example.com" };

/** Made up, of SendGrid's form, fresh per run: its two parts are what must never be readable. */
const KEY_ID = `e2e${randomUUID().replace(/-/g, "")}`;
const KEY_SECRET = `e2e${randomUUID().replace(/-/g, "")}`;
const API_KEY = `SG.${KEY_ID}.${KEY_SECRET}`;

let own: OwnStack | undefined;
let receiver: Receiver;
let applied: Applied;

beforeAll(async () => {
    own = await applyOwnStack({
        stack: STACK,
        channels: { [CHANNEL]: SPEC },
        routes: { emailE2e: { tags: [TAG] } },
        sections: { warning: { enabled: true, channels: [CHANNEL] } },
        secrets: { [`${PROJECT}:${CHANNEL}ApiKey`]: API_KEY },
        deliverTo: (receiverUrl) => ({ [SENDGRID_MAIL_SEND_URL]: `${receiverUrl}/${CHANNEL}/v3/mail/send` }),
    });
    ({ receiver, applied } = own);
});

afterAll(async () => {
    await own?.cleanup();
});

describe("an e-mail channel on the real server", () => {
    it("applies one custom-webhook block (the Mail Send body as json_data) and one warning automation sending to it", () => {
        expect(emailApiKey.valid(API_KEY)).toBe(true);
        expect(applied.blocks.map((b) => b.sent.name)).toEqual([`${STACK}-${CHANNEL}`]);
        expect(applied.blocks[0].sent.data.json_data).toEqual(mailJson(SPEC));
        expect(applied.automations.map((a) => a.name)).toEqual(["warning-emailE2e"]);
        expect(applied.automations[0].sent.actions.map((a: any) => a.block_document_id)).toEqual([applied.blocks[0].id]);
    });

    it("a completed flow tagged email-e2e: no request", async () => {
        const [run] = await runFlows(apiUrl, [{ kind: "succeed", name: COMPLETES, tags: [TAG] }]);
        expect(run.state).toBe("Completed");
        await new Promise((r) => setTimeout(r, SETTLE_MS));
        expect(receiver.on(`/${CHANNEL}/v3/mail/send`)).toHaveLength(0);
        expect(receiver.requests).toHaveLength(0);
    });

    it("a failing flow tagged email-e2e: one Mail Send POST with the bearer key, the subject and the plain-text body", async () => {
        const [run] = await runFlows(apiUrl, [{ kind: "fail", name: FAILS, tags: [TAG] }]);
        expect(run.state).toBe("Failed");
        const [message] = await receiver.waitFor(() => receiver.on(`/${CHANNEL}/v3/mail/send`), 1, 90_000, `e-mail for ${FAILS}`);
        expect(message.method).toBe("POST");
        expect(message.headers.authorization).toBe(`Bearer ${API_KEY}`);
        expect(message.headers["content-type"]).toBe("application/json");

        const mail = message.json as any;
        const subject = `Pipeline failed: ${FAILS} (Failed)`;
        const text: string = mail?.content?.[0]?.value ?? "";
        // The whole request is SendGrid's Mail Send body: the program's, with the subject and body filled in.
        expect(mail).toEqual({
            personalizations: [{ to: [{ email: "oncall@example.com" }, { email: "data-team@example.com" }] }],
            from: { email: "alerts@example.com" },
            subject,
            content: [{ type: "text/plain", value: text }],
        });
        expect(text.split("\n")[0]).toBe(`Pipeline failed: ${FAILS}`);
        expect(text).toContain(`Flow: ${FAILS}`);
        expect(text).toContain("State: Failed at ");
        expect(text).toContain(
            `Error: Flow run encountered an exception: ValueError: upstream API answered 503 Service Unavailable (${FAILS})`,
        );
        expect(text).toContain(`open the flow run in Prefect (${url}/runs/flow-run/${run.flow_run_id})`);
        // Plain text: no Slack link, bold or emoji code left.
        expect(text).not.toMatch(/<[^<>\n]*\|[^<>\n]*>/);
        expect(text).not.toMatch(/(^|\s)\*[^*\s][^*\n]*\*/);
        expect(text).not.toMatch(/:[a-z][a-z0-9_+-]*:/);

        await new Promise((r) => setTimeout(r, SETTLE_MS));
        expect(receiver.on(`/${CHANNEL}/v3/mail/send`)).toHaveLength(1);
        expect(receiver.requests).toHaveLength(1);
    });

    it("the key is readable neither from the block document nor from the automation; Prefect executed the action", async () => {
        const [block] = applied.blocks;
        const read = JSON.stringify(await get(apiUrl, `/block_documents/${block.id}`));
        const automation = applied.automations[0].id;
        const readAutomation = JSON.stringify(await get(apiUrl, `/automations/${automation}`));
        for (const secret of [API_KEY, KEY_ID, KEY_SECRET]) {
            expect(read.includes(secret)).toBe(false);
            expect(readAutomation.includes(secret)).toBe(false);
        }
        // The header only names the secret; the key is there, masked, and only include_secrets reads it.
        expect(JSON.parse(read).data.headers).toEqual({ Authorization: `Bearer {{${API_KEY_SECRET}}}` });
        const full = await get(apiUrl, `/block_documents/${block.id}?include_secrets=true`);
        expect(full.data.secrets[API_KEY_SECRET] === API_KEY).toBe(true);

        const about = (e: { related: Record<string, string>[]; resource: Record<string, string> }) =>
            e.resource["prefect.resource.id"] === `prefect.automation.${automation}` ||
            e.related.some((r) => r["prefect.resource.id"] === `prefect.automation.${automation}`);
        expect((await events(apiUrl, ["prefect.automation.action.failed"])).filter(about)).toEqual([]);
        expect((await events(apiUrl, ["prefect.automation.action.executed"])).filter(about).length).toBeGreaterThanOrEqual(1);
    });
});
