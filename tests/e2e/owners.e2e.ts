import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EVENTS_API_URL } from "../../channels/pagerduty";
import { periodOf } from "../../cli/report/aggregate";
import { collectReport } from "../../cli/report/collect";
import type { Report } from "../../cli/report/model";
import { OwnStack, applyOwnStack } from "./ownStack";
import { events, post, prefectRequest } from "./prefectApi";
import { E2E_PAGER_DUTY, fakePagerDutyToken } from "./pagerDutyFixture";

/**
 * Owners and runbooks on the real server (issue 18). Four deployments of their own flows: alpha's and beta's
 * deployments carry owner:<team> tags, gamma's FLOW carries owner:gamma (the deployment none), "unowned" carries
 * only the stack's route tag, "stray" the route tag and owner:delta, a team the stack does not know. One failing run
 * of each: alpha, beta and gamma reach exactly their team's receiver, unowned and stray the default owner's
 * (platform), each message with that owner's runbook, except where `runbooks.deployments` names the deployment
 * (alpha's as "<flow>/<deployment>", beta's by its name alone): Prefect picks that one when it renders the message
 * (alert/runbook.ts). Every path's count is asserted, zeros included.
 *
 * Also proved here: a "no owner tag" trigger cannot be written. A probe automation matching a related tag that is
 * NOT owner:* fires for alpha's run too (it carries one other tag): match_related holds when SOME related resource
 * matches (prefect/server/events/schemas/events.py ResourceSpecification.includes), so negation excludes nothing.
 *
 * Then PagerDuty per owner, a stack of its own: owner alpha names its own PagerDuty service; two failures of its
 * deployment page alpha's service (its integration's routing key), two of an unowned one the stack's critical service.
 */

const { apiUrl } = inject("prefect");
const SETTLE_MS = Number(process.env.E2E_SETTLE_MS ?? 20_000);
const STACK = "owners";
const ROUTE_TAG = "owners-e2e";
const RUNBOOK = (team: string) => `https://runbooks.example.com/${team}`;
const TEAMS = ["alpha", "beta", "gamma", "platform"] as const;
/** Runbooks per deployment, more specific than the owner's: chosen by the server at render time. */
const DEPLOYMENT_RUNBOOKS: Record<string, string> = {
    "e2e-owners-alpha/alpha-deployment": "https://runbooks.example.com/deployments/alpha",
    "beta-deployment": "https://runbooks.example.com/deployments/beta",
};

interface Seed {
    key: string;
    flow: string;
    flowTags: string[];
    deploymentTags: string[];
    /** Whose receiver the failure must reach. */
    owner: (typeof TEAMS)[number];
}
const SEEDS: Seed[] = [
    { key: "alpha", flow: "e2e-owners-alpha", flowTags: [], deploymentTags: ["owner:alpha", "team-tools"], owner: "alpha" },
    { key: "beta", flow: "e2e-owners-beta", flowTags: [], deploymentTags: ["owner:beta"], owner: "beta" },
    { key: "gamma", flow: "e2e-owners-gamma", flowTags: ["owner:gamma"], deploymentTags: [], owner: "gamma" },
    { key: "unowned", flow: "e2e-owners-unowned", flowTags: [], deploymentTags: [ROUTE_TAG], owner: "platform" },
    { key: "stray", flow: "e2e-owners-stray", flowTags: [], deploymentTags: [ROUTE_TAG, "owner:delta"], owner: "platform" },
];

let own: OwnStack | undefined;
const deployments = new Map<string, string>();
const runs = new Map<string, string>();
let probeId: string | undefined;
let since: Date;
let report: Report;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const messagesAt = (team: string) => own!.receiver.on(`/${team}`);

/** A state change as a worker and the engine would make it (the server orchestrates it and emits the event). */
async function setState(runId: string, type: string, name: string): Promise<void> {
    const r = await post(apiUrl, `/flow_runs/${runId}/set_state`, { state: { type, name }, force: false });
    if (r.status !== "ACCEPT") throw new Error(`${name} for ${runId}: ${JSON.stringify(r)}`);
}

