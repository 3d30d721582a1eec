/**
 * Cost of the program's offline preview against a bare Pulumi program that
 * registers the same resources under the same mocks.
 *
 *   npm run bench:preview            # 1, 50 and 500 routes, and 50 owners; 5 runs (3 above 100 routes)
 *   npm run bench:preview -- 7       # or BENCH_RUNS=7 (every size); BENCH_ROUTES=1,50,500,50o
 *
 * A size "<n>o" is one route and n owners (issue 18), each owner with a webhook channel of its own (a secret URL):
 * per owner a warning, a critical, a late-run and two stuck-run automations (lateRuns and stuckRuns on), and a
 * runbook per deployment for each team (runbooks.deployments): the cost of owner routing at that many teams.
 *
 * For each size it generates a stack config in memory (routes r0..rN-1 with
 * one tag each; warning, critical and P1 "no success" on every route; webhook
 * channels with secret URLs; a self-hosted Prefect endpoint) and times, each
 * in a fresh Node process (the Pulumi runtime keeps global state), alternating:
 *   program: runProgram() (harness/runProgram.ts) with that config;
 *   bare:    runProgram() with scripts/bench/bareProgram.ts loaded in place of
 *            the program's entry (package.json "main"): a flat loop that
 *            registers what the program's first run registered (types, names,
 *            parents, inputs, secrets, dependencies; SDK classes), checked equal
 *            afterwards.
 * Timed is the runProgram() call: loading the program's modules, config,
 * planning, registrations, outputs and the harness's settle wait. The whole
 * process (Node and tsx start-up included) is shown too. One warm-up pair is
 * discarded before the first size.
 *
 * It depends only on runProgram(), the README's config keys, package.json's
 * "main" and the resources it observes, not on the program's layout. Prints
 * figures only: nothing here passes or fails on time.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { register } from "node:module";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { runProgram } from "../../harness/runProgram";
import { ShapeResource, canonical, recordShape } from "./shape";

const ROOT = resolve(__dirname, "../..");
const PROJECT = "prefect-alerting";
const STACK = "bench";
const CHANNELS = ["alerts", "critical", "pager"];

/** "50" is 50 routes; "50o" one route and 50 owners. */
function sizeOf(size: string): { routes: number; owners: number } {
    const owners = /^(\d+)o$/.exec(size);
    return owners ? { routes: 1, owners: Number(owners[1]) } : { routes: Number(size), owners: 0 };
}

/** A stack's flat config of a size (routes, or owners), as `pulumi up` would hand it to the program. */
function stackConfig(size: string): { values: Record<string, string>; secretKeys: string[] } {
    const { routes, owners } = sizeOf(size);
    const k = (key: string) => `${PROJECT}:${key}`;
    const teams = Array.from({ length: owners }, (_, i) => `team${i}`);
    const channels = [...CHANNELS, ...teams];
    const values: Record<string, string> = {
        "prefect:endpoint": "http://127.0.0.1:4200/api",
        [k("environment")]: "development",
        [k("channels")]: JSON.stringify(
            Object.fromEntries(channels.map((c) => [c, { type: "webhook", description: `bench receiver ${c}` }])),
        ),
        [k("routes")]: JSON.stringify(Object.fromEntries(Array.from({ length: routes }, (_, i) => [`r${i}`, { tags: [`tag${i}`] }]))),
        [k("warning")]: JSON.stringify({ enabled: true, channels: ["alerts"] }),
        [k("critical")]: JSON.stringify({ enabled: true, channels: ["critical", "pager"], threshold: 3, windowHours: 24 }),
        [k("p1")]: JSON.stringify({ enabled: true, channels: ["critical", "pager"], noSuccessMinutes: 360 }),
    };
    if (owners) {
        values[k("owners")] = JSON.stringify(
            Object.fromEntries(teams.map((t) => [`owner-${t}`, { channels: [t], runbook: `https://wiki.example.com/runbooks/${t}` }])),
        );
        // Owners route late and stuck runs too (one automation per owner and phase), and each team's deployment has
        // a runbook of its own, chosen by Prefect at render time from a lookup table in every message.
        values[k("lateRuns")] = JSON.stringify({ enabled: true, channels: ["alerts"] });
        values[k("stuckRuns")] = JSON.stringify({ enabled: true, channels: ["alerts"], stuckAfterMinutes: 120, pendingAfterMinutes: 30 });
        values[k("runbooks")] = JSON.stringify({
            deployments: Object.fromEntries(teams.map((t) => [`${t}-flow/${t}-daily`, `https://wiki.example.com/runbooks/${t}/daily`])),
        });
    }
    const secretKeys = channels.map((c) => k(`${c}WebhookUrl`));
    for (const key of secretKeys) values[key] = `http://127.0.0.1:8787/${key.split(":")[1]}`;
    return { values, secretKeys };
}

