import { describe, expect, it } from "vitest";
import { ownerChannels, ownerRoute, runbookFor } from "../alert/owners";
import { withRunbook } from "../alert/runbook";
import { SAMPLE_CONTEXT, renderSample } from "../alert/templates";
import { blockKitBody } from "../channels/blockKit";
import { pagerDutyEventBody } from "../channels/pagerDutyEvent";
import { normaliseOwner, ownerOfTag } from "../config/owners";
import { parseStackConfig } from "../config/load";
import { finalFailureMessage } from "../signals/finalFailure";
import { configCoverageLines, ownerCoverage } from "../rules/coverage";
import { planAlerting } from "../rules/plan";
import { describeLadder } from "../rules/escalation";
import { editKey, stackConfig } from "./helpers/stacks";

/** Owners and runbooks (issue 18): the decisions as plain data, without mocks. */

const UI = "https://prefect.example.com";
const OWNERS = {
    "data-eng": { channels: ["alerts"], runbook: "https://wiki.example.com/runbooks/data-eng" },
    platform: { channels: ["critical"], runbook: "https://wiki.example.com/runbooks/platform" },
};

/** The prod stack (warning on alerts, critical on [critical, pager], pager a PagerDuty channel) with owners, and a default owner. */
function localWith(defaultOwner?: string, routes?: unknown) {
    let raw = editKey(stackConfig("prod"), "owners", () => OWNERS);
    if (defaultOwner) raw = editKey(raw, "defaultOwner", () => defaultOwner);
    if (routes) raw = editKey(raw, "routes", () => routes);
    return parseStackConfig(raw);
}

describe("owner names and tags", () => {
    it.each([
        ["Data Eng", "data-eng"],
        ["  data_eng ", "data-eng"],
        ["DATA--ENG", "data-eng"],
        ["data-eng", "data-eng"],
    ])("%j normalises to %j", (text, normal) => expect(normaliseOwner(text)).toBe(normal));

    it("reads the team of an owner tag whatever its case and spacing, and nothing from other tags", () => {
        expect(ownerOfTag("owner:data-eng")).toBe("data-eng");
        expect(ownerOfTag("Owner: Data Eng")).toBe("data-eng");
        expect(ownerOfTag("owner:")).toBeUndefined();
        expect(ownerOfTag("dlt")).toBeUndefined();
        expect(ownerOfTag("co-owner:x")).toBeUndefined();
    });

    it("an owner's route selects its runs by the exact tag owner:<team>", () => {
        expect(ownerRoute({ name: "data-eng", channels: ["alerts"] })).toEqual({
            name: "owner-data-eng",
            tags: ["owner:data-eng"],
            flows: [],
            deployments: [],
        });
    });
});

describe("where an owner's alerts go", () => {
    const pages = (c: string) => c === "pager";
    it("the team's chat channels instead of the section's, keeping the section's paging channels", () => {
        expect(ownerChannels(["critical", "pager"], { name: "a", channels: ["teamA"] }, pages)).toEqual(["teamA", "pager"]);
        expect(ownerChannels(["alerts"], { name: "a", channels: ["teamA", "alerts"] }, pages)).toEqual(["teamA", "alerts"]);
    });
    it("no owner (no default owner): the section's channels as configured", () => {
        expect(ownerChannels(["critical", "pager"], undefined, pages)).toEqual(["critical", "pager"]);
    });
});

