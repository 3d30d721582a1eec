/**
 * Resource names come from content, never from list positions: reordering a
 * list in the stack file (the on-call users, a tier's channels, the routes)
 * must not rename, and so replace, anything. The prod program runs twice under
 * mocks, once as committed (plus a second route) and once with every such list reversed.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { ProgramRun } from "../harness/runProgram";
import { plain, runStack } from "./helpers/program";
import { editKey, stackConfig } from "./helpers/stacks";

const byName = (run: ProgramRun) => new Map(run.resources.map((r) => [`${r.type}::${r.name}`, r]));

describe("prod with every list reversed", () => {
    let committed: ProgramRun;
    let reversed: ProgramRun;
    beforeAll(async () => {
        const twoRoutes = editKey(stackConfig("prod"), "routes", () => ({ dlt: { tags: ["dlt"] }, sales: { tags: ["sales"] } }));
        committed = await runStack("prod", twoRoutes);
        vi.resetModules();
        let raw = twoRoutes;
        raw = editKey(raw, "pagerDuty", (pd) => ({ ...pd, schedule: { ...pd.schedule, users: [...pd.schedule.users].reverse() } }));
        raw = editKey(raw, "critical", (c) => ({ ...c, channels: [...c.channels].reverse() }));
        raw = editKey(raw, "routes", () => ({ sales: { tags: ["sales"] }, dlt: { tags: ["dlt"] } }));
        reversed = await runStack("prod", raw);
    });

    it("keeps every committed resource's name (nothing would be replaced)", () => {
        const after = byName(reversed);
        const missing = [...byName(committed).keys()].filter((k) => !after.has(k));
        expect(missing).toEqual([]);
    });

    it("names each team membership after its user, with the same role", () => {
        const memberships = (run: ProgramRun) =>
            run.resources
                .filter((r) => r.type === "pagerduty:index/teamMembership:TeamMembership")
                .map((r) => [r.name, plain(r).role])
                .sort();
        expect(memberships(committed)).toEqual([
            ["team-member-data-manager@example.com", "manager"],
            ["team-member-oncall-one@example.com", "responder"],
            ["team-member-oncall-two@example.com", "responder"],
            ["team-member-team-lead@example.com", "manager"],
        ]);
        expect(memberships(reversed)).toEqual(memberships(committed));
    });
});
