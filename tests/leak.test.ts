/**
 * Secret-leak test (issue 5, item 3). Each committed stack runs through the
 * real program under mocks with a distinct sentinel in every secret it reads,
 * and with sentinel PagerDuty integration keys from the mock. A sentinel may
 * appear only inside Pulumi's secret marker (resource inputs), inside a secret
 * stack output, and never in anything printed: by the program, by the
 * preview, or in an error message. Findings name the place and the sentinel's
 * key, never its value.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { PROJECT, RawConfig } from "../config/load";
import { ProgramRun, isSecretMarker, runProgram, secretMarker } from "../harness/runProgram";
import { captureOutput } from "./helpers/capture";
import { MARK, Sentinel, integrationKeySentinel, redact, sentinelStack, sentinelsIn, unwrappedSentinels } from "./helpers/sentinels";
import { ROOT } from "./helpers/stacks";

const STACKS = ["dev", "prod", "local"] as const;
const INTEGRATION = "pagerduty:index/serviceIntegration:ServiceIntegration";

/** The harness's default mock, except that integration keys are sentinels (collected in `derived`). */
function sentinelMocks(stack: string, derived: Sentinel[]) {
    return async ({ type, name, inputs }: { type: string; name: string; inputs: Record<string, unknown> }) => {
        const state: Record<string, unknown> = { ...inputs };
        if (type === INTEGRATION) {
            const key = integrationKeySentinel(stack, name);
            derived.push(key);
            state.integrationKey = key.value;
        }
        if (type === "aws:secretsmanager/secret:Secret")
            state.arn = `arn:aws:secretsmanager:eu-west-1:000000000000:secret:${inputs.name}-AbCdEf`;
        return { id: `${name}-id`, state };
    };
}

/** A module's exports as the engine would record them: Outputs resolved, secret ones wrapped in the marker. */
async function asStackOutputs(value: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        const resolved = await asStackOutputs(await new Promise((r) => value.apply(r)));
        return (await pulumi.isSecret(value)) ? secretMarker(resolved) : resolved;
    }
    if (value instanceof Promise) return asStackOutputs(await value);
    if (Array.isArray(value)) return Promise.all(value.map(asStackOutputs));
    if (value && typeof value === "object" && !pulumi.Resource.isInstance(value)) {
        const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await asStackOutputs(v)] as const));
        return Object.fromEntries(entries);
    }
    return value;
}

/** Labels of the sentinels found inside secret markers anywhere in `value`. */
function wrappedSentinels(value: unknown, sentinels: Sentinel[]): string[] {
    if (isSecretMarker(value)) return sentinelsIn(JSON.stringify(value), sentinels);
    if (Array.isArray(value)) return value.flatMap((v) => wrappedSentinels(v, sentinels));
    if (value && typeof value === "object") return Object.values(value).flatMap((v) => wrappedSentinels(v, sentinels));
    return [];
}

interface StackRun {
    raw: RawConfig;
    /** Sentinels in config, then those the PagerDuty mock handed out. */
    sentinels: Sentinel[];
    derived: Sentinel[];
    run: ProgramRun;
    outputs: Record<string, unknown>;
    printed: string;
}

async function runWithSentinels(stack: string): Promise<StackRun> {
    vi.resetModules();
    const { raw, sentinels } = sentinelStack(stack);
    const derived: Sentinel[] = [];
    const out = await captureOutput(async () => {
        const run = await runProgram({
            stack,
            values: raw.values,
            secretKeys: [...raw.secretKeys],
            newResource: sentinelMocks(stack, derived),
        });
        const program = await import("../index");
        return { run, outputs: (await asStackOutputs({ ...program })) as Record<string, unknown> };
    });
    if (!out.result) throw new Error(`stack ${stack} did not run: ${redact(String(out.error))}`);
    return { raw, sentinels: [...sentinels, ...derived], derived, ...out.result, printed: out.text };
}

/** Runs the real program with a config it must refuse; returns the error message and everything printed. */
async function refusal(stack: string, raw: RawConfig): Promise<{ message: string; printed: string; resources: number }> {
    vi.resetModules();
    let resources = 0;
    const out = await captureOutput(() =>
        runProgram({
            stack,
            values: raw.values,
            secretKeys: [...raw.secretKeys],
            newResource: async ({ name, inputs }) => {
                resources++;
                return { id: `${name}-id`, state: inputs };
            },
        }),
    );
    return { message: out.error instanceof Error ? out.error.message : `no error (${String(out.error)})`, printed: out.text, resources };
}