beforeAll(async () => {
    for (const s of SEEDS) {
        const flow = await post(apiUrl, "/flows/", { name: s.flow, tags: s.flowTags });
        // POST /flows/ returns an existing flow by name unchanged: set the tags this file needs.
        await prefectRequest(apiUrl, "PATCH", `/flows/${flow.id}`, { tags: s.flowTags });
        const d = await post(apiUrl, "/deployments/", { name: `${s.key}-deployment`, flow_id: flow.id, tags: s.deploymentTags });
        deployments.set(s.key, d.id);
    }
    own = await applyOwnStack({
        stack: STACK,
        channels: Object.fromEntries(TEAMS.map((t) => [t, { type: "webhook", description: `loopback receiver of ${t}` }])),
        routes: { ownersE2e: { tags: [ROUTE_TAG] } },
        sections: {
            // The section's own channel would take the route's alerts; the default owner's channels replace it.
            warning: { enabled: true, channels: ["platform"] },
            owners: Object.fromEntries(TEAMS.map((t) => [t, { channels: [t], runbook: RUNBOOK(t) }])),
            defaultOwner: "platform",
            runbooks: { deployments: DEPLOYMENT_RUNBOOKS },
        },
    });
    // The probe: "a related tag that is not owner:*", with an action that sends nothing; its firings are counted.
    probeId = (
        await post(apiUrl, "/automations/", {
            name: "[owners] probe: a tag that is not owner:*",
            trigger: {
                type: "event",
                posture: "Reactive",
                match: { "prefect.resource.id": "prefect.flow-run.*" },
                match_related: { "prefect.resource.role": "tag", "prefect.resource.id": "!prefect.tag.owner:*" },
                expect: ["prefect.flow-run.Failed"],
                threshold: 1,
                within: 0,
            },
            actions: [{ type: "do-nothing" }],
        })
    ).id;
    since = new Date();
    for (const s of SEEDS) {
        const run = await post(apiUrl, `/deployments/${deployments.get(s.key)}/create_flow_run`, {});
        runs.set(s.key, run.id);
        await setState(run.id, "PENDING", "Pending");
        await setState(run.id, "RUNNING", "Running");
        await setState(run.id, "FAILED", "Failed");
    }
    await own.receiver.waitFor(() => own!.receiver.requests, SEEDS.length, 120_000, "one warning per failed run");
    await sleep(SETTLE_MS);
    report = await collectReport({
        stack: STACK,
        routes: [{ name: "ownersE2e", tags: [ROUTE_TAG], flows: [], deployments: [] }],
        owners: TEAMS.map((t) => ({ name: t, channels: [t], runbook: RUNBOOK(t) })),
        period: periodOf(1, new Date()),
        target: { url: apiUrl, headers: {}, source: "e2e" },
    });
}, 360_000);

afterAll(async () => {
    await own?.cleanup();
    if (probeId) await prefectRequest(apiUrl, "DELETE", `/automations/${probeId}`).catch(() => undefined);
    for (const id of deployments.values()) await prefectRequest(apiUrl, "DELETE", `/deployments/${id}`).catch(() => undefined);
}, 120_000);

