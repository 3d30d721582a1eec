/**
 * Alert latency against a real, local Prefect server: how long from a flow
 * run's failure (the Failed state's timestamp, read back from the API) until
 * the warning message reaches the (loopback) webhook, next to the same figure
 * for the simplest automation Prefect can have (its own floor).
 *
 *   npm run bench:latency            # 20 failing runs
 *   npm run bench:latency -- 50      # or BENCH_RUNS=50
 *
 * Prints figures only: nothing here passes or fails on time.
 */
import { cpus } from "node:os";
import { slack } from "../../channels/slack";
import { customWebhookRawJson } from "../../channels/webhook";
import { finalFailureMessage } from "../../signals/finalFailure";
import { applyToPrefect, createBlockDocument } from "../../tests/e2e/applyToPrefect";
import { get, post, prefectRequest } from "../../tests/e2e/prefectApi";
import { startPrefectServer, PrefectServer } from "../../tests/e2e/prefectServer";
import { Receiver } from "../../tests/e2e/receiver";
import { createFloorAutomation } from "./floor";
import { runFlows } from "../../tests/e2e/runFlows";

/**
 * Runs `runs` failing flow runs of `flow` (tag dlt) and returns, per run, ms
 * from its Failed state's timestamp to the one message on `path` that names it.
 */
async function measure(
    api: string,
    rcv: Receiver,
    runs: number,
    flow: string,
    path: string,
    mention: (id: string) => string,
): Promise<number[]> {
    const about = (id: string) => rcv.on(path).filter((r) => r.raw.includes(mention(id)));
    const results = await runFlows(api, [{ kind: "fail", name: flow, tags: ["dlt"], times: runs }]);
    await rcv.waitFor(() => results.filter((r) => about(r.flow_run_id).length > 0), runs, 120_000, `messages on ${path}`);
    const latencies: number[] = [];
    for (const { flow_run_id: id } of results) {
        const run = await get(api, `/flow_runs/${id}`);
        if (run.state.name !== "Failed") throw new Error(`run ${id} ended ${run.state.name}, not Failed`);
        const messages = about(id);
        if (messages.length !== 1) throw new Error(`run ${id}: ${messages.length} messages on ${path}, expected 1`);
        latencies.push(messages[0].at - Date.parse(run.state.timestamp));
    }
    return latencies;
}

async function main(): Promise<void> {
    const runs = Number(process.argv[2] ?? process.env.BENCH_RUNS ?? 20);
    if (!Number.isInteger(runs) || runs < 1)
        throw new Error(`number of runs must be a positive whole number, got ${process.argv[2] ?? process.env.BENCH_RUNS}`);

    let server: PrefectServer | undefined;
    let receiver: Receiver | undefined;
    try {
        server = await startPrefectServer({ label: "bench" });
        receiver = await Receiver.start();
        const api = server.apiUrl;
        const rcv = receiver;
        const applied = await applyToPrefect({ api, receiverUrl: receiver.url });
        console.log(`server ${server.url}; local stack applied; ${runs} failing runs per phase, one after another`);

        // Warm-up (not measured): the first event and action after start pay for caches and imports.
        const [warm] = await runFlows(api, [{ kind: "fail", name: "bench-warm-up", tags: ["dlt"] }]);
        await rcv.waitFor(() => rcv.on("/alerts", warm.flow_run_id), 1, 120_000, "warm-up warning");

        // Phase 1: the local stack's automations alone. Phase 2: the floor alone. Measured apart so
        // their actions never queue behind each other.
        const ours = await measure(api, rcv, runs, "bench-stack", "/alerts", (id) => id);
        // Phase 1b: the same warning automation (trigger, message) as the slack channel kind sends it: Block Kit
        // JSON rendered by the server, through a custom-webhook block, instead of the webhook kind's {subject, body}.
        const warning = applied.automations.find((a) => a.name.startsWith("warning-"))!;
        await prefectRequest(api, "PATCH", `/automations/${warning.id}`, { enabled: false });
        await createBlockKitTwin(api, warning.sent, `${receiver.url}/slack`);
        const blockKit = await measure(api, rcv, runs, "bench-block-kit", "/slack", (id) => id);
        for (const a of applied.automations) await prefectRequest(api, "PATCH", `/automations/${a.id}`, { enabled: false });
        await disableAutomationsNamed(api, BLOCK_KIT_TWIN);
        await createFloorAutomation(api, `${receiver.url}/floor`);
        const floor = await measure(api, rcv, runs, "bench-floor", "/floor", (id) => `prefect.flow-run.${id}`);

        const version = (await get(api, "/admin/version")) as string;
        console.log(`\nalert latency, failure state timestamp -> webhook receipt (ms), ${runs} runs each`);
        console.log(
            `machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ` +
                `Node ${process.version}, Prefect server ${version} on SQLite, same machine`,
        );
        console.log(
            table([
                ["automation", "p50", "p95", "max", "min"],
                ["warning tier (local stack, all its automations on)", ...figures(ours)],
                ["the same, Block Kit payload (slack kind), its twin on", ...figures(blockKit)],
                ["floor: one bare Reactive automation, nothing else on", ...figures(floor)],
            ]),
        );
    } finally {
        await receiver?.close();
        await server?.stop();
    }
}

const BLOCK_KIT_TWIN = "bench warning as Block Kit";

/** A copy of the warning automation whose action posts the slack channel kind's Block Kit body to `url`. */
async function createBlockKitTwin(api: string, warning: Record<string, any>, url: string): Promise<void> {
    const { id } = await createBlockDocument(
        api,
        "bench-block-kit",
        "custom-webhook",
        customWebhookRawJson("bench-block-kit", url, "{{body}}"),
    );
    const rendered = slack.render(finalFailureMessage(true), { stack: "local", signal: "finalFailure", tier: "warning" });
    await post(api, "/automations/", {
        name: BLOCK_KIT_TWIN,
        trigger: warning.trigger,
        actions: [{ type: "send-notification", block_document_id: id, subject: rendered.subject, body: rendered.body }],
    });
}

async function disableAutomationsNamed(api: string, name: string): Promise<void> {
    for (const a of await post<{ id: string; name: string }[]>(api, "/automations/filter", {}))
        if (a.name === name) await prefectRequest(api, "PATCH", `/automations/${a.id}`, { enabled: false });
}

/** Nearest-rank percentiles, in ms. */
function figures(values: number[]): string[] {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
    return [at(50), at(95), sorted[sorted.length - 1], sorted[0]].map((v) => `${Math.round(v)}`);
}

function table(rows: string[][]): string {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")).join("\n");
}

main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
});