describe("the plan of a stack with owners", () => {
    it("one warning and one critical automation (with its resolve) per owner, after the route's, on the owner's tag", () => {
        const plan = planAlerting(localWith());
        const keys = plan.automations.map((a) => a.key);
        expect(keys.filter((k) => /^(warning|critical)-/.test(k))).toEqual([
            "warning-dlt",
            "warning-owner-data-eng",
            "warning-owner-platform",
            "critical-dlt",
            "critical-dlt-resolve",
            "critical-owner-data-eng",
            "critical-owner-data-eng-resolve",
            "critical-owner-platform",
            "critical-owner-platform-resolve",
        ]);
        const a = plan.automations.find((x) => x.key === "warning-owner-data-eng")!;
        expect(a.trigger.match_related).toEqual({ "prefect.resource.role": "tag", "prefect.resource.id": "prefect.tag.owner:data-eng" });
        expect(a).toMatchObject({ owner: "data-eng", routes: [], channels: ["alerts"], runbook: OWNERS["data-eng"].runbook });
        // The critical page still goes out: the team's chat plus the section's pager.
        expect(plan.automations.find((x) => x.key === "critical-owner-data-eng")!.channels).toEqual(["alerts", "pager"]);
        expect(plan.automations.find((x) => x.key === "critical-owner-data-eng-resolve")!.channels).toEqual(["pager"]);
    });

    it("without a default owner the routes keep the sections' channels and have no runbook", () => {
        const plan = planAlerting(localWith());
        const dlt = plan.automations.find((x) => x.key === "warning-dlt")!;
        expect(dlt.channels).toEqual(["alerts"]);
        expect(dlt.runbook).toBeUndefined();
        expect(dlt.actions[0].body).not.toContain("Runbook");
    });

    it("a default owner takes the routes' alerts: its chat channels, the section's pager, its runbook", () => {
        const plan = planAlerting(localWith("platform"));
        expect(plan.automations.find((x) => x.key === "warning-dlt")).toMatchObject({
            channels: ["critical"],
            runbook: OWNERS.platform.runbook,
        });
        expect(plan.automations.find((x) => x.key === "critical-dlt")!.channels).toEqual(["critical", "pager"]);
    });

    it("a route's runbook wins over the default owner's; an owner's own automation keeps the owner's", () => {
        const plan = planAlerting(localWith("platform", { dlt: { tags: ["dlt"], runbook: "https://wiki.example.com/dlt" } }));
        expect(plan.automations.find((x) => x.key === "warning-dlt")!.runbook).toBe("https://wiki.example.com/dlt");
        expect(plan.automations.find((x) => x.key === "warning-owner-data-eng")!.runbook).toBe(OWNERS["data-eng"].runbook);
        const body = plan.automations.find((x) => x.key === "warning-dlt")!.actions[0].body;
        // prod's alerts channel is Slack: the runbook is a Block Kit button.
        expect(body).toContain(
            '{"type":"button","text":{"type":"plain_text","text":"Open the runbook"},"url":"https://wiki.example.com/dlt"}',
        );
    });

    it("the runbook is the most specific one: own, then the routes' when they agree, then the default owner's (also for no route)", () => {
        const routes = [
            { name: "a", tags: ["a"], flows: [], deployments: [], runbook: "https://r/a" },
            { name: "b", tags: ["b"], flows: [], deployments: [] },
        ];
        const d = { name: "p", channels: [], runbook: "https://r/p" };
        expect(runbookFor({ runbook: "https://own", routes: ["a"] }, routes, d)).toBe("https://own");
        expect(runbookFor({ routes: ["a"] }, routes, d)).toBe("https://r/a");
        expect(runbookFor({ routes: ["a", "b"] }, routes, d)).toBe("https://r/p");
        expect(runbookFor({ routes: ["b"] }, routes)).toBeUndefined();
        expect(runbookFor({ routes: [] }, routes, d)).toBe("https://r/p");
        expect(runbookFor({ routes: [] }, routes)).toBeUndefined();
    });
});