describe("owners and runbooks on the real server", () => {
    it("the server holds one warning automation for the stack's route and one per owner, each matching its owner tag", () => {
        expect(own!.applied.automations.map((a) => a.name).sort()).toEqual(
            ["warning-ownersE2e", ...TEAMS.map((t) => `warning-owner-${t}`)].sort(),
        );
    });

    it("each flow-run event carries the deployment's and the flow's tags as related prefect.tag.* resources", async () => {
        const failed = await events(apiUrl, ["prefect.flow-run.Failed"], since);
        const tagsOf = (key: string) =>
            failed
                .find((e) => e.resource["prefect.resource.id"] === `prefect.flow-run.${runs.get(key)}`)!
                .related.filter((r) => r["prefect.resource.role"] === "tag")
                .map((r) => r["prefect.resource.id"])
                .sort();
        expect(tagsOf("alpha")).toEqual(["prefect.tag.owner:alpha", "prefect.tag.team-tools"]);
        expect(tagsOf("gamma")).toEqual(["prefect.tag.owner:gamma"]);
        expect(tagsOf("stray")).toEqual(["prefect.tag.owner:delta", `prefect.tag.${ROUTE_TAG}`]);
    });

    it("each failure reaches exactly its owner's receiver, the unowned and unknown-owner ones the default's, with its runbook", () => {
        const counts = Object.fromEntries(TEAMS.map((t) => [t, messagesAt(t).length]));
        expect(counts).toEqual({ alpha: 1, beta: 1, gamma: 1, platform: 2 });
        expect(own!.receiver.requests.filter((r) => !TEAMS.some((t) => r.path === `/${t}`))).toHaveLength(0);
        for (const s of SEEDS) {
            const got = messagesAt(s.owner).filter((m) => m.json?.subject?.includes(s.flow));
            expect(got, s.key).toHaveLength(1);
            // The deployment's own runbook where runbooks.deployments names it, else the owner's (the fallback).
            const runbook =
                DEPLOYMENT_RUNBOOKS[`${s.flow}/${s.key}-deployment`] ?? DEPLOYMENT_RUNBOOKS[`${s.key}-deployment`] ?? RUNBOOK(s.owner);
            expect(got[0].json?.body, s.key).toContain(`*Runbook*: <${runbook}|open the runbook>`);
            expect(String(got[0].json?.body).match(/open the runbook/g), s.key).toHaveLength(1);
        }
    });

    it("a negated tag filter does not mean 'no owner tag': the probe fired for alpha's owned run as well", async () => {
        const fired = (await events(apiUrl, ["prefect.automation.triggered"], since)).filter(
            (e) => e.resource["prefect.resource.id"] === `prefect.automation.${probeId}`,
        );
        const runOf = (e: (typeof fired)[number]) => [...runs.entries()].find(([, id]) => JSON.stringify(e).includes(id))?.[0] ?? "unknown";
        // alpha: owner:alpha and team-tools; unowned and stray: the route tag. beta and gamma carry one tag, an owner tag.
        expect(fired.map(runOf).sort()).toEqual(["alpha", "stray", "unowned"]);
    });

    it("the report lists the unowned deployment, the unknown owner tag, and no owner left uncarried but the default", () => {
        const o = report.ownership!;
        const ours = (name: string) => name.startsWith("e2e-owners-");
        expect(o.unowned.filter(ours)).toEqual(["e2e-owners-unowned/unowned-deployment"]);
        expect(o.unknownOwner.filter((u) => ours(u.deployment))).toEqual([
            { deployment: "e2e-owners-stray/stray-deployment", tag: "owner:delta", hint: "" },
        ]);
        expect(o.unusedOwners).toEqual(["platform"]);
    });
});

