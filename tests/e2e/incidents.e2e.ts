import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { TRUNCATED } from "../../channels/blockKit";
import { EVENTS_API_URL } from "../../channels/pagerduty";
import { PROJECT } from "../../config/load";
import { Applied, applyToPrefect } from "./applyToPrefect";
import { IncidentBook, slackProblems } from "./contracts";
import { createWorkPool, events, get, prefectRequest, workerHeartbeat } from "./prefectApi";
import { LOG_DIR } from "./prefectServer";
import { Received, Receiver } from "./receiver";
import { FlowRunResult, runFlows } from "./runFlows";
import { E2E_PAGER_DUTY } from "./pagerDutyFixture";

/**
 * The incident lifecycle (issue 10) on the real Prefect server: a stack of its own (stack `incidents`, tags
 * `incidents-e2e` and `incidents-e2e-silence`, work pool `e2e-incidents-pool`, flow names `e2e-inc-*`) whose
 * PagerDuty and Slack channels are applied with real-form URLs and deliver to the loopback receiver (applyToPrefect
 * `deliverTo`). The receiver plays PagerDuty's Events API v2 (it checks each event against the contract, answers
 * 202 with the dedup key and keeps incidents by dedup key: tests/e2e/contracts.ts) and Slack (each body checked
 * against Block Kit's limits). The PagerDuty resources are mocked; the integrations' keys are known fakes.
 */

const { url, apiUrl } = inject("prefect");
const SETTLE_MS = Number(process.env.E2E_SETTLE_MS ?? 20_000);
const WAIT_MS = 90_000;
const STACK = "incidents";
const TAG = "incidents-e2e";
const SILENCE_TAG = "incidents-e2e-silence";
const POOL = "e2e-incidents-pool";
const THRESHOLD = 3;
/** critical.windowHours 0.1: 6 minutes, longer than this file runs. */
const WINDOW = "6 minutes";
const REPEAT_MINUTES = 5;
const PATH = { critical: "/slack-critical", alerts: "/slack-alerts", pagerduty: "/pagerduty", fallback: "/fallback" } as const;
/** The PagerDuty integrations' keys as the (mocked) provider returns them: fake, and known so the events can be checked. */
const ROUTING_KEY = { critical: "e2e-fake-routing-key-critical", p1: "e2e-fake-routing-key-p1" } as const;

/** Slack incoming-webhook URLs of Slack's own form (the program accepts no other), fresh per run. */
const slackUrl = () => `https://hooks.slack.com/services/T00000000/B00000000/${randomUUID().replace(/-/g, "")}`;
const SLACK_URL = { slackCritical: slackUrl(), slackAlerts: slackUrl() };

/** Flows whose critical Slack message the receiver refuses with HTTP 500 (a broken Slack channel). */
const BROKEN_SLACK_FOR = "e2e-inc-slack-500";

