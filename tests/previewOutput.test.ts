import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseStackConfig } from "../config/load";
import { offlineConfig } from "../config/offline";
import { readStackFile } from "../harness/stackFile";
import { planAlerting } from "../rules/plan";
import { findSampleValues } from "../cli/preview/sampleValues";
import { checkHtml } from "./helpers/htmlCheck";

/**
 * The preview answers first: prod's summary fits one screen and lists every automation once; --json holds every
 * automation of the plan; --html is one self-contained page with every message. Real processes, as a user runs them.
 */
const ROOT = resolve(__dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "preview-output-"));
const html = join(dir, "prod.html");

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((done) =>
        execFile(
            resolve(ROOT, "node_modules/.bin/tsx"),
            ["cli/index.ts", ...args],
            { cwd: ROOT, timeout: 180_000, maxBuffer: 1 << 26 },
            (e, stdout, stderr) => done({ code: e ? (typeof e.code === "number" ? e.code : -1) : 0, stdout, stderr }),
        ),
    );
}

const plan = planAlerting(parseStackConfig(offlineConfig("prod", readStackFile(ROOT, "prod")).raw));
const runs: Record<string, { code: number; stdout: string; stderr: string }> = {};

beforeAll(async () => {
    runs.summary = await cli(["preview", "prod"]);
    runs.json = await cli(["preview", "prod", "--json", "--html", html]);
    runs.local = await cli(["preview", "local"]);
    runs.one = await cli(["preview", "prod", "--automation", "critical-dlt"]);
    runs.none = await cli(["preview", "prod", "--automation", "critical-dlx"]);
}, 400_000);

describe("preview prod, the summary", () => {
    it("fits one screen (at most 80 lines), exit 0, the policy verdict last", () => {
        const r = runs.summary;
        expect(r.code).toBe(0);
        const lines = r.stdout.trimEnd().split("\n");
        expect(lines.length).toBeLessThanOrEqual(80);
        expect(lines.filter((l) => l.startsWith("Policy pack ("))).toEqual([expect.stringContaining(": 0 mandatory, 1 advisory")]);
        expect(r.stdout.indexOf("Automations (")).toBeLessThan(r.stdout.indexOf("Values you must set"));
        expect(r.stdout.indexOf("Values you must set")).toBeLessThan(r.stdout.indexOf("Policy pack ("));
        expect(r.stdout).not.toContain('"blocks"');
    });

    it("one line per automation, with its channels and the incident only where a channel tracks incidents", () => {
        const lines = runs.summary.stdout.split("\n");
        for (const a of plan.automations)
            expect(
                lines.filter((l) => new RegExp(`^ {2}\\w+ +${a.key} `).test(l)),
                a.key,
            ).toHaveLength(1);
        expect(lines.find((l) => / warning-dlt /.test(l))).toMatch(/each Failed\/Crashed\/TimedOut -> alerts$/);
        expect(lines.find((l) => / critical-dlt /.test(l))).toMatch(
            /3x Failed\/Crashed\/TimedOut within 24 hours per flow -> critical, pager; opens incident \(pager\)$/,
        );
        expect(lines.find((l) => / late-runs-dlt /.test(l))).not.toContain("incident");
    });

    it("names the values to set and the example values still in the stack file, by key", () => {
        const out = runs.summary.stdout;
        expect(out).toContain("  prefect:accountId: Prefect Cloud account id;");
        expect(out).toContain("  prefect-alerting:p1.workPools[0]: default-work-pool (the sample work pool)");
        expect(out).toContain("  prefect-alerting:pagerDuty.teamLead: team-lead@example.com (an example.com person)");
        expect(out).toContain(
            "  prefect-alerting:freshness.deployments.exchange-rates-daily-prod: exchange-rates-daily-prod (the sample deployment)",
        );
    });

    it("local (no PagerDuty channel): no incident anywhere, no example value", () => {
        expect(runs.local.code).toBe(0);
        expect(runs.local.stdout).not.toMatch(/incident/);
        expect(runs.local.stdout).toContain("Example values in the stack file: none");
    });
});