describe("the runbook in every message kind", () => {
    const message = withRunbook(finalFailureMessage(false), "https://wiki.example.com/runbooks/orders");

    it("Slack: a runbook button after the run's button", () => {
        const body = JSON.parse(renderSample(blockKitBody(message, "stack prod · warning tier"), UI, SAMPLE_CONTEXT));
        const actions = body.blocks.find((b: any) => b.type === "actions");
        expect(actions.elements.map((e: any) => [e.text.text, e.url])).toEqual([
            ["Open the flow run in Prefect", `${UI}/runs/flow-run/${SAMPLE_CONTEXT.flow_run.id}`],
            ["Open the runbook", "https://wiki.example.com/runbooks/orders"],
        ]);
    });

    it("Slack: the runbook button alone when the run's link does not render as a URL", () => {
        const body = JSON.parse(renderSample(blockKitBody(message, "ctx"), "", { ...SAMPLE_CONTEXT, flow_run: undefined }));
        const actions = body.blocks.find((b: any) => b.type === "actions");
        expect(actions.elements.map((e: any) => e.text.text)).toEqual(["Open the runbook"]);
    });

    it("PagerDuty: the runbook among the event's links", () => {
        const event = JSON.parse(
            `{"routing_key":"k",${renderSample(pagerDutyEventBody(message, { stack: "prod", signal: "s", tier: "critical" }), UI)}}`,
        );
        expect(event.links).toEqual([
            { href: `${UI}/runs/flow-run/${SAMPLE_CONTEXT.flow_run.id}`, text: "Open the flow run in Prefect" },
            { href: "https://wiki.example.com/runbooks/orders", text: "Open the runbook" },
        ]);
    });

    it("webhook, Teams and e-mail: a last line of the body; no runbook leaves the message as it was", () => {
        expect(message.body.split("\n").at(-1)).toBe("*Runbook*: <https://wiki.example.com/runbooks/orders|open the runbook>");
        expect(withRunbook(finalFailureMessage(false), undefined)).toEqual(finalFailureMessage(false));
    });
});

describe("late and stuck runs of an owner's deployments", () => {
    it("one late-run and one stuck automation per phase per owner, after the route's, on the owner's tag, to its channels", () => {
        const plan = planAlerting(localWith());
        const keys = plan.automations.map((a) => a.key).filter((k) => /^(late|stuck)-/.test(k));
        expect(keys).toEqual([
            "late-runs-dlt",
            "late-runs-owner-data-eng",
            "late-runs-owner-platform",
            "stuck-running-dlt",
            "stuck-pending-dlt",
            "stuck-running-owner-data-eng",
            "stuck-pending-owner-data-eng",
            "stuck-running-owner-platform",
            "stuck-pending-owner-platform",
        ]);
        for (const key of ["late-runs-owner-platform", "stuck-running-owner-platform", "stuck-pending-owner-platform"]) {
            const a = plan.automations.find((x) => x.key === key)!;
            expect(a).toMatchObject({ owner: "platform", routes: [], channels: ["critical"], runbook: OWNERS.platform.runbook });
            // The same trigger as the route's, on the owner's tag (late runs also require a deployment).
            expect(JSON.stringify(a.trigger.match_related)).toContain('"prefect.resource.id":"prefect.tag.owner:platform"');
            expect(a.actions[0].body).toContain(OWNERS.platform.runbook);
        }
        // Without a default owner the route keeps the section's channels.
        expect(plan.automations.find((x) => x.key === "late-runs-dlt")!.channels).toEqual(["alerts"]);
    });

    it("a default owner takes the route's late and stuck alerts", () => {
        const plan = planAlerting(localWith("platform"));
        for (const key of ["late-runs-dlt", "stuck-running-dlt"])
            expect(plan.automations.find((x) => x.key === key)).toMatchObject({ channels: ["critical"], runbook: OWNERS.platform.runbook });
    });

    it("a paging late-run section pages a team's own service, and its resolve goes there too", () => {
        let raw = editKey(stackConfig("prod"), "owners", () => ({
            ...OWNERS,
            "data-eng": { ...OWNERS["data-eng"], pagerDutyService: "Data Eng" },
        }));
        raw = editKey(raw, "lateRuns", (l: any) => ({ ...l, channels: ["alerts", "pager"] }));
        raw = editKey(raw, "stuckRuns", (s: any) => ({ ...s, channels: ["alerts", "pager"], resolveWhenEnded: true }));
        const plan = planAlerting(parseStackConfig(raw));
        const channels = (key: string) => plan.automations.find((a) => a.key === key)!.channels;
        expect(channels("late-runs-owner-data-eng")).toEqual(["alerts", "pagerOwner-data-eng"]);
        expect(channels("late-runs-resolve-owner-data-eng")).toEqual(["pagerOwner-data-eng"]);
        expect(channels("stuck-running-owner-data-eng")).toEqual(["alerts", "pagerOwner-data-eng"]);
        expect(channels("stuck-runs-resolve-owner-data-eng")).toEqual(["pagerOwner-data-eng"]);
        // Another team, and the route, page the stack's service.
        expect(channels("late-runs-owner-platform")).toEqual(["critical", "pager"]);
        expect(channels("late-runs-resolve-owner-platform")).toEqual(["pager"]);
        expect(channels("late-runs-resolve-dlt")).toEqual(["pager"]);
    });
});

