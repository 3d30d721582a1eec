import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { PROJECT } from "../../config/load";
import { readStackFile } from "../../harness/stackFile";
import { SECRET_FIELDS, blockData } from "../../channels/registry";
import { WEBHOOK_URL_SECRET } from "../../channels/webhook";
import { blockFor } from "../../rules/plan";
import { templateLiteral } from "../../alert/templates";
import { NASTY } from "../helpers/templateSyntax";
import { Applied, applyToPrefect, blockSchema, createBlockDocument, diff } from "./applyToPrefect";
import { createWorkPool, events, flowRun, get, post, prefectRequest, workerHeartbeat } from "./prefectApi";
import { LOG_DIR, ROOT, prefectEnv } from "./prefectServer";
import { Received, Receiver } from "./receiver";
import { FlowKind, FlowRunResult, runFlows } from "./runFlows";

/**
 * The local stack applied to a real Prefect server, real flows run against it,
 * and what reaches the loopback receiver. Each scenario uses its own flow names.
 * Absence is asserted after SETTLE_MS more than the positive scenarios need.
 */

const { url, apiUrl } = inject("prefect");
const SETTLE_MS = Number(process.env.E2E_SETTLE_MS ?? 20_000);
const WAIT_MS = 90_000;
const DLT = ["dlt"];

const local = readStackFile(ROOT, "local").values;
const WORK_POOL: string = JSON.parse(local[`${PROJECT}:p1`]).workPools[0];
const CRITICAL_THRESHOLD: number = JSON.parse(local[`${PROJECT}:critical`]).threshold;

let receiver: Receiver;
let applied: Applied;
let pool: { id: string; name: string };

/**
 * A second stack applied next to `local` (issue 8, item 3): one route whose tags and flow name are template syntax
 * (legal Prefect names), watched by the P1 silence signal on its own channel, whose message names the route.
 */
const ODD_STACK = "templated";
const ODD_CHANNEL = "quoted";
const ODD_ROUTE = { tags: ["{{ flow_run.name }}", "a{{b"], flows: ['{% endraw %}"\\ {{webhook_url}}'] };
let odd: Applied;

/** Blocks of the other types, built by the program's blockData from made-up secrets (nothing can deliver through them here). */
interface SecretBlock {
    id: string;
    typeSlug: string;
    secrets: string[];
}
const otherBlocks: SecretBlock[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const subjects = (rs: Received[]) => rs.map((r) => r.json?.subject);
/** Critical-tier messages about one flow (the critical channels also carry P1 messages). */
const critical = (path: string, flow: string) => receiver.on(path, flow).filter((r) => r.json?.subject?.startsWith("CRITICAL:"));
const uiLink = (id: string) => `${url}/runs/flow-run/${id}`;

/**
 * Waits for the warning about one run and checks its text: flow, state, error and the run's UI link.
 * (Exactly one: asserted after the settle.)
 */
async function expectWarning(run: FlowRunResult, state: string, error: string): Promise<Received> {
    const [message] = await receiver.waitFor(() => receiver.on("/alerts", run.flow_run_id), 1, WAIT_MS, `warning for ${run.name}`);
    expect(message.json?.subject).toBe(`Pipeline failed: ${run.name} (${state})`);
    expect(message.json?.body).toContain(`*Flow*: ${run.name}`);
    expect(message.json?.body).toContain(`*State*: ${state} at `);
    expect(message.json?.body).toContain(`*Error*: ${error}`);
    expect(message.json?.body).toContain(uiLink(run.flow_run_id));
    return message;
}

/** Runs one dlt-tagged flow that must end in `state`; exactly one warning arrives, and still one after the settle time. */
async function expectOnlyWarning(kind: FlowKind, name: string, state: string, error: string): Promise<FlowRunResult> {
    const [run] = await runFlows(apiUrl, [{ kind, name, tags: DLT }]);
    expect(run.state).toBe(state);
    await expectWarning(run, state, error);
    await sleep(SETTLE_MS);
    expect(receiver.on("/alerts", run.name)).toHaveLength(1);
    return run;
}

/** The server has the run's final-state event (so triggers had it to evaluate). */
async function expectEventStored(run: FlowRunResult, state: string): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
        const found = (await events(apiUrl, [`prefect.flow-run.${state}`])).some(
            (e) => e.resource["prefect.resource.id"] === `prefect.flow-run.${run.flow_run_id}`,
        );
        if (found) return;
        if (Date.now() > deadline) throw new Error(`no prefect.flow-run.${state} event for ${run.name} on the server`);
        await sleep(1000);
    }
}