describe("preview prod --automation", () => {
    it("prints that automation in full and nothing else; a key the plan does not have: exit 2, the keys listed", () => {
        expect(runs.one.code).toBe(0);
        expect(runs.one.stdout.split("\n").filter((l) => /^ {2}\[prod\] /.test(l))).toEqual([
            "  [prod] CRITICAL repeated failures (dlt)   (CriticalTier)",
        ]);
        expect(runs.one.stdout).toContain('      |   "event_action": "trigger",');
        expect(runs.one.stdout).not.toContain("Policy pack (");
        expect(runs.none.code).toBe(2);
        expect(runs.none.stderr).toContain(
            `preview: no automation "critical-dlx" in stack prod; keys: ${plan.automations.map((a) => a.key).join(", ")}`,
        );
    });
});

describe("preview prod --json --html", () => {
    it("--json is one JSON document holding every automation of the plan, with rendered messages and the verdict", () => {
        expect(runs.json.code).toBe(0);
        const doc = JSON.parse(runs.json.stdout);
        expect(doc.automations.map((a: { key: string }) => a.key)).toEqual(plan.automations.map((a) => a.key));
        for (const a of doc.automations) expect(a.messages).toHaveLength(a.channels.length);
        expect(doc.policy).toMatchObject({ mandatory: 0, advisory: 1 });
        expect(doc.valuesToSet.map((v: { key: string }) => v.key)).toContain("prefect:apiKey");
        expect(doc.automations.find((a: { key: string }) => a.key === "warning-dlt").incident).toBeUndefined();
        expect(runs.json.stderr).toContain(`Every message, as each channel shows it: ${html}`);
    });

    it("--html is well-formed and self-contained, every message on the stack's own UI base", () => {
        const page = readFileSync(html, "utf8");
        const { problems, elements } = checkHtml(page);
        expect(problems).toEqual([]);
        expect(elements.filter((e) => ["script", "link", "img", "iframe", "object"].includes(e.name))).toEqual([]);
        expect(elements.filter((e) => "src" in e.attrs || Object.keys(e.attrs).some((a) => a.startsWith("on")))).toEqual([]);
        expect(page).not.toMatch(/url\(|@import/);
        const messages = plan.automations.reduce((n, a) => n + a.channels.length, 0);
        expect(elements.filter((e) => e.attrs.class === "msg")).toHaveLength(messages);
        const ui = JSON.parse(runs.json.stdout).uiUrl as string;
        const hrefs = elements.filter((e) => e.name === "a").map((e) => e.attrs.href);
        expect(hrefs.length).toBeGreaterThan(0);
        for (const href of hrefs) expect(href.startsWith(ui)).toBe(true);
        expect(page).toContain('class="slack"');
        expect(page).toContain('class="pd"');
        expect(page).toContain('class="pd resolved"');
    });
});

describe("example values (pure)", () => {
    it("finds example.com people, the sample pool and deployment, by key and map key; nothing in a real-looking stack", () => {
        expect(
            findSampleValues({
                "prefect-alerting:p1": JSON.stringify({ workPools: ["default-work-pool", "k8s"] }),
                "prefect-alerting:pagerDuty": JSON.stringify({ manager: "boss@example.org", teamLead: "lead@acme.io" }),
                "prefect-alerting:freshness": JSON.stringify({ deployments: { "exchange-rates-daily-prod": { maxAgeHours: 26 } } }),
            }),
        ).toEqual([
            { key: "prefect-alerting:p1.workPools[0]", value: "default-work-pool", what: "the sample work pool" },
            { key: "prefect-alerting:pagerDuty.manager", value: "boss@example.org", what: "an example.com person" },
            {
                key: "prefect-alerting:freshness.deployments.exchange-rates-daily-prod",
                value: "exchange-rates-daily-prod",
                what: "the sample deployment",
            },
        ]);
        expect(findSampleValues({ "prefect-alerting:p1": JSON.stringify({ workPools: ["k8s"] }), "aws:region": "eu-west-1" })).toEqual([]);
    });
});