let receiver: Receiver;
let applied: Applied;
let pool: { id: string; name: string };
const book = new IncidentBook();
const slackRejected: { path: string; problems: string[] }[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const uiLink = (id: string) => `${url}/runs/flow-run/${id}`;
const automation = (key: string) => applied.automations.find((a) => a.name === key)!;
/** The dedup keys as the trigger and resolve sides must both render them (alert/incidents.ts). */
const flowKey = (flowId: string) => `prefect/${STACK}/flow/${flowId}`;
const poolKey = (poolId: string) => `prefect/${STACK}/work-pool/${poolId}`;
const SILENCE_KEY = `prefect/${STACK}/silence/p1-no-success-silence`;

async function flowIdOf(run: FlowRunResult): Promise<string> {
    return (await get(apiUrl, `/flow_runs/${run.flow_run_id}`)).flow_id;
}

/** Slack messages on `path` that name `text` anywhere in the body. */
const slackAbout = (path: string, text: string) => receiver.on(path).filter((r) => r.raw.includes(text));
/** A Slack message's blocks of one type. */
const blocksOf = (r: Received, type: string): any[] => ((r.json?.blocks as any[]) ?? []).filter((b) => b.type === type);
/** The text of a Block Kit message's error section, without its "*Error*" label and code fence. */
function slackError(r: Received): string | undefined {
    const section = blocksOf(r, "section").find((b) => b.text?.text?.startsWith("*Error*\n```"));
    return section?.text.text.slice("*Error*\n```".length, -"```".length);
}
/** Slack mrkdwn's three entities back to text. */
const unescapeSlack = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** The server has the run's final-state event (so triggers had it to evaluate). */
async function expectEventStored(run: FlowRunResult, state: string): Promise<void> {
    for (const deadline = Date.now() + WAIT_MS; ; await sleep(1000)) {
        const found = (await events(apiUrl, [`prefect.flow-run.${state}`])).some(
            (e) => e.resource["prefect.resource.id"] === `prefect.flow-run.${run.flow_run_id}`,
        );
        if (found) return;
        if (Date.now() > deadline) throw new Error(`no prefect.flow-run.${state} event for ${run.name} on the server`);
    }
}

/** Waits until the book holds `count` incidents with this key (open or resolved) and returns them. */
const incidents = (key: string, count = 1, timeoutMs = WAIT_MS) =>
    receiver.waitFor(() => book.withKey(key), count, timeoutMs, `PagerDuty incident(s) ${key}`);

/** Action-failed events Prefect recorded for this stack's automations. */
async function actionFailures(): Promise<{ automation: string; index: number; reason: string }[]> {
    const ours = new Map(applied.automations.map((a) => [`prefect.automation.${a.id}`, a.sent.name as string]));
    return (await events(apiUrl, ["prefect.automation.action.failed"]))
        .filter((e) => ours.has(e.resource["prefect.resource.id"]))
        .map((e) => ({
            automation: ours.get(e.resource["prefect.resource.id"])!,
            index: e.payload.action_index,
            reason: e.payload.reason,
        }));
}

beforeAll(async () => {
    receiver = await Receiver.start();
    receiver.replies.set(PATH.pagerduty, (r) => book.accept(r.raw, r.at));
    const slack = (path: string, broken?: string) => (r: Received) => {
        if (broken && r.raw.includes(broken)) return { status: 500, body: '"server_error"' };
        const problems = slackProblems(r.raw);
        if (problems.length) slackRejected.push({ path, problems });
        return problems.length ? { status: 400, body: '"invalid_blocks"' } : { status: 200, body: '"ok"' };
    };
    receiver.replies.set(PATH.critical, slack(PATH.critical, BROKEN_SLACK_FOR));
    receiver.replies.set(PATH.alerts, slack(PATH.alerts));

    // Created before the automations exist: Prefect emits prefect.work-pool.not-ready when a pool is created.
    pool = await createWorkPool(apiUrl, POOL);
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(500)) {
        const created = await events(apiUrl, ["prefect.work-pool.not-ready"]);
        if (created.some((e) => e.resource["prefect.resource.id"] === `prefect.work-pool.${pool.id}`)) break;
    }

    vi.resetModules();
    applied = await applyToPrefect({
        api: apiUrl,
        receiverUrl: receiver.url,
        stack: STACK,
        file: "local",
        edit: {
            channels: () => ({
                slackCritical: { type: "slack", slackChannel: "#e2e-incidents-critical" },
                slackAlerts: { type: "slack", slackChannel: "#e2e-incidents" },
                pager: { type: "pagerduty", service: "critical" },
                pagerP1: { type: "pagerduty", service: "p1" },
                fallback: { type: "webhook", description: "loopback receiver for alerts about alerting" },
            }),
            routes: () => ({ inc: { tags: [TAG] }, silence: { tags: [SILENCE_TAG] } }),
            warning: () => ({ enabled: true, routes: ["inc"], channels: ["slackAlerts"], repeatMinutes: REPEAT_MINUTES }),
            successNotice: () => ({ enabled: false }),
            critical: () => ({
                enabled: true,
                routes: ["inc"],
                channels: ["slackCritical", "pager"],
                threshold: THRESHOLD,
                windowHours: 0.1,
            }),
            // 30 s of silence (Prefect's Proactive windows need >= 10 s), so two windows pass within the file.
            p1: () => ({ enabled: true, routes: ["silence"], channels: ["pagerP1"], workPools: [POOL], noSuccessMinutes: 0.5 }),
            pagerDuty: () => E2E_PAGER_DUTY,
            deliveryFailure: () => ({ enabled: true, channels: ["fallback"] }),
        },
        secrets: {
            [`${PROJECT}:slackCriticalWebhookUrl`]: SLACK_URL.slackCritical,
            [`${PROJECT}:slackAlertsWebhookUrl`]: SLACK_URL.slackAlerts,
            "pagerduty:token": `e2e-fake-token-${randomUUID()}`,
        },
        deliverTo: {
            [SLACK_URL.slackCritical]: `${receiver.url}${PATH.critical}?token=e2e-${randomUUID()}`,
            [SLACK_URL.slackAlerts]: `${receiver.url}${PATH.alerts}?token=e2e-${randomUUID()}`,
            // Both PagerDuty blocks post to the Events API; the receiver stands in for it.
            [EVENTS_API_URL]: `${receiver.url}${PATH.pagerduty}`,
        },
        outputs: (type, name) =>
            type === "pagerduty:index/serviceIntegration:ServiceIntegration"
                ? { integrationKey: name.startsWith("p1") ? ROUTING_KEY.p1 : ROUTING_KEY.critical }
                : undefined,
    });
});