describe("coverage", () => {
    const owners = [
        { name: "data-eng", channels: ["alerts"] },
        { name: "platform", channels: ["info"] },
        { name: "finance", channels: ["info"] },
    ];
    const d = (deployment: string, tags: string[]) => ({ deployment, flow: "f", tags });

    it("lists deployments with no owner tag, unknown or near-miss owner tags, and owners nobody carries", () => {
        const c = ownerCoverage(
            [
                d("orders", ["owner:data-eng", "dlt"]),
                d("legacy", ["dlt"]),
                d("typo", ["owner:data-egn"]),
                d("cased", ["Owner: Data Eng"]),
                d("other", ["owner:marketing"]),
                d("close", ["owner:platfom"]),
            ],
            owners,
        );
        expect(c.unowned).toEqual(["f/legacy"]);
        expect(c.unknownOwner).toEqual([
            { deployment: "f/cased", tag: "Owner: Data Eng", hint: ' (the automations match "owner:data-eng" exactly: retag it)' },
            { deployment: "f/close", tag: "owner:platfom", hint: ' (did you mean "owner:platform"?)' },
            { deployment: "f/other", tag: "owner:marketing", hint: "" },
            { deployment: "f/typo", tag: "owner:data-egn", hint: "" },
        ]);
        expect(c.unusedOwners).toEqual(["platform", "finance"]);
    });

    it("the preview says what config alone can tell: channels, runbooks, who takes the rest", () => {
        const lines = configCoverageLines(
            [
                { name: "data-eng", channels: ["alerts"], runbook: "https://r/d" },
                { name: "platform", channels: ["info"] },
            ],
            "platform",
            [{ name: "dlt" }],
        );
        expect(lines).toEqual([
            "Owners (2): runs tagged owner:<team> alert the team's channels",
            "  data-eng -> alerts; runbook https://r/d",
            "  platform (default) -> info; NO RUNBOOK",
            "  runs with no known owner tag on the routes (dlt) go to platform",
            "  routes with no runbook (theirs or the default owner's): dlt",
            "  which deployments carry which owner tag: npm run report (it asks the server)",
        ]);
        expect(configCoverageLines([], undefined, [{ name: "dlt" }])).toEqual([]);
    });
});

describe("the automation count at 50 owners", () => {
    const owners = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`team-${i}`, { channels: ["alerts"] }]));
    const perSignal = (stack: string) => {
        const plan = planAlerting(parseStackConfig(editKey(stackConfig(stack), "owners", () => owners)));
        const bare = planAlerting(parseStackConfig(stackConfig(stack))).automations.length;
        const owned: Record<string, number> = {};
        for (const a of plan.automations.filter((x) => x.owner)) owned[a.signal] = (owned[a.signal] ?? 0) + 1;
        return { added: plan.automations.length - bare, owned };
    };

    it("prod: each owner adds its warning, its critical and the critical's resolve, its late runs, its stuck Running and Pending", () => {
        const { added, owned } = perSignal("prod");
        console.log(`prod at 50 owners: ${added} automations more (${JSON.stringify(owned)})`);
        // Per owner: finalFailure 1, repeatedFailure 2 (alert + resolve: the critical tier pages), lateRuns 1 (chat only,
        // no recoveredNotice: no resolve), stuckRuns 2 (Running, and Pending since prod sets pendingAfterMinutes).
        expect(owned).toEqual({ finalFailure: 50, repeatedFailure: 100, lateRuns: 50, stuckRuns: 100 });
        expect(added).toBe(300);
    });

    it("a stack without late or stuck runs adds only the tiers' automations: dev 50, local 100", () => {
        expect(perSignal("dev")).toEqual({ added: 50, owned: { finalFailure: 50 } });
        expect(perSignal("local")).toEqual({ added: 100, owned: { finalFailure: 50, repeatedFailure: 50 } });
    });
});

