import type { ReplayEvent } from "../../backtest/engine";

/**
 * Flow-run histories as the backtest replays them: the `prefect.flow-run.<State>` events Prefect emits for each state
 * of a run (resource the run, related its flow, deployment and tags, as server/events/schemas/events.py and the
 * measured events in shared/reference/prefect.md show). Written by hand for tests with a known answer, or generated
 * from a seed (deterministic) for the benchmark.
 */

export interface RunSpec {
    id: string;
    flow: string;
    deployment?: string;
    tags: string[];
    /** Its states in order, each with when it was entered (ms epoch). */
    states: [state: string, at: number][];
}

/** A stable made-up UUID for a name, so the same flow or deployment gets the same id everywhere. */
export function idOf(kind: string, name: string): string {
    let h = 2166136261;
    for (const c of `${kind}:${name}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
    const hex = (h.toString(16).padStart(8, "0") + "0".repeat(24)).slice(0, 32);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const STATE_TYPE: Record<string, string> = {
    Scheduled: "SCHEDULED",
    Late: "SCHEDULED",
    Pending: "PENDING",
    Running: "RUNNING",
    Retrying: "RUNNING",
    AwaitingRetry: "SCHEDULED",
    Completed: "COMPLETED",
    Failed: "FAILED",
    Crashed: "CRASHED",
    TimedOut: "FAILED",
    Cancelled: "CANCELLED",
};

/** The events of one run, one per state. */
export function runEvents(run: RunSpec): ReplayEvent[] {
    const related: Record<string, string>[] = [
        {
            "prefect.resource.id": `prefect.flow.${idOf("flow", run.flow)}`,
            "prefect.resource.role": "flow",
            "prefect.resource.name": run.flow,
        },
        ...(run.deployment
            ? [
                  {
                      "prefect.resource.id": `prefect.deployment.${idOf("deployment", run.deployment)}`,
                      "prefect.resource.role": "deployment",
                      "prefect.resource.name": run.deployment,
                  },
              ]
            : []),
        ...run.tags.map((t) => ({ "prefect.resource.id": `prefect.tag.${t}`, "prefect.resource.role": "tag" })),
    ];
    return run.states.map(([state, at], i) => ({
        id: `${run.id}-${i}`,
        occurred: at,
        event: `prefect.flow-run.${state}`,
        resource: {
            "prefect.resource.id": `prefect.flow-run.${run.id}`,
            "prefect.resource.name": `${run.flow}-run-${run.id.slice(0, 6)}`,
            "prefect.state-name": state,
            "prefect.state-type": STATE_TYPE[state] ?? "RUNNING",
        },
        related,
    }));
}

/** Every run's events, merged in time order (what readHistory returns). */
export const historyOf = (runs: RunSpec[]): ReplayEvent[] =>
    runs.flatMap(runEvents).sort((a, b) => a.occurred - b.occurred || a.id.localeCompare(b.id));

/** mulberry32: a small seeded generator, so a generated history is the same on every machine. */
export function seeded(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

export interface GeneratedHistory {
    runs: number;
    deployments: number;
    /** The tags runs carry: `tag` always (the route under test), plus one of `extraTags`. */
    tags: string[];
    start: number;
    days: number;
    seed: number;
}

/**
 * A mixed history (seeded): `runs` runs spread evenly over `days`, across `deployments` deployments (one flow each);
 * about 80% complete, 10% fail after a retry, 5% fail at once, 3% are Late before they run, 2% crash. Each run
 * carries `tags[0]` and one more tag of `tags`, by deployment.
 */
export function generateRuns(g: GeneratedHistory): RunSpec[] {
    const rand = seeded(g.seed);
    const span = g.days * 86_400_000;
    const out: RunSpec[] = [];
    for (let i = 0; i < g.runs; i++) {
        const d = Math.floor(rand() * g.deployments);
        const t0 = g.start + Math.floor((i / g.runs) * span);
        const took = 30_000 + Math.floor(rand() * 600_000);
        const roll = rand();
        // The run's states in order, each `took`-ish after the one before.
        const steps: [string, number][] = [];
        if (roll > 0.95 && roll <= 0.98) steps.push(["Late", 60_000]);
        steps.push(["Pending", 1_000], ["Running", 2_000]);
        if (roll > 0.8 && roll <= 0.9) steps.push(["AwaitingRetry", took], ["Running", 30_000], ["Failed", took]);
        else if (roll > 0.9 && roll <= 0.95) steps.push(["Failed", took]);
        else if (roll > 0.98) steps.push(["Crashed", took]);
        else steps.push(["Completed", took]);
        let t = t0;
        const states = steps.map(([state, after]): [string, number] => [state, (t += after)]);
        out.push({
            id: idOf("run", `${g.seed}-${i}`),
            flow: `flow-${d}`,
            deployment: `deployment-${d}`,
            tags: [...new Set([g.tags[0], g.tags[1 + (d % Math.max(1, g.tags.length - 1))] ?? g.tags[0]])],
            states,
        });
    }
    return out;
}