/** The bare program must have registered exactly what the program did. */
function sameShape(shapeFile: string, routes: string): void {
    const program = canonical(JSON.parse(readFileSync(shapeFile, "utf8")));
    const bare = canonical(JSON.parse(readFileSync(`${shapeFile}.bare`, "utf8")));
    const at = program.findIndex((r, i) => r !== bare[i]);
    if (at >= 0 || program.length !== bare.length)
        throw new Error(`at ${routes} route(s) the bare program did not register what the program did:\n${program[at]}\n${bare[at]}`);
}

interface ChildResult {
    ms: number;
    resources: number;
    components: number;
    custom: number;
    /** Bare runs: how each custom resource type was registered. */
    via?: string[];
}

/** Child process: one timed runProgram(), result as one JSON line. */
async function child(kind: "program" | "bare", routes: string, shapeFile: string, record: boolean): Promise<void> {
    const { values, secretKeys } = stackConfig(routes);
    if (kind === "bare") {
        (globalThis as { __benchShape?: ShapeResource[] }).__benchShape = JSON.parse(readFileSync(shapeFile, "utf8"));
        const main = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).main ?? "index.ts";
        // Loads bareProgram.ts wherever the harness imports the program's entry.
        const hook = `let r;
export function initialize(d) { r = d; }
export async function resolve(s, c, next) {
    const out = await next(s, c);
    return out.url.split("?")[0] === r.from ? { ...out, url: r.to, shortCircuit: true } : out;
}`;
        register(`data:text/javascript,${encodeURIComponent(hook)}`, {
            data: { from: pathToFileURL(join(ROOT, main)).href, to: pathToFileURL(join(__dirname, "bareProgram.ts")).href },
        });
    }
    const t0 = performance.now();
    const run = await runProgram({ stack: STACK, values, secretKeys });
    const ms = performance.now() - t0;
    const via = (globalThis as { __benchBareVia?: string[] }).__benchBareVia;
    if (kind === "bare" && !via)
        throw new Error(
            "the bare program did not run: runProgram() no longer imports package.json's main; update the hook in scripts/bench/preview.ts",
        );
    if (record) writeFileSync(kind === "bare" ? `${shapeFile}.bare` : shapeFile, JSON.stringify(recordShape(run.resources)));
    const custom = run.resources.filter((r) => r.custom).length;
    const result: ChildResult = { ms, resources: run.resources.length, components: run.resources.length - custom, custom, via };
    console.log(`BENCH ${JSON.stringify(result)}`);
}

function spawnChild(args: string[]): Promise<ChildResult & { wallMs: number }> {
    const t0 = performance.now();
    return new Promise((done, fail) =>
        execFile(
            process.execPath,
            ["--import", "tsx", __filename, "--child", ...args],
            { cwd: ROOT, maxBuffer: 64 << 20 },
            (err, stdout, stderr) => {
                const wallMs = performance.now() - t0;
                const line = stdout.split("\n").find((l) => l.startsWith("BENCH "));
                if (err || !line)
                    return fail(new Error(`child ${args.join(" ")} failed: ${err?.message ?? "no result"}\n${stderr}${stdout}`.trim()));
                done({ ...(JSON.parse(line.slice(6)) as ChildResult), wallMs });
            },
        ),
    );
}