/** What of a channel's secret URL must never be readable: the URL, its host and port, its path and query, its token. */
function urlParts(channelUrl: string): string[] {
    const u = new URL(channelUrl);
    return [channelUrl, u.host, u.hostname, `${u.pathname}${u.search}`, u.searchParams.get("token") ?? channelUrl];
}

/** The secrets (or parts) found in `text`, reported by index so a failure never prints one. */
function leaked(text: string, secrets: string[]): string[] {
    return secrets.flatMap((s, i) => (text.includes(s) ? [`secret #${i} (${s.length} chars)`] : []));
}

/**
 * Renders templates with the Prefect server's own Jinja environment (tests/e2e/renderTemplates.py): rendered text or the error,
 * per template.
 */
async function renderWithPrefect(templates: string[], context: Record<string, unknown>): Promise<{ rendered?: string; error?: string }[]> {
    const home = mkdtempSync(join(tmpdir(), "prefect-render-"));
    try {
        const child = spawn(join(ROOT, ".venv", "bin", "python"), [join(ROOT, "tests", "e2e", "renderTemplates.py")], {
            cwd: ROOT,
            stdio: ["pipe", "pipe", "pipe"],
            env: prefectEnv({ PREFECT_HOME: home, PREFECT_LOGGING_LEVEL: "WARNING" }),
        });
        let out = "";
        let err = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (err += d.toString()));
        child.stdin.end(JSON.stringify({ templates, context }));
        const code = await new Promise<number | null>((resolve, reject) => {
            child.once("error", reject);
            child.once("close", resolve);
        });
        if (code !== 0) throw new Error(`renderTemplates.py exited ${code}\n${err.slice(-4000)}`);
        return JSON.parse(out);
    } finally {
        rmSync(home, { recursive: true, force: true });
    }
}

beforeAll(async () => {
    receiver = await Receiver.start();
    // Created before the automations exist: Prefect emits prefect.work-pool.not-ready for a pool the moment it is
    // created (no worker yet), which would page on its own; scenario h2 is about a pool losing its last worker.
    pool = await createWorkPool(apiUrl, WORK_POOL);
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(500)) {
        const created = await events(apiUrl, ["prefect.work-pool.not-ready"]);
        if (created.some((e) => e.resource["prefect.resource.id"] === `prefect.work-pool.${pool.id}`)) break;
    }
    applied = await applyToPrefect({
        api: apiUrl,
        receiverUrl: receiver.url,
        // 30 s of silence instead of 6 hours, so the P1 "no successful run" signal can fire during the suite.
        edit: { p1: (p1) => ({ ...p1, noSuccessMinutes: 0.5 }) },
    });
    // The program again (a fresh module registry runs index.ts anew) for the templated stack; its 30 s window starts now.
    vi.resetModules();
    odd = await applyToPrefect({
        api: apiUrl,
        receiverUrl: receiver.url,
        stack: ODD_STACK,
        file: "local",
        edit: {
            channels: () => ({ [ODD_CHANNEL]: { type: "webhook", description: "loopback receiver for the templated route" } }),
            routes: () => ({ odd: ODD_ROUTE }),
            warning: () => ({ enabled: false }),
            successNotice: () => ({ enabled: false }),
            critical: () => ({ enabled: false }),
            p1: () => ({ enabled: true, channels: [ODD_CHANNEL], noSuccessMinutes: 0.5 }),
        },
    });
    // Made-up values (random, per run) in the fields the real secrets would fill.
    const token = () => `e2e-secret-${randomUUID()}`;
    const fake: Record<"url" | "integrationKey" | "apiKey", string> = {
        url: `https://hooks.slack.com/services/T00000000/B00000000/${token()}`,
        integrationKey: token(),
        apiKey: token(),
    };
    const specs = [
        { ...blockFor("e2e", { name: "slack", spec: { type: "slack", slackChannel: "#e2e" } }, PROJECT), name: "e2e-masked-slack" },
        { ...blockFor("e2e", { name: "pager", spec: { type: "pagerduty", service: "critical" } }, PROJECT), name: "e2e-masked-pager" },
    ];
    for (const spec of specs) {
        const { id } = await createBlockDocument(apiUrl, spec.name, spec.typeSlug, blockData(spec, fake));
        // For the Slack URL its path too ("hooks.slack.com" is in the block schema's own examples).
        // The Slack kind holds its URL (and so its path) in secrets; the PagerDuty kind its routing key.
        const secrets = spec.spec.type === "slack" ? [fake.url, new URL(fake.url).pathname] : [fake.integrationKey];
        otherBlocks.push({ id, typeSlug: `${spec.typeSlug} (${spec.spec.type})`, secrets });
    }
});

