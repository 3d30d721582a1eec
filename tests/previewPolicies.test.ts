import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { describeFindings } from "../cli/preview/policies";

/**
 * `npm run preview` runs the policy pack over the mocked resources, as Pulumi
 * Deployments would run it on push: what the pack blocks is seen before a push,
 * and a mandatory violation makes the preview exit non-zero.
 */
const ROOT = resolve(__dirname, "..");
const prod = parse(readFileSync(resolve(ROOT, "Pulumi.prod.yaml"), "utf8")) as { config: Record<string, any> };

/** A stack file derived from prod, edited, written to a temporary folder. */
function stackFile(stack: string, edit: (config: Record<string, any>) => void): string {
    const config = structuredClone(prod.config);
    edit(config);
    const file = join(mkdtempSync(join(tmpdir(), "preview-policies-")), `Pulumi.${stack}.yaml`);
    writeFileSync(file, stringify({ config }));
    return file;
}

function preview(target: string) {
    const r = spawnSync(process.execPath, ["--import", "tsx", "cli/index.ts", "preview", "--verbose", target], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 120_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
}

const policyLine = (out: string) => out.split("\n").find((l) => l.startsWith("Policy pack ("));
const blocked = (out: string) => [...out.matchAll(/^ {2}BLOCKED {2}(\S+)/gm)].map((m) => m[1]);

describe("the preview runs the policy pack", () => {
    it.concurrent("dev: no violation, exit 0", () => {
        const r = preview("dev");
        expect(r.code).toBe(0);
        expect(policyLine(r.out)).toMatch(
            /^Policy pack \(\d+ policies, as Pulumi Deployments runs it\): 0 mandatory, 0 advisory violation\(s\)$/,
        );
    });

    it.concurrent("prod: its PagerDuty incidents resolve themselves (resolve automations); only the watchdog advisory, exit 0", () => {
        const r = preview("prod");
        expect(r.code).toBe(0);
        expect(policyLine(r.out)).toContain(": 0 mandatory, 1 advisory violation(s)");
        expect(r.out).not.toContain("pagerduty-auto-resolve");
        expect(r.out).toMatch(/advice {3}production-watchdog/);
    });

    it.concurrent("prod with a watchdog: no advisory, and its ping URL is listed among the values to set", () => {
        const r = preview(
            stackFile("prodwd", (c) => {
                c["prefect-alerting:channels"].heartbeat = { type: "heartbeat", description: "healthchecks: prefect-prod" };
                c["prefect-alerting:watchdog"] = { enabled: true, channel: "heartbeat", intervalMinutes: 5 };
            }),
        );
        expect(r.code).toBe(0);
        expect(policyLine(r.out)).toContain(": 0 mandatory, 0 advisory violation(s)");
        expect(r.out).toContain("prefect-alerting:heartbeatWebhookUrl: ping URL of heartbeat channel");
        expect(r.out).toContain("[prodwd] Watchdog heartbeat");
    });

    it.concurrent("prod with pagerDuty.autoResolve off: the advisories are shown, exit 0", () => {
        const r = preview(stackFile("noresolve", (c) => (c["prefect-alerting:pagerDuty"].autoResolve = false)));
        expect(r.code).toBe(0);
        expect(policyLine(r.out)).toContain(": 0 mandatory, 3 advisory violation(s)");
        expect(r.out).toMatch(/advice {3}pagerduty-auto-resolve {2}\[critical-service\]/);
        expect(r.out).toMatch(/advice {3}pagerduty-auto-resolve {2}\[p1-service\]/);
    });

    it.concurrent("alerts about alerting on (a Teams fallback): not blocked, exit 0, and the sample names the failed channel", () => {
        const r = preview(
            stackFile("meta", (c) => {
                c["prefect-alerting:channels"].fallback = { type: "teams" };
                c["prefect-alerting:deliveryFailure"] = { enabled: true, channels: ["fallback"] };
            }),
        );
        expect(r.code).toBe(0);
        expect(policyLine(r.out)).toContain(": 0 mandatory,");
        expect(r.out).toContain("alerting-meta (meta): alert delivery failed");
        expect(r.out).toMatch(/could not deliver its action #1 \(channel [a-zA-Z]+\)/);
        expect(r.out).not.toContain("channel unknown");
    });

    it.concurrent("a production stack (by its environment setting, not its name) whose critical tier pages nobody: blocked", () => {
        const r = preview(
            stackFile("staging-eu", (c) => {
                c["prefect-alerting:critical"].channels = ["critical"];
                c["prefect-alerting:p1"].enabled = false;
                c["prefect-alerting:pagerDuty"] = { enabled: false };
                c["prefect-alerting:channels"] = {
                    alerts: c["prefect-alerting:channels"].alerts,
                    critical: c["prefect-alerting:channels"].critical,
                };
            }),
        );
        expect(r.code).toBe(1);
        expect(blocked(r.out)).toEqual(["production-pages-on-call"]);
        // warning and critical, and prod's late runs, stuck runs (Running, Pending) and stale data; no resolves without PagerDuty.
        expect(r.out).toContain("Prefect automations (6)");
    });

    it.concurrent("PagerDuty set up but no tier routed to it: blocked", () => {
        const r = preview(
            stackFile("pdunused", (c) => {
                c["prefect-alerting:environment"] = "staging";
                c["prefect-alerting:critical"].channels = ["critical"];
                c["prefect-alerting:p1"].channels = ["critical"];
            }),
        );
        expect(r.code).toBe(1);
        expect(blocked(r.out).sort()).toEqual(["pagerduty-services-paged", "pagerduty-services-paged"]);
        expect(r.out).toContain('PagerDuty service "Data Pipelines (pdunused)" is paged by no enabled automation');
        expect(r.out).toContain('PagerDuty service "Data Pipelines P1 (pdunused)" is paged by no enabled automation');
    });

    it.concurrent("production teams with their own PagerDuty service: the one without an on-call of its own is advised, exit 0", () => {
        const r = preview(
            stackFile("prodteams", (c) => {
                c["prefect-alerting:owners"] = {
                    "data-eng": {
                        channels: ["alerts"],
                        runbook: "https://wiki.example.com/runbooks/data-eng",
                        pagerDutyService: "Data Eng",
                        onCall: { users: ["eng-one@example.com", "PENG001"], lead: "eng-lead@example.com" },
                    },
                    platform: {
                        channels: ["critical"],
                        runbook: "https://wiki.example.com/runbooks/platform",
                        pagerDutyService: "Platform",
                    },
                    // The routes' owner pages the stack's service (a default owner with a service of its own would leave it unpaged).
                    analytics: { channels: ["alerts"], runbook: "https://wiki.example.com/runbooks/analytics" },
                };
                c["prefect-alerting:defaultOwner"] = "analytics";
            }),
        );
        expect(r.code).toBe(0);
        expect(policyLine(r.out)).toContain(": 0 mandatory, 2 advisory violation(s)");
        expect([...r.out.matchAll(/^ {2}advice {3}(\S+) {2}\[([^\]]+)\]/gm)].map((m) => `${m[1]} ${m[2]}`)).toEqual([
            "production-owner-own-on-call owner-platform-service",
        ]);
        expect(r.out).toMatch(/advice {3}production-watchdog/);
        expect(r.out).toContain('Owner "platform" has a PagerDuty service of its own');
    });

    it.concurrent("the critical tier routed to the P1 service: blocked (the critical ladder is never reached)", () => {
        const r = preview(stackFile("wrongservice", (c) => (c["prefect-alerting:critical"].channels = ["critical", "pagerP1"])));
        expect(r.code).toBe(1);
        expect(blocked(r.out)).toEqual(["pagerduty-services-paged"]);
        expect(r.out).toContain('PagerDuty service "Data Pipelines (wrongservice)" is paged by no enabled automation');
    });
});

describe("describeFindings", () => {
    it("lists mandatory violations before advisories, with the resource name, and says what blocking means", () => {
        const c = describeFindings(
            {
                violations: [
                    { policy: "advice-one", level: "advisory", message: "consider this", urn: "urn:pulumi:s::p::t::res-a" },
                    { policy: "must-one", level: "mandatory", message: "fix this" },
                ],
                notApplicable: [],
            },
            7,
        );
        expect(c).toMatchObject({ mandatory: 1, advisory: 1 });
        expect(c.lines).toEqual([
            "Policy pack (7 policies, as Pulumi Deployments runs it): 1 mandatory, 1 advisory violation(s)",
            "  BLOCKED  must-one: fix this",
            "  advice   advice-one  [res-a]: consider this",
            "  A mandatory violation stops `pulumi up` and the Deployments run: fix the stack before pushing.",
        ]);
    });
});