const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main(): Promise<void> {
    const asked = process.argv[2] ?? process.env.BENCH_RUNS;
    const runs = Number(asked ?? 5);
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`number of runs must be a positive whole number, got ${asked}`);
    // Big stacks take ~10 s a run; 3 runs keep the default bench within ~3 minutes.
    const runsOf = (size: string) => (asked === undefined && sizeOf(size).routes > 100 ? 3 : runs);
    const sizes = (process.env.BENCH_ROUTES ?? "1,50,500,50o").split(",").map((x) => x.trim());
    if (sizes.some((x) => !/^[1-9]\d*o?$/.test(x)))
        throw new Error(`BENCH_ROUTES must list positive whole numbers, got ${process.env.BENCH_ROUTES}`);

    const cpu = cpus();
    console.log(
        `Offline preview cost: the real program vs a bare Pulumi program registering the same resources (harness/runProgram.ts mocks).`,
    );
    console.log(
        `Machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? "unknown"}), Node ${process.version}, load average ${loadavg()
            .map((x) => x.toFixed(2))
            .join(" ")}`,
    );
    console.log(`Each figure: median of "runs" fresh Node processes (program and bare alternating) after one discarded warm-up pair;`);
    console.log(`ms of the runProgram() call; the whole process (Node + tsx start, module loading) in the last column.`);
    console.log("");
    const header = ["routes (o: owners)", "runs", "resources", "program ms", "bare ms", "ratio", "process ms (program / bare)"];
    const rows: string[][] = [];
    let via: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), "bench-preview-"));
    try {
        // Warm-up (discarded): tsx's compile cache, the file cache; it also proves the replay faithful at 1 route.
        const warm = join(dir, "warm.json");
        await spawnChild(["program", sizes[0], warm, "record"]);
        await spawnChild(["bare", sizes[0], warm, "record"]);
        sameShape(warm, sizes[0]);
        for (const routes of sizes) {
            const shapeFile = join(dir, `shape-${routes}.json`);
            const n = runsOf(routes);
            const program: (ChildResult & { wallMs: number })[] = [];
            const bare: (ChildResult & { wallMs: number })[] = [];
            for (let i = 0; i < n; i++) {
                // Each first run records what it registered (after its timing);
                // the bare replays the program's record and is compared with it.
                program.push(await spawnChild(["program", routes, shapeFile, i === 0 ? "record" : ""]));
                bare.push(await spawnChild(["bare", routes, shapeFile, i === 0 ? "record" : ""]));
                if (i === 0) sameShape(shapeFile, routes);
            }
            const recorded = program[0];
            for (const b of bare)
                if (b.resources !== recorded.resources)
                    throw new Error(`bare program registered ${b.resources} resources, the program ${recorded.resources}`);
            via = bare[0].via ?? [];
            const p = median(program.map((r) => r.ms));
            const b = median(bare.map((r) => r.ms));
            rows.push([
                routes,
                String(n),
                `${recorded.resources} (${recorded.custom} custom + ${recorded.components} components)`,
                p.toFixed(0),
                b.toFixed(0),
                (p / b).toFixed(2),
                `${median(program.map((r) => r.wallMs)).toFixed(0)} / ${median(bare.map((r) => r.wallMs)).toFixed(0)}`,
            ]);
            if (process.stderr.isTTY) console.error(`  done: ${routes} route(s)`);
        }
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
    console.log(line(header));
    console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
    for (const r of rows) console.log(line(r));
    console.log("");
    console.log(`The bare program registered the same resources (checked: types, names, parents, inputs): ${via.join("; ")}.`);
    console.log(
        `Load average after: ${loadavg()
            .map((x) => x.toFixed(2))
            .join(" ")} (the machine is shared; figures move with other work).`,
    );
}

if (process.argv[2] === "--child") {
    const [kind, routes, shapeFile, record] = process.argv.slice(3);
    child(kind as "program" | "bare", routes, shapeFile, record === "record").then(
        () => process.exit(0),
        (e) => {
            console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
            process.exit(1);
        },
    );
} else if (require.main === module) {
    main().catch((e) => {
        console.error(e instanceof Error ? e.message : String(e));
        process.exit(1);
    });
}