describe("the leak detector itself", () => {
    const s: Sentinel = { label: "k", value: `${MARK}-x` };
    it("reports an unwrapped sentinel by path and label, and accepts a wrapped one", () => {
        const wrapped = secretMarker(`url=${s.value}`);
        expect(unwrappedSentinels({ a: [{ b: `see ${s.value}` }], c: wrapped, [s.value]: 1 }, [s])).toEqual([
            "$.a[0].b: k",
            "$ (a key): k",
        ]);
        expect(unwrappedSentinels({ c: wrapped }, [s])).toEqual([]);
        expect(wrappedSentinels({ c: wrapped }, [s])).toEqual(["k"]);
        expect(sentinelsIn(`${MARK}-changed`, [s])).toEqual([`an unrecognised ${MARK} value (a transformed secret?)`]);
    });

    it("captures what is printed and forwards it redacted", async () => {
        const out = await captureOutput(async () => {
            console.log("value:", s.value);
            process.stderr.write(`raw ${s.value}\n`);
        });
        expect(sentinelsIn(out.text, [s])).toEqual(["k"]);
        expect(redact(out.text)).not.toContain(MARK);
    });
});

describe.each(STACKS)("stack %s with a sentinel in every secret it reads", (stack) => {
    let r: StackRun;
    beforeAll(async () => {
        r = await runWithSentinels(stack);
    });

    it("ran normally with its sentinels: resources registered, each project secret reached some resource (wrapped)", () => {
        expect(r.run.resources.length).toBeGreaterThan(0);
        const reached = new Set(r.run.resources.flatMap((res) => wrappedSentinels(res.rawInputs, r.sentinels)));
        // Provider keys (prefect:apiKey, pagerduty:token) are read by the providers, which mocks do not run.
        const expected = r.sentinels.filter((s) => s.label.startsWith(`${PROJECT}:`) || r.derived.includes(s)).map((s) => s.label);
        expect(expected.length).toBeGreaterThan(0);
        expect([...reached].sort()).toEqual([...expected].sort());
    });

    it("(a) no resource input holds a sentinel outside Pulumi's secret marker", () => {
        const leaks = r.run.resources.flatMap((res) => unwrappedSentinels(res.rawInputs, r.sentinels, `${res.type} "${res.name}"`));
        expect(leaks).toEqual([]);
    });

    it("(a) no invoke receives a sentinel in its arguments", () => {
        expect(r.run.invokes.flatMap((i) => unwrappedSentinels(i.inputs, r.sentinels, i.token))).toEqual([]);
    });

    it("(b) no stack output holds a sentinel unless the output is secret", () => {
        expect(Object.keys(r.outputs).length).toBeGreaterThan(0);
        expect(unwrappedSentinels(r.outputs, r.sentinels, "outputs")).toEqual([]);
    });

    it("(c) the program printed nothing that holds a sentinel", () => {
        expect(sentinelsIn(r.printed, r.sentinels)).toEqual([]);
    });
});

describe("prod: derived secrets (PagerDuty integration keys) stay secret on their way", () => {
    let r: StackRun;
    beforeAll(async () => {
        r = await runWithSentinels("prod");
    });

    it("both integration keys reach a pager-duty-webhook block and a Secrets Manager version, wrapped", () => {
        expect(r.derived.map((d) => d.label)).toHaveLength(2);
        const derived = r.derived.map((d) => d.label).sort();
        const holders = (type: string) =>
            r.run.resources
                .filter((res) => res.type === type)
                .flatMap((res) => wrappedSentinels(res.rawInputs, r.sentinels))
                .filter((label) => derived.includes(label))
                .sort();
        expect(holders("prefect:index/block:Block")).toEqual(derived);
        expect(holders("aws:secretsmanager/secretVersion:SecretVersion")).toEqual(derived);
    });
});

/** For each secret a stack reads: the sentinel given as plain config, and (for URLs) a sentinel URL of the wrong form. */
function badSecretConfigs(stack: string): { title: string; key: string; raw: RawConfig; sentinel: Sentinel }[] {
    const { raw, sentinels } = sentinelStack(stack);
    const cases: { title: string; key: string; raw: RawConfig; sentinel: Sentinel }[] = [];
    for (const s of sentinels) {
        const plain = new Set(raw.secretKeys);
        plain.delete(s.label);
        cases.push({ title: `${s.label} given as plain config`, key: s.label, raw: { ...raw, secretKeys: plain }, sentinel: s });
        if (/^https?:/.test(s.value)) {
            const wrong = { label: s.label, value: s.value.replace(/^https?:\/\/[^/]+/, "ftp://hooks.example.com") };
            cases.push({
                title: `${s.label} of the wrong form`,
                key: s.label,
                raw: { ...raw, values: { ...raw.values, [s.label]: wrong.value } },
                sentinel: wrong,
            });
        }
    }
    return cases;
}

describe.each(STACKS)("stack %s: refusing a bad secret never echoes it", (stack) => {
    const cases = badSecretConfigs(stack);
    it("has cases for every secret it reads", () => {
        expect(cases.length).toBeGreaterThanOrEqual(sentinelStack(stack).sentinels.length);
    });
    it.each(cases.map((c) => [c.title, c] as const))("%s", async (_title, c) => {
        const { message, printed, resources } = await refusal(stack, c.raw);
        expect(message.startsWith(`Invalid configuration for stack "${stack}": ${c.key}: expected `)).toBe(true);
        expect(sentinelsIn(message, [c.sentinel])).toEqual([]);
        expect(sentinelsIn(printed, [c.sentinel])).toEqual([]);
        expect(resources).toBe(0);
    });
});