describe("an owner's own PagerDuty service on the real server", () => {
    const PD_STACK = "ownerspd";
    const PD_TAG = "ownerspd-e2e";
    const PAGER_PATH = "/pagerduty";
    const KEY = { stack: "e2e-fake-routing-key-ownerspd", alpha: "e2e-fake-routing-key-ownerspd-alpha" } as const;
    const PD_SEEDS = [
        { key: "pd-alpha", flow: "e2e-ownerspd-alpha", tags: ["owner:alpha"] },
        { key: "pd-unowned", flow: "e2e-ownerspd-unowned", tags: [PD_TAG] },
    ];
    let pd: OwnStack | undefined;
    const pdDeployments: string[] = [];
    const routingKeys = () => pd!.receiver.on(PAGER_PATH).map((r) => String(r.json?.routing_key));

    beforeAll(async () => {
        const ids = new Map<string, string>();
        for (const s of PD_SEEDS) {
            const flow = await post(apiUrl, "/flows/", { name: s.flow });
            const d = await post(apiUrl, "/deployments/", { name: `${s.key}-deployment`, flow_id: flow.id, tags: s.tags });
            pdDeployments.push(d.id);
            ids.set(s.key, d.id);
        }
        pd = await applyOwnStack({
            stack: PD_STACK,
            channels: {
                alphaChat: { type: "webhook", description: "alpha's chat" },
                critical: { type: "webhook", description: "the stack's critical chat" },
                pager: { type: "pagerduty", service: "critical" },
            },
            routes: { pdRoute: { tags: [PD_TAG] } },
            sections: {
                critical: { enabled: true, channels: ["critical", "pager"], threshold: 2, windowHours: 1 },
                owners: { alpha: { channels: ["alphaChat"], pagerDutyService: "Alpha" } },
                pagerDuty: E2E_PAGER_DUTY,
            },
            secrets: fakePagerDutyToken(),
            // Every PagerDuty block posts to the receiver; the routing key in the event says which service it paged.
            deliverTo: (url) => ({ [EVENTS_API_URL]: `${url}${PAGER_PATH}` }),
            outputs: (type, name) =>
                type === "pagerduty:index/serviceIntegration:ServiceIntegration"
                    ? { integrationKey: name.startsWith("owner-alpha") ? KEY.alpha : `${KEY.stack}-${name}` }
                    : undefined,
        });
        for (const s of PD_SEEDS)
            for (let i = 0; i < 2; i++) {
                const run = await post(apiUrl, `/deployments/${ids.get(s.key)}/create_flow_run`, {});
                await setState(run.id, "PENDING", "Pending");
                await setState(run.id, "RUNNING", "Running");
                await setState(run.id, "FAILED", "Failed");
            }
        await pd.receiver.waitFor(() => pd!.receiver.requests, 4, 120_000, "two pages and two chat messages");
        await sleep(SETTLE_MS);
    }, 360_000);

    afterAll(async () => {
        await pd?.cleanup();
        for (const id of pdDeployments) await prefectRequest(apiUrl, "DELETE", `/deployments/${id}`).catch(() => undefined);
    }, 120_000);

    it("alpha's repeated failure pages alpha's service and its chat; the unowned one the stack's service and chat", () => {
        const counts = Object.fromEntries(["/alphaChat", "/critical", PAGER_PATH].map((path) => [path, pd!.receiver.on(path).length]));
        expect(counts).toEqual({ "/alphaChat": 1, "/critical": 1, [PAGER_PATH]: 2 });
        expect(pd!.receiver.requests).toHaveLength(4);
        expect(pd!.receiver.on("/alphaChat")[0].json?.subject).toContain("e2e-ownerspd-alpha");
        expect(pd!.receiver.on("/critical")[0].json?.subject).toContain("e2e-ownerspd-unowned");
        const byKey = Object.fromEntries(pd!.receiver.on(PAGER_PATH).map((r) => [String(r.json?.routing_key), r.json?.payload]));
        expect(routingKeys().sort()).toEqual([KEY.alpha, `${KEY.stack}-critical-service-events-v2`].sort());
        expect(JSON.stringify(byKey[KEY.alpha])).toContain("e2e-ownerspd-alpha");
        expect(JSON.stringify(byKey[`${KEY.stack}-critical-service-events-v2`])).toContain("e2e-ownerspd-unowned");
    });
});

