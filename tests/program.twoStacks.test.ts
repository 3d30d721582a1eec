/**
 * Two stacks of this program sharing one PagerDuty account (and one AWS
 * account): prod and a staging stack with prod's very settings, each run as
 * its own program under mocks. No account-wide resource name may be shared,
 * or the second `pulumi up` would fail on the first one's names (or adopt them).
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { PROJECT } from "../config/load";
import { ProgramRun } from "../harness/runProgram";
import { plain, runStack } from "./helpers/program";
import { stackConfig } from "./helpers/stacks";

/** Resources whose `name` is unique per account. Integration names are scoped to their service, so they may repeat. */
const ACCOUNT_WIDE = [
    "pagerduty:index/service:Service",
    "pagerduty:index/escalationPolicy:EscalationPolicy",
    "pagerduty:index/schedule:Schedule",
    "pagerduty:index/team:Team",
    "aws:secretsmanager/secret:Secret",
];

const names = (run: ProgramRun, prefix: string) =>
    run.resources.filter((r) => ACCOUNT_WIDE.includes(r.type) && r.type.startsWith(prefix)).map((r) => `${r.type} ${plain(r).name}`);

describe("prod and staging side by side", () => {
    const runs: Record<string, ProgramRun> = {};
    beforeAll(async () => {
        const prod = stackConfig("prod");
        for (const stack of ["prod", "staging"]) {
            vi.resetModules();
            runs[stack] = await runStack(stack, { ...prod, project: PROJECT, stack });
        }
    });

    it("both create the whole PagerDuty side: two services, two escalation policies, a schedule and a team", () => {
        for (const run of Object.values(runs)) {
            const types = names(run, "pagerduty:").map((n) => n.split(" ")[0].split(":").at(-1));
            expect(types.sort()).toEqual(["EscalationPolicy", "EscalationPolicy", "Schedule", "Service", "Service", "Team"]);
        }
    });

    it("share no PagerDuty service, escalation policy, schedule or team name", () => {
        const prod = new Set(names(runs.prod, "pagerduty:"));
        expect(names(runs.staging, "pagerduty:").filter((n) => prod.has(n))).toEqual([]);
        expect(names(runs.staging, "pagerduty:")).toContain("pagerduty:index/service:Service Data Pipelines (staging)");
    });

    it("share no Secrets Manager secret name", () => {
        const prod = new Set(names(runs.prod, "aws:"));
        expect(names(runs.staging, "aws:").length).toBeGreaterThan(0);
        expect(names(runs.staging, "aws:").filter((n) => prod.has(n))).toEqual([]);
    });
});