const firstUrlSentinel = (stack: string): Sentinel => sentinelStack(stack).sentinels.find((s) => /^https?:/.test(s.value))!;

/**
 * The offline preview (`cli/index.ts preview --verbose`, unchanged) in its own process. It
 * cannot decrypt secrets, so a preload (helpers/previewWithSecrets.cjs) gives
 * it the sentinel stack as if it could, and sentinel integration keys.
 */
function preview(
    stack: string,
    values: Record<string, string>,
    encrypted: string[],
    options: string[] = ["--verbose"],
): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = {
        ...process.env,
        PREVIEW_TEST_CONFIG: JSON.stringify({ values, encrypted, integrationKey: `${MARK}-${stack}-preview-integration-key-` }),
    };
    const args = ["--require", resolve(__dirname, "helpers/previewWithSecrets.cjs"), "cli/index.ts", "preview", ...options, stack];
    return new Promise((done) => {
        execFile(resolve(ROOT, "node_modules/.bin/tsx"), args, { cwd: ROOT, env, timeout: 120_000 }, (error, stdout, stderr) =>
            done({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
        );
    });
}

/** Where the full run writes its page of every message (--html). */
const htmlDir = mkdtempSync(join(tmpdir(), "leak-html-"));
const htmlOf = (stack: string) => join(htmlDir, `${stack}.html`);

describe("the offline preview never prints a secret", () => {
    type Result = { code: number; stdout: string; stderr: string };
    const runs = new Map<string, Result>();
    beforeAll(async () => {
        const jobs = STACKS.flatMap((stack) => {
            const { raw } = sentinelStack(stack);
            const first = firstUrlSentinel(stack);
            const plain = [...raw.secretKeys].filter((k) => k !== first.label);
            const wrongForm = { ...raw.values, [first.label]: first.value.replace(/^https?:\/\/[^/]+/, "ftp://hooks.example.com") };
            return [
                [`${stack}`, () => preview(stack, raw.values, [...raw.secretKeys], ["--verbose", "--html", htmlOf(stack)])],
                [`${stack} json`, () => preview(stack, raw.values, [...raw.secretKeys], ["--json"])],
                [`${stack} plain`, () => preview(stack, raw.values, plain)],
                [`${stack} wrong form`, () => preview(stack, wrongForm, [...raw.secretKeys])],
            ] as const;
        });
        // A few at a time: each is a full tsx + Pulumi runtime start.
        const queue = [...jobs];
        const worker = async () => {
            for (let next = queue.shift(); next; next = queue.shift()) runs.set(next[0], await next[1]());
        };
        await Promise.all(Array.from({ length: Math.max(2, availableParallelism()) }, worker));
    }, 300_000);

    const leaksIn = (r: Result) => sentinelsIn(r.stdout + r.stderr, [{ label: "a sentinel", value: MARK }]);

    it.each(STACKS)("%s: previews with every secret set (no placeholders) and prints no sentinel", (stack) => {
        const r = runs.get(stack)!;
        expect(r.stderr).toContain(`preview-test: stack file of "${stack}" replaced`);
        if (stack === "prod") expect(r.stderr).toContain("preview-test: integration key of critical-service-events-v2 replaced");
        expect(r.code).toBe(0);
        expect(r.stdout).toContain(`Offline preview of stack "${stack}"`);
        expect(r.stdout).not.toContain("Values you must set before `pulumi up`");
        expect(leaksIn(r)).toEqual([]);
    });

    it.each(STACKS)("%s: --json and the --html page (every message rendered) hold no sentinel either", (stack) => {
        const json = runs.get(`${stack} json`)!;
        expect(json.code).toBe(0);
        expect(JSON.parse(json.stdout).stack).toBe(stack);
        expect(leaksIn(json)).toEqual([]);
        const page = readFileSync(htmlOf(stack), "utf8");
        expect(page).toContain(`Messages of stack ${stack}`);
        expect(sentinelsIn(page, [{ label: "a sentinel", value: MARK }])).toEqual([]);
    });

    it.each(STACKS)("%s: a secret in plain config is refused without echoing it", (stack) => {
        const r = runs.get(`${stack} plain`)!;
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(
            `Invalid configuration for stack "${stack}": ${firstUrlSentinel(stack).label}: expected a secret value, not plain config`,
        );
        expect(leaksIn(r)).toEqual([]);
    });

    it.each(STACKS)("%s: a secret URL of the wrong form is refused without echoing it", (stack) => {
        const r = runs.get(`${stack} wrong form`)!;
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`Invalid configuration for stack "${stack}": ${firstUrlSentinel(stack).label}: expected `);
        expect(leaksIn(r)).toEqual([]);
    });
});