afterAll(async () => {
    if (receiver) {
        // Information only (no timed assertions): latency seen under the suite's concurrent load;
        // `npm run bench:latency` measures it properly.
        const latencies = receiver.on("/alerts").flatMap((r) => {
            const m = /\*State\*: \w+ at (\S+ \S+)/.exec(r.json?.body ?? "");
            return m ? [r.at - Date.parse(m[1].replace(" ", "T"))] : [];
        });
        const sorted = latencies.sort((a, b) => a - b);
        const counts = new Map<string, number>();
        for (const r of receiver.requests) counts.set(r.path, (counts.get(r.path) ?? 0) + 1);
        const byPath = [...counts].map(([path, n]) => `${path} ${n}`);
        console.log(
            `[e2e] received: ${byPath.join(", ")}; ` +
                `warning latency under load: median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms`,
        );
        writeFileSync(join(LOG_DIR, "received.json"), JSON.stringify(receiver.requests, null, 2));
        await receiver.close();
    }
});

describe("apply", () => {
    it("creates every block and automation of the local stack on the server, stored exactly as sent", () => {
        // applyToPrefect has already read each automation back and compared it.
        expect(applied.blocks.map((b) => b.sent.name).sort()).toEqual(["local-alerts", "local-critical", "local-info", "local-pager"]);
        expect(applied.automations.map((a) => a.name).sort()).toEqual([
            "critical-dlt",
            "p1-no-success-dlt",
            "p1-work-pool-not-ready",
            "success-notice",
            "warning-dlt",
        ]);
        const blockIds = new Set(applied.blocks.map((b) => b.id));
        for (const a of applied.automations) for (const action of a.sent.actions) expect(blockIds).toContain(action.block_document_id);
    });

    it("the read-back comparison catches what Prefect drops: a misspelt nested key is accepted (201) and lost", async () => {
        const sent = {
            name: "e2e read-back check (never fires)",
            enabled: false,
            trigger: {
                type: "event",
                posture: "Reactive",
                expect: ["e2e.never"],
                matchRelated: { "prefect.resource.role": "tag" },
                threshold: 1,
                within: 0,
            },
            actions: [{ type: "do-nothing" }],
        };
        const { id } = await post(apiUrl, "/automations/", sent);
        try {
            expect(diff(sent, await get(apiUrl, `/automations/${id}`), "")).toEqual([
                'trigger.matchRelated: sent {"prefect.resource.role":"tag"}, not stored (dropped)',
            ]);
        } finally {
            await prefectRequest(apiUrl, "DELETE", `/automations/${id}`);
        }
    });
});