afterAll(async () => {
    // This stack's automations go (its P1 silence would page every 30 s through the files that follow).
    for (const a of applied?.automations ?? []) await prefectRequest(apiUrl, "DELETE", `/automations/${a.id}`).catch(() => undefined);
    if (receiver) {
        writeFileSync(
            join(LOG_DIR, "incidents-received.json"),
            JSON.stringify({ requests: receiver.requests, incidents: book.incidents, ignored: book.ignored }, null, 2),
        );
        await receiver.close();
    }
});

describe("apply", () => {
    it("creates the stack's blocks and automations; both PagerDuty blocks hold their routing key as a secret", async () => {
        expect(applied.blocks.map((b) => b.sent.name).sort()).toEqual(
            ["fallback", "pager", "pager-p1", "slack-alerts", "slack-critical"].map((c) => `${STACK}-${c}`),
        );
        for (const [channel, key] of [
            ["pager", ROUTING_KEY.critical],
            ["pager-p1", ROUTING_KEY.p1],
        ]) {
            const block = applied.blocks.find((b) => b.sent.name === `${STACK}-${channel}`)!;
            const read = await get(apiUrl, `/block_documents/${block.id}`);
            expect(JSON.stringify(read).includes(key), `${channel}: routing key unreadable`).toBe(false);
            const full = await get(apiUrl, `/block_documents/${block.id}?include_secrets=true`);
            expect(full.data.secrets.routing_key).toBe(key);
        }
        expect(applied.automations.map((a) => a.name).sort()).toEqual([
            "alert-delivery-failed",
            "critical-inc",
            "critical-inc-resolve",
            "p1-no-success-silence",
            "p1-no-success-silence-resolve",
            "p1-work-pool-not-ready",
            "p1-work-pool-not-ready-resolve",
            "warning-inc",
        ]);
        // The delivery-failure automation hears the stack's automations by name, "[incidents] …" as a literal glob.
        expect(automation("alert-delivery-failed").sent.trigger.match["prefect.resource.name"]).toBe(`[[]${STACK}] *`);
    });
});

