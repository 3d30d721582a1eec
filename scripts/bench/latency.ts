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
import { applyToPrefect } from "../../tests/e2e/applyToPrefect";
import { get, post } from "../../tests/e2e/prefectApi";
import { startPrefectServer, PrefectServer } from "../../tests/e2e/prefectServer";
import { Receiver } from "../../tests/e2e/receiver";
import { runFlows } from "../../tests/e2e/runFlows";

const FLOW = "bench-latency";

async function main(): Promise<void> {
    const runs = Number(process.argv[2] ?? process.env.BENCH_RUNS ?? 20);
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`number of runs must be a positive whole number, got ${process.argv[2] ?? process.env.BENCH_RUNS}`);

    let server: PrefectServer | undefined;
    let receiver: Receiver | undefined;
    try {
        server = await startPrefectServer({ label: "bench" });
        receiver = await Receiver.start();
        const api = server.apiUrl;
        await applyToPrefect({ api, receiverUrl: receiver.url });
        await createFloorAutomation(api, `${receiver.url}/floor`);
        console.log(`server ${server.url}; local stack applied; running ${runs} failing flow runs of "${FLOW}" (tag dlt), one after another`);

        const results = await runFlows(api, [{ kind: "fail", name: FLOW, tags: ["dlt"], times: runs }]);
        const ids = results.map((r) => r.flow_run_id);
        const rcv = receiver;
        await rcv.waitFor(() => rcv.on("/alerts", FLOW), runs, 120_000, "warning messages");
        await rcv.waitFor(() => rcv.on("/floor"), runs, 120_000, "floor messages");

        const ours: number[] = [];
        const floor: number[] = [];
        for (const id of ids) {
            const run = await get(api, `/flow_runs/${id}`);
            if (run.state.name !== "Failed") throw new Error(`run ${id} ended ${run.state.name}, not Failed`);
            const failedAt = Date.parse(run.state.timestamp);
            const warning = rcv.on("/alerts", id);
            const bare = rcv.on("/floor", `prefect.flow-run.${id}`);
            if (warning.length !== 1 || bare.length !== 1) throw new Error(`run ${id}: ${warning.length} warning and ${bare.length} floor messages, expected 1 each`);
            ours.push(warning[0].at - failedAt);
            floor.push(bare[0].at - failedAt);
        }

        const version = (await get(api, "/admin/version")) as string;
        console.log(`\nalert latency, failure state timestamp -> webhook receipt (ms), ${runs} runs`);
        console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}, Prefect server ${version} on SQLite, same machine`);
        console.log(table([
            ["automation", "p50", "p95", "max", "min"],
            ["warning tier (local stack)", ...figures(ours)],
            ["floor: bare Reactive trigger", ...figures(floor)],
        ]));
    } finally {
        await receiver?.close();
        await server?.stop();
    }
}

/**
 * Prefect's floor: the simplest trigger there is (any flow run's Failed event,
 * no related-resource match, no threshold or window) and a template that
 * loads nothing, notifying a custom-webhook block on the receiver.
 */
async function createFloorAutomation(api: string, url: string): Promise<void> {
    const blockType = await get(api, "/block_types/slug/custom-webhook");
    const [schema] = await post(api, "/block_schemas/filter", { block_schemas: { block_type_id: { any_: [blockType.id] } }, limit: 1 });
    const block = await post(api, "/block_documents/", {
        name: "bench-floor",
        block_type_id: blockType.id,
        block_schema_id: schema.id,
        data: { name: "bench-floor", url, method: "POST", json_data: { subject: "{{subject}}", body: "{{body}}" } },
    });
    await post(api, "/automations/", {
        name: "bench floor",
        trigger: { type: "event", posture: "Reactive", match: { "prefect.resource.id": "prefect.flow-run.*" }, expect: ["prefect.flow-run.Failed"], threshold: 1, within: 0 },
        actions: [{ type: "send-notification", block_document_id: block.id, subject: "floor", body: "{{ event.resource.id }}" }],
    });
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