describe("an owner's own PagerDuty service", () => {
    const withService = () =>
        parseStackConfig(
            editKey(stackConfig("prod"), "owners", () => ({
                ...OWNERS,
                "data-eng": { ...OWNERS["data-eng"], pagerDutyService: "Data Eng" },
            })),
        );

    it("gets a service (qualified by the stack) on the stack's critical ladder, and a block that pages it", () => {
        const cfg = withService();
        const plan = planAlerting(cfg);
        const service = plan.pagerDuty!.services.find((s) => s.service === "owner:data-eng")!;
        expect(service).toMatchObject({ key: "owner-data-eng-service", name: "Data Eng (prod)" });
        const ladders = plan.pagerDuty!.escalationPolicies;
        expect(ladders.find((p) => p.service === "owner:data-eng")!.ladder).toEqual(ladders.find((p) => p.service === "critical")!.ladder);
        const block = plan.blocks.find((b) => b.channel === "pagerOwner-data-eng")!;
        expect(block).toMatchObject({ name: "prod-pager-owner-data-eng", typeSlug: "custom-webhook" });
        expect(Object.values(block.sources)).toEqual([{ pagerDutyService: "owner:data-eng" }]);
    });

    it("without onCall the plan has no team schedule (its JSON as before onCall); with it, the team's rotation and ladder", () => {
        expect(Object.keys(planAlerting(withService()).pagerDuty!)).not.toContain("teamSchedules");
        const onCall = (users: string[], lead?: string) =>
            planAlerting(
                parseStackConfig(
                    editKey(stackConfig("prod"), "owners", () => ({
                        ...OWNERS,
                        "data-eng": { ...OWNERS["data-eng"], pagerDutyService: "Data Eng", onCall: { users, ...(lead ? { lead } : {}) } },
                    })),
                ),
            ).pagerDuty!;
        const pd = onCall(["eng-one@example.com", "PENG001"], "eng-lead@example.com");
        expect(pd.teamSchedules).toEqual([
            {
                ...pd.schedule,
                key: "owner-data-eng-on-call",
                team: "data-eng",
                name: "Data Eng On-Call (prod)",
                users: ["eng-one@example.com", "PENG001"],
            },
        ]);
        const ladder = pd.escalationPolicies.find((p) => p.service === "owner:data-eng")!.ladder;
        expect(describeLadder(ladder)).toBe(
            "0 min: on-call engineer of data-eng; 15 min: team lead eng-lead@example.com; 45 min: manager data-manager@example.com; " +
                "unacknowledged, the ladder repeats 2 time(s)",
        );
        // The stack's lead when the team names none; keys from content: reordering the rotation renames nothing.
        expect(onCall(["PENG001"]).escalationPolicies.find((p) => p.service === "owner:data-eng")!.ladder.rules[1].targets).toEqual([
            { kind: "user", user: "team-lead@example.com", role: "team lead" },
        ]);
        const keys = (p: typeof pd) => [...(p.teamSchedules ?? []), ...p.escalationPolicies, ...p.services].map((r) => r.key);
        expect(keys(onCall(["PENG001", "eng-one@example.com"]))).toEqual(keys(pd));
    });

    it("the team's critical pages and resolves go to its service, not the stack's; other teams keep the stack's", () => {
        const plan = planAlerting(withService());
        const channels = (key: string) => plan.automations.find((a) => a.key === key)!.channels;
        expect(channels("critical-owner-data-eng")).toEqual(["alerts", "pagerOwner-data-eng"]);
        expect(channels("critical-owner-data-eng-resolve")).toEqual(["pagerOwner-data-eng"]);
        expect(channels("critical-owner-platform")).toEqual(["critical", "pager"]);
        // Warnings never page: the team's chat only.
        expect(channels("warning-owner-data-eng")).toEqual(["alerts"]);
    });
});