describe.concurrent("incident lifecycle", () => {
    it(`(a) a flow fails ${THRESHOLD} times: one incident, a 4th adds nothing; it completes: resolved, no Slack "Recovered"`, async () => {
        const name = "e2e-inc-repeats";
        const runs = await runFlows(apiUrl, [{ kind: "fail", name, tags: [TAG], times: THRESHOLD }]);
        expect(runs.map((r) => r.state)).toEqual(Array(THRESHOLD).fill("Failed"));
        const key = flowKey(await flowIdOf(runs[0]));
        const [incident] = await incidents(key);
        expect(incident.routingKey).toBe(ROUTING_KEY.critical);
        expect(incident.alerts).toHaveLength(1);
        const trigger = incident.alerts[0].json as any;
        expect(trigger.event_action).toBe("trigger");
        expect(trigger.payload.summary).toBe(`CRITICAL: ${name} failed ${THRESHOLD} times within ${WINDOW}`);
        expect(trigger.payload.severity).toBe("critical");
        expect(trigger.payload.source).toBe(`prefect/${STACK}`);
        // The event is about the run that reached the threshold.
        expect(trigger.payload.custom_details.run).toContain(runs[THRESHOLD - 1].flow_run_id);
        expect(trigger.links).toEqual([{ href: uiLink(runs[THRESHOLD - 1].flow_run_id), text: "Open the flow run in Prefect" }]);
        const [slack] = await receiver.waitFor(() => slackAbout(PATH.critical, name), 1, WAIT_MS, `critical Slack message for ${name}`);
        expect(slack.json?.text).toBe(`CRITICAL: ${name} failed ${THRESHOLD} times within ${WINDOW}`);

        // The critical trigger fires once per flow per window: a 4th failure sends no event (Prefect's bucket is spent).
        const [fourth] = await runFlows(apiUrl, [{ kind: "fail", name, tags: [TAG] }]);
        await expectEventStored(fourth, "Failed");
        await sleep(SETTLE_MS);
        expect(book.withKey(key)).toHaveLength(1);
        expect(book.withKey(key)[0].alerts).toHaveLength(1);
        expect(book.withKey(key)[0].status).toBe("triggered");
        expect(slackAbout(PATH.critical, name)).toHaveLength(1);

        const [done] = await runFlows(apiUrl, [{ kind: "succeed", name, tags: [TAG] }]);
        expect(done.state).toBe("Completed");
        await receiver.waitFor(() => book.withKey(key).filter((i) => i.status === "resolved"), 1, WAIT_MS, `resolve of ${key}`);
        expect(book.withKey(key)).toHaveLength(1);
        expect(book.withKey(key)[0].resolvedBy?.json).toEqual({
            routing_key: ROUTING_KEY.critical,
            event_action: "resolve",
            dedup_key: key,
        });
        // The resolve goes to PagerDuty only: Slack did not opt in (critical.recoveredNotice), so it keeps the one alert.
        const isRecovered = (r: Received) => String(r.json?.text).startsWith("Recovered");
        await sleep(SETTLE_MS);
        expect(slackAbout(PATH.critical, name).filter(isRecovered)).toEqual([]);
        expect(slackAbout(PATH.critical, name)).toHaveLength(1);
        expect(book.withKey(key)).toHaveLength(1);
    });

    it(`(b) three different flows fail ${THRESHOLD} times each: three incidents, one dedup key per flow`, async () => {
        const names = ["e2e-inc-first", "e2e-inc-second", "e2e-inc-third"];
        const runs = await runFlows(
            apiUrl,
            names.map((name) => ({ kind: "fail" as const, name, tags: [TAG], times: THRESHOLD })),
        );
        const keys = await Promise.all(names.map(async (n) => flowKey(await flowIdOf(runs.find((r) => r.name === n)!))));
        expect(new Set(keys).size).toBe(3);
        for (const [i, key] of keys.entries()) {
            const [incident] = await incidents(key);
            expect((incident.alerts[0].json as any).payload.summary).toBe(
                `CRITICAL: ${names[i]} failed ${THRESHOLD} times within ${WINDOW}`,
            );
        }
        await sleep(SETTLE_MS);
        for (const key of keys) {
            expect(book.withKey(key)).toHaveLength(1);
            expect(book.withKey(key)[0].alerts).toHaveLength(1);
        }
    });

    it("(c) P1 silence in two consecutive windows: one incident with two alerts; a completed run resolves it", async () => {
        const [incident] = await incidents(SILENCE_KEY, 1, 150_000);
        await receiver.waitFor(() => incident.alerts, 2, 120_000, "a second silent window");
        expect(book.withKey(SILENCE_KEY)).toHaveLength(1);
        expect(incident.routingKey).toBe(ROUTING_KEY.p1);
        const [first, second] = incident.alerts.map((a) => a.json as any);
        expect(first.payload.summary).toBe("P1: no pipeline has succeeded for 30 seconds");
        expect(second).toEqual(first);
        // Consecutive windows, not a retried delivery: about 30 s apart.
        expect(incident.alerts[1].at - incident.alerts[0].at).toBeGreaterThanOrEqual(20_000);

        const [done] = await runFlows(apiUrl, [{ kind: "succeed", name: "e2e-inc-silence-ends", tags: [SILENCE_TAG] }]);
        expect(done.state).toBe("Completed");
        await receiver.waitFor(() => (incident.status === "resolved" ? [incident] : []), 1, WAIT_MS, "resolve of the silence");
        expect(incident.resolvedBy?.json).toEqual({ routing_key: ROUTING_KEY.p1, event_action: "resolve", dedup_key: SILENCE_KEY });
        expect(book.withKey(SILENCE_KEY).filter((i) => i.alerts[0].at <= incident.resolvedBy!.at)).toHaveLength(1);
    });

    it("(d) a work pool goes not-ready (its worker stops), then ready (a worker heartbeats): one incident, then resolved", async () => {
        const key = poolKey(pool.id);
        // A worker (2 s interval) heartbeats a few times (pool READY), then stops: after 3 missed intervals NOT_READY.
        for (let i = 0; i < 4; i++) {
            await workerHeartbeat(apiUrl, POOL, "e2e-inc-worker", 2);
            await sleep(1000);
        }
        const [incident] = await incidents(key);
        expect(incident.routingKey).toBe(ROUTING_KEY.p1);
        expect((incident.alerts[0].json as any).payload.summary).toBe(`P1: work pool ${POOL} is not ready`);
        expect((incident.alerts[0].json as any).links[0].href).toBe(`${url}/work-pools/work-pool/${POOL}`);

        // A worker again, with a long interval so the pool stays READY through the file.
        await workerHeartbeat(apiUrl, POOL, "e2e-inc-worker", 600);
        await receiver.waitFor(() => (incident.status === "resolved" ? [incident] : []), 1, WAIT_MS, `resolve of ${key}`);
        expect(incident.resolvedBy?.json).toEqual({ routing_key: ROUTING_KEY.p1, event_action: "resolve", dedup_key: key });
        await sleep(SETTLE_MS);
        expect(book.withKey(key)).toHaveLength(1);
        expect(incident.alerts).toHaveLength(1);
        // The pool's first READY (the first heartbeat) came before any not-ready the resolve saw: it sent nothing.
        expect(book.ignored.filter((e) => e.json.dedup_key === key)).toEqual([]);
    });

    it("(e) errors with quotes, backslashes, newlines, tabs, emoji, {{ }}, {% raw %}, 20 KB: valid, within limits, as said", async () => {
        const nasty =
            'quote " backslash \\ C:\\new\\table\nsecond line\ttab 🚀🔥 {{ x }} {% raw %}{{ y }}{% endraw %} ' +
            "{{routing_key}} {{webhook_url}} {{ body }} <!channel> & done";
        const line = 'line "q" \\ {{ x }} {% raw %} ✓\n';
        const big = `20 KB: ${line.repeat(Math.ceil(20_480 / line.length))}`.slice(0, 20_480);
        const flows = { "e2e-inc-nasty": nasty, "e2e-inc-20kb": big };
        const runs = await runFlows(
            apiUrl,
            Object.entries(flows).map(([name, message]) => ({ kind: "fail_with" as const, name, tags: [TAG], message, times: THRESHOLD })),
        );
        for (const [name, raised] of Object.entries(flows)) {
            const said = runs.find((r) => r.name === name)!.message!;
            expect(said).toBe(`Flow run encountered an exception: ValueError: ${raised}`);
            const [incident] = await incidents(flowKey(await flowIdOf(runs.find((r) => r.name === name)!)));
            const details = (incident.alerts[0].json as any).payload.custom_details;
            expect(incident.routingKey).toBe(ROUTING_KEY.critical);
            const [critical] = await receiver.waitFor(() => slackAbout(PATH.critical, name), 1, WAIT_MS, `critical Slack for ${name}`);
            const [warning] = await receiver.waitFor(() => slackAbout(PATH.alerts, name), 1, WAIT_MS, `warning Slack for ${name}`);
            if (raised === nasty) {
                expect(details.error).toBe(said);
                for (const r of [critical, warning]) {
                    expect(unescapeSlack(slackError(r)!)).toBe(said);
                    // Slack mrkdwn cannot ping from a run's text.
                    expect(slackError(r)).toContain("&lt;!channel&gt;");
                }
            } else {
                expect(details.error.endsWith(TRUNCATED)).toBe(true);
                expect(details.error.length).toBeLessThanOrEqual(4000);
                expect(said.startsWith(details.error.slice(0, -TRUNCATED.length))).toBe(true);
                for (const r of [critical, warning]) {
                    const cut = slackError(r)!;
                    expect(cut.endsWith(TRUNCATED)).toBe(true);
                    expect(cut.length).toBeGreaterThan(2500);
                    expect(said.startsWith(cut.slice(0, -TRUNCATED.length))).toBe(true);
                }
            }
        }
        // Every request so far: PagerDuty events and Slack bodies valid (the receiver answered 400 otherwise).
        expect(book.rejected).toEqual([]);
        expect(slackRejected).toEqual([]);
    });

    it("(f) the critical Slack channel answers HTTP 500: Prefect records no action.failed, so the fallback gets nothing", async () => {
        const runs = await runFlows(apiUrl, [{ kind: "fail", name: BROKEN_SLACK_FOR, tags: [TAG], times: THRESHOLD }]);
        // The same automation's other action (PagerDuty) went through.
        await incidents(flowKey(await flowIdOf(runs[0])));
        const refused = await receiver.waitFor(
            () => slackAbout(PATH.critical, BROKEN_SLACK_FOR).filter((r) => r.status === 500),
            1,
            WAIT_MS,
            "the refused Slack request",
        );
        expect(refused[0].json?.text).toBe(`CRITICAL: ${BROKEN_SLACK_FOR} failed ${THRESHOLD} times within ${WINDOW}`);
        await sleep(SETTLE_MS);
        // Prefect 3.9.1: the custom-webhook block's raise_for_status() error is not a NotificationError, so it escapes
        // SendNotification.act; the action is retried and dropped without prefect.automation.action.failed.
        expect(await actionFailures()).toEqual([]);
        expect(receiver.on(PATH.fallback)).toEqual([]);
        // Its in-memory messaging retried the action 3 times (max_retries), then moved it to the dead-letter queue.
        expect(slackAbout(PATH.critical, BROKEN_SLACK_FOR).map((r) => r.status)).toEqual([500, 500, 500, 500]);
    });

    it("(h) a flow fails once (no incident), then completes: its resolve reaches no incident; Slack says nothing", async () => {
        const name = "e2e-inc-fails-once";
        const [failed, done] = await runFlows(apiUrl, [
            { kind: "fail", name, tags: [TAG] },
            { kind: "succeed", name, tags: [TAG] },
        ]);
        expect([failed.state, done.state]).toEqual(["Failed", "Completed"]);
        const key = flowKey(await flowIdOf(failed));
        // flowRecoveredTrigger fires on any Completed after a final failure: Prefect cannot tell whether it paged.
        await receiver.waitFor(() => book.ignored.filter((e) => e.json.dedup_key === key), 1, WAIT_MS, `the resolve for ${name}`);
        await sleep(SETTLE_MS);
        expect(book.withKey(key)).toEqual([]);
        expect(book.ignored.filter((e) => e.json.dedup_key === key)).toHaveLength(1);
        // The critical Slack channel, which never had an alert about this flow, hears nothing of it.
        expect(slackAbout(PATH.critical, name)).toEqual([]);
    });

    it(`(g) warning.repeatMinutes ${REPEAT_MINUTES}: a flow failing 5 times in the interval posts one warning`, async () => {
        const name = "e2e-inc-flapping";
        const runs = await runFlows(apiUrl, [{ kind: "fail", name, tags: [TAG], times: 5 }]);
        const [warning] = await receiver.waitFor(() => slackAbout(PATH.alerts, name), 1, WAIT_MS, `warning for ${name}`);
        expect(warning.json?.text).toBe(`Pipeline failed: ${name} (Failed)`);
        expect(warning.raw).toContain(`Further failures of this flow in the next ${REPEAT_MINUTES} minutes are not posted.`);
        // The first failure's run.
        expect(blocksOf(warning, "actions")[0].elements[0].url).toBe(uiLink(runs[0].flow_run_id));
        for (const run of runs) await expectEventStored(run, "Failed");
        await sleep(SETTLE_MS);
        expect(slackAbout(PATH.alerts, name)).toHaveLength(1);
    });
});

