/**
 * The offline preview and a real run judge a stack file identically (issue 8,
 * item 4). Each stack file below goes through both paths:
 *
 * - the preview, `tsx cli/index.ts preview --verbose <file>`, unchanged, in its own process:
 *   it cannot decrypt `secure:` values;
 * - the real program under mocks with the config `pulumi up` would hand it:
 *   the same file, flattened as Pulumi flattens it, with Pulumi.yaml's project
 *   config defaults, and every `secure:` value decrypted (to a value of the
 *   right form) and held as a secret.
 *
 * Both must accept, or both must stop with the same one-line error.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { runProgram } from "../harness/runProgram";
import { readStackFileAt, stackOfFile } from "../harness/stackFile";
import { captureOutput } from "./helpers/capture";
import { ROOT, SLACK_URL } from "./helpers/stacks";

const IDS = "  prefect:accountId: 0b5e7f2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b\n  prefect:workspaceId: 6c7d8e9f-0a1b-4c2d-9e3f-4a5b6c7d8e9f\n";
const SECRETS =
    "  prefect:apiKey:\n    secure: v1:AAAAAAAAAAAAAAAA\n  prefect-alerting:alertsWebhookUrl:\n    secure: v1:BBBBBBBBBBBBBBBB\n";
const TIERS = [
    "  prefect-alerting:channels:",
    "    alerts:",
    "      type: slack",
    '      slackChannel: "#data-alerts"',
    "  prefect-alerting:warning:",
    "    enabled: true",
    "    channels: [alerts]",
    "",
].join("\n");
const stackFile = (...parts: string[]) => `config:\n${parts.join("")}`;

/** What `pulumi up` would decrypt each `secure:` key of these files to: a value of the right form. */
function decrypted(key: string): string {
    if (key.endsWith("WebhookUrl")) return SLACK_URL;
    if (key === "prefect:accountId" || key === "prefect:workspaceId") return "0b5e7f2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b";
    if (key.startsWith("prefect-alerting:")) return '{"enabled":true,"channels":["alerts"]}';
    return "decrypted-token";
}

const CASES: { title: string; stack: string; text: string; accepted?: true }[] = [
    { title: "a valid stack", stack: "valid", text: stackFile(IDS, SECRETS, TIERS), accepted: true },
    {
        title: "a misspelled secret key stored encrypted",
        stack: "typo",
        text: stackFile(IDS, SECRETS, TIERS, "  prefect-alerting:typoWebhookUrl:\n    secure: v1:CCCCCCCCCCCCCCCC\n"),
    },
    {
        title: "a misspelled namespace",
        stack: "ns",
        text: stackFile(IDS, SECRETS, TIERS, "  prefect_alerting:critical:\n    enabled: true\n"),
    },
    { title: "a key without a namespace", stack: "nons", text: stackFile(IDS, SECRETS, TIERS, "  critical:\n    enabled: true\n") },
    {
        title: "a provider credential in plain text",
        stack: "plain",
        text: stackFile(IDS, SECRETS, TIERS, "  prefect:basicAuthKey: user:password\n"),
    },
    {
        title: "placeholder Prefect Cloud ids",
        stack: "zeros",
        text: stackFile(
            "  prefect:accountId: 00000000-0000-0000-0000-000000000000\n  prefect:workspaceId: 00000000-0000-0000-0000-000000000000\n",
            SECRETS,
            TIERS,
        ),
    },
    {
        title: "a plain setting stored encrypted",
        stack: "enc",
        text: stackFile(IDS, SECRETS, TIERS, "  prefect-alerting:critical:\n    secure: v1:DDDDDDDDDDDDDDDD\n"),
    },
    {
        title: "a threshold written as text, out of range",
        stack: "text",
        text: stackFile(
            IDS,
            SECRETS,
            TIERS,
            '  prefect-alerting:critical:\n    enabled: true\n    channels: [alerts]\n    threshold: "1"\n',
        ),
    },
    { title: "an empty stack file", stack: "empty", text: "" },
    { title: "a stack file without config:", stack: "noconfig", text: "encryptionsalt: v1:abcdefgh\n" },
];

const dir = mkdtempSync(join(tmpdir(), "preview-parity-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fileOf = (stack: string) => join(dir, `Pulumi.${stack}.yaml`);

function preview(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((done) =>
        execFile(
            resolve(ROOT, "node_modules/.bin/tsx"),
            ["cli/index.ts", "preview", "--verbose", file],
            { cwd: ROOT, timeout: 120_000 },
            (error, stdout, stderr) => done({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
        ),
    );
}

/** Pulumi.yaml's project config defaults, which Pulumi adds to every stack's config as `<project>:<key>`. */
function projectDefaults(): Record<string, string> {
    const project = parse(readFileSync(resolve(ROOT, "Pulumi.yaml"), "utf8")) as {
        name: string;
        config?: Record<string, { default?: unknown }>;
    };
    return Object.fromEntries(
        Object.entries(project.config ?? {})
            .filter(([, c]) => c.default !== undefined)
            .map(([key, c]) => [`${project.name}:${key}`, typeof c.default === "string" ? c.default : JSON.stringify(c.default)]),
    );
}

/** The real program with the config `pulumi up` would give it for this file. */
async function realRun(file: string): Promise<{ error?: string; resources: number }> {
    vi.resetModules();
    const { values: fromFile, encrypted } = readStackFileAt(file);
    const values = { ...projectDefaults(), ...fromFile };
    for (const key of encrypted) values[key] = decrypted(key);
    let resources = 0;
    const out = await captureOutput(() =>
        runProgram({
            stack: stackOfFile(file),
            values,
            secretKeys: encrypted,
            newResource: async ({ name, inputs }) => {
                resources++;
                return { id: `${name}-id`, state: inputs };
            },
        }),
    );
    return { error: out.error === undefined ? undefined : out.error instanceof Error ? out.error.message : String(out.error), resources };
}

describe("the offline preview and a real run judge a stack file identically", () => {
    const previews = new Map<string, { code: number; stdout: string; stderr: string }>();
    const runs = new Map<string, { error?: string; resources: number }>();
    beforeAll(async () => {
        for (const c of CASES) writeFileSync(fileOf(c.stack), c.text);
        // Previews two at a time (each is a tsx + Pulumi runtime start); real runs one after another (one program per module registry).
        const queue = [...CASES];
        const worker = async () => {
            for (let c = queue.shift(); c; c = queue.shift()) previews.set(c.stack, await preview(fileOf(c.stack)));
        };
        const previewing = Promise.all([worker(), worker()]);
        for (const c of CASES) runs.set(c.stack, await realRun(fileOf(c.stack)));
        await previewing;
    }, 300_000);

    it.each(CASES.map((c) => [c.title, c] as const))("%s", (_title, c) => {
        const p = previews.get(c.stack)!;
        const r = runs.get(c.stack)!;
        if (c.accepted) {
            expect(r.error).toBeUndefined();
            expect(r.resources).toBeGreaterThan(0);
            expect({ code: p.code, stderr: p.stderr }).toEqual({ code: 0, stderr: "" });
            expect(p.stdout).toContain(`Offline preview of stack "${c.stack}"`);
            return;
        }
        expect(r.error).toMatch(new RegExp(`^Invalid configuration for stack "${c.stack}": \\S+: expected .+\\.$`, "s"));
        expect(r.resources).toBe(0);
        expect(p.code).toBe(1);
        expect(p.stderr.trim()).toBe(r.error);
        expect(p.stdout).toBe("");
    });
});