describe("an owner's late and stuck runs on the real server", () => {
    // Owner routing for lateRuns and stuckRuns: one automation per owner on its owner:<team> tag, the default owner
    // taking the route's. Per owner: one run that never starts (Late, no worker) and one left Running past a 15 s
    // window (set by the API as a worker would; nothing ends it until this file does). Each owner's receiver gets
    // exactly its late warning and its stuck alert; nothing crosses over.
    const LS_STACK = "ownerslate";
    const LS_TAG = "ownerslate-e2e";
    const LS_SEEDS = [
        { key: "ls-alpha", flow: "e2e-ownerslate-alpha", tags: ["owner:alpha"], owner: "alpha" },
        { key: "ls-unowned", flow: "e2e-ownerslate-unowned", tags: [LS_TAG], owner: "platform" },
    ] as const;
    let ls: OwnStack | undefined;
    const lsDeployments: string[] = [];
    const running: string[] = [];

    beforeAll(async () => {
        const ids = new Map<string, string>();
        for (const s of LS_SEEDS) {
            const flow = await post(apiUrl, "/flows/", { name: s.flow });
            const d = await post(apiUrl, "/deployments/", { name: `${s.key}-deployment`, flow_id: flow.id, tags: [...s.tags] });
            lsDeployments.push(d.id);
            ids.set(s.key, d.id);
        }
        ls = await applyOwnStack({
            stack: LS_STACK,
            channels: {
                alpha: { type: "webhook", description: "alpha's chat" },
                platform: { type: "webhook", description: "the platform team's chat" },
            },
            routes: { lsRoute: { tags: [LS_TAG] } },
            sections: {
                lateRuns: { enabled: true, channels: ["platform"], repeatMinutes: 60 },
                stuckRuns: { enabled: true, channels: ["platform"], stuckAfterMinutes: 0.25 },
                owners: { alpha: { channels: ["alpha"] }, platform: { channels: ["platform"] } },
                defaultOwner: "platform",
            },
        });
        const scheduled = new Date(Date.now() - 60_000).toISOString();
        for (const s of LS_SEEDS) {
            await post(apiUrl, `/deployments/${ids.get(s.key)}/create_flow_run`, {
                state: { type: "SCHEDULED", name: "Scheduled", state_details: { scheduled_time: scheduled } },
            });
            const run = await post(apiUrl, `/deployments/${ids.get(s.key)}/create_flow_run`, {});
            await setState(run.id, "PENDING", "Pending");
            await setState(run.id, "RUNNING", "Running");
            running.push(run.id);
        }
        await ls.receiver.waitFor(() => ls!.receiver.requests, 4, 120_000, "a late warning and a stuck alert per owner");
        await sleep(SETTLE_MS);
    }, 360_000);

    afterAll(async () => {
        for (const id of running)
            await post(apiUrl, `/flow_runs/${id}/set_state`, { state: { type: "COMPLETED", name: "Completed" }, force: true }).catch(
                () => undefined,
            );
        await ls?.cleanup();
        for (const id of lsDeployments) await prefectRequest(apiUrl, "DELETE", `/deployments/${id}`).catch(() => undefined);
    }, 120_000);

    it("plans a late and a stuck automation for the route and for each owner", () => {
        const names = ls!.applied.automations.map((a) => a.name).sort();
        for (const n of ["late-runs-lsRoute", "late-runs-owner-alpha", "late-runs-owner-platform", "stuck-running-owner-alpha"])
            expect(names).toContain(n);
    });

    it("each owner's receiver gets exactly its late warning and its stuck alert, nothing else", () => {
        const at = (team: string, text: string) => ls!.receiver.on(`/${team}`, text);
        expect({
            alphaLate: at("alpha", "Late run").length,
            alphaStuck: at("alpha", "Stuck run").length,
            platformLate: at("platform", "Late run").length,
            platformStuck: at("platform", "Stuck run").length,
        }).toEqual({ alphaLate: 1, alphaStuck: 1, platformLate: 1, platformStuck: 1 });
        expect(ls!.receiver.requests).toHaveLength(4);
        for (const s of LS_SEEDS) {
            const mine = ls!.receiver.on(`/${s.owner}`);
            expect(
                mine.every((m) => String(m.json?.subject).includes(s.flow)),
                s.key,
            ).toBe(true);
        }
    });
});