describe.concurrent("scenarios", () => {
    it("(a) a watched flow fails: exactly one warning, with flow, state, error and UI link", async () => {
        const run = await expectOnlyWarning(
            "fail",
            "e2e-a-fails-once",
            "Failed",
            "Flow run encountered an exception: ValueError: upstream API answered 503 Service Unavailable (e2e-a-fails-once)",
        );
        expect(receiver.mentioning(run.name).filter((r) => r.path !== "/alerts")).toEqual([]);
    });

    it("(b) a crash: one Crashed warning", async () => {
        await expectOnlyWarning("crash", "e2e-b-crashes", "Crashed", "Execution was aborted by an interrupt signal.");
    });

    it("(c) a timeout: one TimedOut warning", async () => {
        await expectOnlyWarning("timeout", "e2e-c-times-out", "TimedOut", "Flow run exceeded timeout of 1.0 second(s)");
    });

    it("(d) fails, then succeeds on retry: no message", async () => {
        const [run] = await runFlows(apiUrl, [{ kind: "flaky", name: "e2e-d-flaky-retry", tags: DLT }]);
        expect(run.state).toBe("Completed");
        expect((await flowRun(apiUrl, run.flow_run_id)).state.name).toBe("Completed");
        await expectEventStored(run, "AwaitingRetry");
        await expectEventStored(run, "Completed");
        await sleep(SETTLE_MS);
        expect(receiver.mentioning(run.name)).toEqual([]);
    });

    it("(d2) fails, and fails again on its retry: one warning for the final failure, none for the retry", async () => {
        const [run] = await runFlows(apiUrl, [{ kind: "stubborn", name: "e2e-d2-fails-retry-too", tags: DLT }]);
        expect(run.state).toBe("Failed");
        await expectEventStored(run, "AwaitingRetry");
        await expectWarning(
            run,
            "Failed",
            "Flow run encountered an exception: ValueError: upstream API answered 503 Service Unavailable (e2e-d2-fails-retry-too)",
        );
        await sleep(SETTLE_MS);
        expect(receiver.mentioning(run.name)).toHaveLength(1);
    });

    it("(e) an unwatched (untagged) flow fails: no message", async () => {
        const [run] = await runFlows(apiUrl, [{ kind: "fail", name: "e2e-e-untagged", tags: [] }]);
        expect(run.state).toBe("Failed");
        await expectEventStored(run, "Failed");
        await sleep(SETTLE_MS);
        expect(receiver.mentioning(run.name)).toEqual([]);
    });

    const scenarioF =
        `(f) the same flow fails ${CRITICAL_THRESHOLD} times: one critical message and one page; ` +
        `a further failure in the window adds none`;
    it(scenarioF, async () => {
        const name = "e2e-f-fails-repeatedly";
        const runs = await runFlows(apiUrl, [{ kind: "fail", name, tags: DLT, times: CRITICAL_THRESHOLD }]);
        expect(runs.map((r) => r.state)).toEqual(Array(CRITICAL_THRESHOLD).fill("Failed"));
        const [message] = await receiver.waitFor(() => critical("/critical", name), 1, WAIT_MS, `critical message for ${name}`);
        await receiver.waitFor(() => critical("/pager", name), 1, WAIT_MS, `page for ${name}`);
        expect(message.json?.subject).toBe(`CRITICAL: ${name} failed ${CRITICAL_THRESHOLD} times within 24 hours`);
        // The message shows the run that reached the threshold.
        expect(message.json?.body).toContain(uiLink(runs[CRITICAL_THRESHOLD - 1].flow_run_id));
        expect(message.json?.body).toContain(`*Flow*: ${name}`);

        const [fourth] = await runFlows(apiUrl, [{ kind: "fail", name, tags: DLT }]);
        await receiver.waitFor(() => receiver.on("/alerts", fourth.flow_run_id), 1, WAIT_MS, "warning for the 4th failure");
        await sleep(SETTLE_MS);
        expect(receiver.on("/alerts", name)).toHaveLength(CRITICAL_THRESHOLD + 1);
        expect(subjects(critical("/critical", name))).toHaveLength(1);
        expect(subjects(critical("/pager", name))).toHaveLength(1);
    });

    it("(g) three different flows fail once each: warnings, but no critical message", async () => {
        const names = ["e2e-g-first", "e2e-g-second", "e2e-g-third"];
        const runs = await runFlows(
            apiUrl,
            names.map((name) => ({ kind: "fail" as const, name, tags: DLT })),
        );
        for (const run of runs)
            await receiver.waitFor(() => receiver.on("/alerts", run.flow_run_id), 1, WAIT_MS, `warning for ${run.name}`);
        await sleep(SETTLE_MS);
        for (const name of names) {
            expect(receiver.on("/alerts", name)).toHaveLength(1);
            expect(critical("/critical", name)).toEqual([]);
            expect(critical("/pager", name)).toEqual([]);
        }
    });

    it("(h1) P1: no watched run completed within the window -> the pager channel fires", async () => {
        const isNoSuccess = (r: Received) => r.json?.subject === "P1: no pipeline has succeeded for 30 seconds";
        const [page] = await receiver.waitFor(() => receiver.on("/pager").filter(isNoSuccess), 1, 150_000, "P1 no-success page");
        expect(page.json?.body).toContain("no successful run for 30 seconds");
        expect(page.json?.body).toContain("flow runs tagged dlt");
        await receiver.waitFor(() => receiver.on("/critical").filter(isNoSuccess), 1, WAIT_MS, "P1 no-success message on critical");
    });

    it(`(h2) P1: work pool ${WORK_POOL} loses its last worker (not-ready) -> the pager channel fires`, async () => {
        const notReady = `work pool ${WORK_POOL} is not ready`;
        // A worker (2 s heartbeat interval) heartbeats each second for a few seconds (pool READY), then stops: after
        // 3 intervals without one the server's foreman marks it offline and the pool NOT_READY (prefect.work-pool.not-ready).
        for (let i = 0; i < 4; i++) {
            await workerHeartbeat(apiUrl, WORK_POOL, "e2e-worker", 2);
            await sleep(1000);
        }
        expect(receiver.on("/pager", notReady)).toEqual([]);
        const [page] = await receiver.waitFor(() => receiver.on("/pager", notReady), 1, WAIT_MS, "P1 work-pool page");
        expect(page.json?.subject).toBe(`P1: work pool ${WORK_POOL} is not ready`);
        expect(page.json?.body).toContain(`<${url}/work-pools/work-pool/${WORK_POOL}|open ${WORK_POOL} in Prefect>`);
        await receiver.waitFor(() => receiver.on("/critical", notReady), 1, WAIT_MS, "P1 work-pool message on critical");

        // The page followed the pool's READY -> NOT_READY transition (events are stored asynchronously: poll).
        let transitions: { event: string; occurred: string }[] = [];
        for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(1000)) {
            transitions = (await events(apiUrl, ["prefect.work-pool.ready", "prefect.work-pool.not-ready"]))
                .filter((e) => e.resource["prefect.resource.id"] === `prefect.work-pool.${pool.id}`)
                .map((e) => ({ event: e.event, occurred: e.occurred }));
            if (transitions.length >= 3) break;
        }
        // not-ready at creation (before the automations existed), ready on the first heartbeat, not-ready when the worker went silent.
        expect(transitions.map((t) => t.event)).toEqual([
            "prefect.work-pool.not-ready",
            "prefect.work-pool.ready",
            "prefect.work-pool.not-ready",
        ]);
        expect(page.at).toBeGreaterThanOrEqual(Date.parse(transitions[2].occurred));
        await sleep(SETTLE_MS);
        expect(receiver.on("/pager", notReady)).toHaveLength(1);
        expect(receiver.on("/critical", notReady)).toHaveLength(1);
    });

    it("(i) products-daily completes: a success notice on the info channel", async () => {
        const [run] = await runFlows(apiUrl, [{ kind: "succeed", name: "products-daily" }]);
        expect(run.state).toBe("Completed");
        const [notice] = await receiver.waitFor(() => receiver.on("/info", run.flow_run_id), 1, WAIT_MS, "success notice");
        expect(notice.json?.subject).toBe("Pipeline completed: products-daily");
        expect(notice.json?.body).toContain(uiLink(run.flow_run_id));
        await sleep(SETTLE_MS);
        expect(receiver.on("/info")).toHaveLength(1);
        expect(receiver.mentioning("products-daily").filter((r) => r.path !== "/info")).toEqual([]);
    });

    it("(j) a route whose tags and flow name are template syntax: the P1 silence message shows them as written", async () => {
        const channel = `/${ODD_CHANNEL}`;
        const [message] = await receiver.waitFor(() => receiver.on(channel), 1, 150_000, "P1 no-success message of the templated route");
        expect(message.json?.subject).toBe("P1: no pipeline has succeeded for 30 seconds");
        expect(message.json?.body).toContain(
            `Not one of the watched flow runs tagged ${ODD_ROUTE.tags.join(" or ")} and of flow ${ODD_ROUTE.flows[0]} reached ` +
                `Completed in the last 30 seconds`,
        );
        // "{{webhook_url}}" in the text stays text: the block fills placeholders in its own fields, never inside the message.
        expect(leaked(message.raw, urlParts(odd.channelUrls[ODD_CHANNEL]))).toEqual([]);
    });

    const scenarioK =
        "(k) Prefect's own Jinja renders each config string templateLiteral makes literal exactly as written (and not without it)";
    it(scenarioK, async () => {
        const context = { flow: { name: "the-flow" }, flow_run: { name: "the-run" } };
        const wrap = (text: string) => `[{{ flow.name }}]${text}[{{ flow_run.name }}]`;
        const escaped = await renderWithPrefect(
            NASTY.map((t) => wrap(templateLiteral(t))),
            context,
        );
        expect(escaped).toEqual(NASTY.map((t) => ({ rendered: `[the-flow]${t}[the-run]` })));
        // Control: pasted as they are, the ones that open a tag are not text to Prefect.
        const opening = NASTY.filter((t) => /\{[{%#]/.test(t));
        const raw = await renderWithPrefect(opening.map(wrap), context);
        raw.forEach((r, i) => expect(r, opening[i]).not.toEqual({ rendered: `[the-flow]${opening[i]}[the-run]` }));
    });
});

describe("secrets on the server", () => {
    it("the block schemas' secret fields are the ones rules/blockData.ts puts every secret in", async () => {
        for (const [slug, fields] of Object.entries(SECRET_FIELDS))
            expect((await blockSchema(apiUrl, slug)).fields.secret_fields?.sort(), slug).toEqual([...fields].sort());
    });

    const webhookUrlsHidden =
        "webhook channels: no part of a channel's URL in its block document as the API and UI read it, yet every channel delivered";
    it(webhookUrlsHidden, async () => {
        const all = [
            ...applied.blocks.map((b) => ({ b, urls: applied.channelUrls })),
            ...odd.blocks.map((b) => ({ b, urls: odd.channelUrls })),
        ];
        expect(all).toHaveLength(5);
        const listed = JSON.stringify(await post(apiUrl, "/block_documents/filter", {}));
        for (const { b, urls } of all) {
            const channel = b.name.replace(/^block-/, "");
            const parts = urlParts(urls[channel]);
            const read = await get(apiUrl, `/block_documents/${b.id}`);
            expect(leaked(JSON.stringify(read), parts), b.sent.name).toEqual([]);
            expect(leaked(listed, parts), `${b.sent.name} in the block list`).toEqual([]);
            expect(read.data.url).toBe(`{{${WEBHOOK_URL_SECRET}}}`);
            expect(Object.keys(read.data.secrets)).toEqual([WEBHOOK_URL_SECRET]);
            // The URL is there for the block itself (and the Terraform provider, which reads with include_secrets).
            const full = await get(apiUrl, `/block_documents/${b.id}?include_secrets=true`);
            expect(full.data.secrets[WEBHOOK_URL_SECRET] === urls[channel], `${b.sent.name} holds its URL in secrets`).toBe(true);
        }
        // Every message of the scenarios went through these blocks: each channel received some.
        for (const channel of [...Object.keys(applied.channelUrls), ...Object.keys(odd.channelUrls)])
            expect(receiver.on(`/${channel}`).length, channel).toBeGreaterThan(0);
    });

    it("Slack and PagerDuty blocks as the program builds them: their secrets masked when read", async () => {
        expect(otherBlocks.map((b) => b.typeSlug)).toEqual(["custom-webhook (slack)", "custom-webhook (pagerduty)"]);
        const listed = JSON.stringify(await post(apiUrl, "/block_documents/filter", {}));
        for (const b of otherBlocks) {
            expect(leaked(JSON.stringify(await get(apiUrl, `/block_documents/${b.id}`)), b.secrets), b.typeSlug).toEqual([]);
            expect(leaked(listed, b.secrets), `${b.typeSlug} in the block list`).toEqual([]);
            const full = await get(apiUrl, `/block_documents/${b.id}?include_secrets=true`);
            expect(
                b.secrets.every((s) => JSON.stringify(full.data).includes(s)),
                `${b.typeSlug} holds its secrets`,
            ).toBe(true);
        }
    });

    it("Prefect's block-document events carry none of these secrets", async () => {
        const ids = [...applied.blocks, ...odd.blocks, ...otherBlocks].map((b) => `prefect.block-document.${b.id}`);
        const secrets = [
            ...Object.values(applied.channelUrls).flatMap(urlParts),
            ...Object.values(odd.channelUrls).flatMap(urlParts),
            ...otherBlocks.flatMap((b) => b.secrets),
        ];
        // Events are persisted asynchronously: wait until every block's created event is there.
        let found: Awaited<ReturnType<typeof events>> = [];
        for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(1000)) {
            found = await events(apiUrl, [
                "prefect.block-document.created",
                "prefect.block-document.updated",
                "prefect.block-document.deleted",
            ]);
            if (ids.every((id) => found.some((e) => e.resource["prefect.resource.id"] === id))) break;
        }
        expect(
            ids.filter(
                (id) => !found.some((e) => e.event === "prefect.block-document.created" && e.resource["prefect.resource.id"] === id),
            ),
        ).toEqual([]);
        expect(leaked(JSON.stringify(found), secrets)).toEqual([]);
    });
});

describe("server side", () => {
    it("no automation action failed, and each request the receiver got was an action the server executed", async () => {
        // This file's automations only: incidents.e2e.ts makes one fail on purpose (a deleted block) on the same server.
        const ours = new Set([...applied.automations, ...odd.automations].map((a) => `prefect.automation.${a.id}`));
        const failed = (await events(apiUrl, ["prefect.automation.action.failed"])).filter((e) =>
            ours.has(e.resource["prefect.resource.id"]),
        );
        expect(failed.map((e) => ({ event: e.event, resource: e.resource, payload: e.payload }))).toEqual([]);
        // Events are persisted asynchronously: wait until the executed actions cover what was received.
        const received = receiver.requests.length;
        expect(received).toBeGreaterThan(0);
        let executed = 0;
        for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(1000)) {
            executed = (await events(apiUrl, ["prefect.automation.action.executed"])).length;
            if (executed >= received) break;
        }
        expect(executed).toBeGreaterThanOrEqual(received);
    });
});