describe("alerts about alerting", () => {
    it("the critical Slack channel's block is deleted: its action fails (action.failed), and the fallback says so once", async () => {
        const block = applied.blocks.find((b) => b.sent.name === `${STACK}-slack-critical`)!;
        await prefectRequest(apiUrl, "DELETE", `/block_documents/${block.id}`);
        const name = "e2e-inc-no-block";
        const runs = await runFlows(apiUrl, [{ kind: "fail", name, tags: [TAG], times: THRESHOLD }]);
        await incidents(flowKey(await flowIdOf(runs[0])));
        const criticalName = `[${STACK}] CRITICAL repeated failures (inc)`;
        const [alert] = await receiver.waitFor(() => receiver.on(PATH.fallback), 1, WAIT_MS, "the delivery-failure alert");
        expect(alert.json?.subject).toBe(`Alert delivery failed: ${criticalName}`);
        expect(alert.json?.body).toContain(`automation ${criticalName} could not deliver its action #1 (channel slackCritical)`);
        // Events are stored asynchronously: wait for the action.failed the alert was about.
        let failures = await actionFailures();
        for (const deadline = Date.now() + 30_000; !failures.length && Date.now() < deadline; await sleep(1000))
            failures = await actionFailures();
        expect(failures.map(({ automation, index }) => ({ automation, index }))).toEqual([{ automation: criticalName, index: 0 }]);
        expect(alert.json?.body).toContain(failures[0].reason);
        await sleep(SETTLE_MS);
        expect(receiver.on(PATH.fallback)).toHaveLength(1);
        expect(automation("alert-delivery-failed")).toBeDefined();
    });
});

describe("server side", () => {
    it("every PagerDuty event and Slack body the receiver got was valid (it answered 400 otherwise)", () => {
        expect(receiver.on(PATH.pagerduty).length).toBeGreaterThan(0);
        expect(receiver.on(PATH.pagerduty).every((r) => r.status === 202)).toBe(true);
        expect(book.rejected).toEqual([]);
        expect(slackRejected).toEqual([]);
    });
});
