import { z } from "zod";
import { type Calibration, proactiveWindowSeconds } from "../alert/calibration";
import { ConfigError } from "./errors";

export type { CalibratedDeployment, Calibration } from "../alert/calibration";

/**
 * `thresholds/<stack>.json`: what `npm run calibrate` measured of each watched deployment's completed runs, reviewed
 * and committed like the stack file, and read by the program (so the preview and `pulumi up` stay deterministic and a
 * changed threshold shows in review). A deployment with a `duration` is calibrated: slowRuns gives it an automation
 * with its own limit, and with freshness.calibrated on its `freshness` window gives it a stale-data automation of its
 * own; one without (too few runs) keeps the stack's fixed values.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const secondsStat = (what: string) =>
    z.number({ error: `${what} in seconds (a number >= 0)` }).min(0, { error: `${what} in seconds (>= 0)` });
/** Prefect refuses a Proactive window under 10 s; stuckRuns' own bound above. */
const LIMIT_ERROR = "a whole number of seconds from 10 to 604800 (a Proactive trigger's window; Prefect refuses one under 10 s)";

const durationSchema = z
    .strictObject({
        medianSeconds: secondsStat("the median duration"),
        madSeconds: secondsStat("the median absolute deviation"),
        p95Seconds: secondsStat("the 95th percentile duration"),
        maxSeconds: secondsStat("the longest duration"),
        limitSeconds: z
            .number({ error: LIMIT_ERROR })
            .int({ error: LIMIT_ERROR })
            .min(10, { error: LIMIT_ERROR })
            .max(604800, { error: LIMIT_ERROR }),
        limitFrom: z.enum(["median + k·MAD", "factor × median", "floor"], {
            error: '"median + k·MAD", "factor × median" or "floor" (the term of the rule that set the limit)',
        }),
    })
    .describe("Run durations of the deployment's completed runs and the slowRuns limit proposed from them.");

const latenessSchema = z
    .strictObject({
        medianSeconds: secondsStat("median lateness"),
        p95Seconds: secondsStat("p95 lateness"),
        maxSeconds: secondsStat("max lateness"),
    })
    .describe(
        "How late its runs started (start − expected start): to check lateRuns against; informative (no Prefect trigger can use it).",
    );

const freshnessSchema = z
    .strictObject({
        medianGapSeconds: secondsStat("the median gap"),
        maxGapSeconds: secondsStat("the longest gap"),
        proposedWindowSeconds: secondsStat("the proposed window"),
    })
    .describe(
        "Gaps between consecutive completions and a proposed freshness window (1.5 × the longest gap); " +
            "used when freshness.calibrated is on.",
    );

const deploymentSchema = z
    .strictObject({
        flow: z.string({ error: "the flow's name" }).min(1, { error: "the flow's name" }).describe("The flow's name."),
        deployment: z
            .string({ error: "the deployment's name" })
            .min(1, { error: "the deployment's name" })
            .describe("The deployment's name."),
        deploymentId: z
            .string({ error: "the deployment's id, a UUID (as npm run calibrate records it)" })
            .regex(UUID, { error: "the deployment's id, a UUID (as npm run calibrate records it)" })
            .optional()
            .describe(
                "The deployment's id: what the per-deployment skips match (names are unique per flow only); absent in a file " +
                    "written before it was recorded (then nothing is skipped: re-run npm run calibrate).",
            ),
        routes: z
            .array(z.string(), { error: "the stack's routes the deployment was found under" })
            .describe("The routes it was found under."),
        runs: z
            .number({ error: "the number of completed runs read" })
            .int()
            .min(0)
            .describe("How many completed runs the statistics are over."),
        owner: z
            .string({ error: "the team of its owner:<team> tag (normalised, e.g. data-eng)" })
            .optional()
            .describe("The team of its owner:<team> tag when calibrated; its per-deployment automations go to that team."),
        duration: durationSchema.optional(),
        lateness: latenessSchema.optional(),
        freshness: freshnessSchema.optional(),
    })
    .describe("One deployment: its statistics; calibrated when `duration` is present.");

export const thresholdsSchema = z
    .strictObject({
        stack: z.string({ error: "the stack's name" }).describe("The stack it was calibrated for."),
        rule: z
            .strictObject({
                k: z.number(),
                madScale: z.number(),
                factor: z.number(),
                floorSeconds: z.number(),
                minRuns: z.number().int(),
                runsRead: z.number().int(),
            })
            .describe("The rule the limits came from (cli/calibrate/stats.ts): max(median + k × madScale × MAD, factor × median, floor)."),
        deployments: z
            .record(z.string(), deploymentSchema, { error: 'a map "<flow>/<deployment>" -> statistics' })
            .describe('By "<flow>/<deployment>".'),
    })
    .describe("thresholds/<stack>.json, as npm run calibrate writes it.");

export type Thresholds = z.output<typeof thresholdsSchema>;
export type DeploymentThresholds = Thresholds["deployments"][string];

/** The file as read: where (as shown in errors) and its text. */
export interface ThresholdsSource {
    path: string;
    text: string;
}

export const NO_CALIBRATION: Calibration = { calibrated: [], fixed: [] };

/** Validates the file (one ConfigError naming the stack, the file and what was expected); sorted by key. */
export function parseThresholds(stack: string, source: ThresholdsSource | undefined): Calibration {
    if (!source) return NO_CALIBRATION;
    const fail = (at: string, expected: string): never => {
        throw new ConfigError(stack, at ? `${source.path}: ${at}` : source.path, expected);
    };
    let json: unknown;
    try {
        json = JSON.parse(source.text);
    } catch {
        fail("", "JSON as `npm run calibrate` writes it (the file does not parse as JSON)");
    }
    const result = thresholdsSchema.safeParse(json);
    if (!result.success) {
        const issue = result.error.issues[0];
        const at = issue.path.map(String).join(".") || "(the file)";
        fail(
            at,
            issue.code === "unrecognized_keys"
                ? `no key ${issue.keys.join(", ")} (the file npm run calibrate writes)`
                : inWords(issue.message),
        );
    }
    const t = result.data!;
    if (t.stack !== stack) fail("stack", `"${stack}" (this file was calibrated for stack "${t.stack}"; run npm run calibrate -- ${stack})`);
    const keys = Object.keys(t.deployments).sort();
    for (const key of keys) {
        const d = t.deployments[key];
        if (key !== `${d.flow}/${d.deployment}`) fail(`deployments.${key}`, `the key "<flow>/<deployment>" ("${d.flow}/${d.deployment}")`);
    }
    const calibrated = keys
        .filter((key) => t.deployments[key].duration)
        .map((key) => {
            const d = t.deployments[key];
            return {
                key,
                flow: d.flow,
                deployment: d.deployment,
                ...(d.deploymentId ? { deploymentId: d.deploymentId.toLowerCase() } : {}),
                routes: d.routes,
                runs: d.runs,
                ...pick(d.duration!),
                ...(d.owner ? { owner: d.owner } : {}),
                ...(d.freshness ? { freshness: window(d.freshness) } : {}),
                ...(d.lateness ? { lateness: d.lateness } : {}),
            };
        });
    const fixed = keys.filter((key) => !t.deployments[key].duration).map((key) => ({ key, runs: t.deployments[key].runs }));
    return { path: source.path, calibrated, fixed };
}

/** zod's own "Invalid input: expected object, received undefined" as "an object as npm run calibrate writes it (found undefined)". */
function inWords(message: string): string {
    const m = /^Invalid input: expected (\w+), received (\w+)$/.exec(message);
    return m ? `${/^[aeiou]/.test(m[1]) ? "an" : "a"} ${m[1]} as npm run calibrate writes it (found ${m[2]})` : message;
}

const pick = (d: NonNullable<DeploymentThresholds["duration"]>) => ({ medianSeconds: d.medianSeconds, limitSeconds: d.limitSeconds });

/** The window freshness uses: the proposed one as a Proactive window (alert/calibration.ts proactiveWindowSeconds). */
const window = (f: NonNullable<DeploymentThresholds["freshness"]>) => ({
    medianGapSeconds: f.medianGapSeconds,
    maxGapSeconds: f.maxGapSeconds,
    windowSeconds: proactiveWindowSeconds(f.proposedWindowSeconds),
});
