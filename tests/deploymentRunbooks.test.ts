import { describe, expect, it } from "vitest";
import { aboutRuns, deploymentRunbookSetup, withRunbook } from "../alert/runbook";
import { SAMPLE_CONTEXT, renderSample } from "../alert/templates";
import { blockKitBody } from "../channels/blockKit";
import { plainText } from "../channels/email";
import { pagerDutyEventBody } from "../channels/pagerDutyEvent";
import { teamsCardTemplate, teamsMarkdown } from "../channels/teams";
import { parseStackConfig } from "../config/load";
import { deploymentRunbooksProblem } from "../config/owners";
import { planAlerting } from "../rules/plan";
import { finalFailureMessage } from "../signals/finalFailure";
import { workPoolNotReadyTrigger } from "../signals/workPoolNotReady";
import { editKey, stackConfig } from "./helpers/stacks";

/**
 * Runbooks per deployment (issue 18, "most specific wins"): one automation watches many deployments and Prefect
 * renders its message on the server, so the runbook is chosen in the template. Each message kind is rendered with the
 * preview's renderer for a run whose deployment has a runbook, one that takes the fallback, and names with template
 * syntax in them.
 */

const UI = "https://prefect.example.com";
const FLOW = SAMPLE_CONTEXT.flow.name;
const DEPLOYMENT = SAMPLE_CONTEXT.deployment.name;
const OWN = "https://wiki.example.com/runbooks/exchange-rates";
const BY_NAME = "https://wiki.example.com/runbooks/by-name";
const FALLBACK = "https://wiki.example.com/runbooks/data-eng";
/** A deployment name that is legal in Prefect (no / % & < >) and full of template syntax. */
const WEIRD = `{{ flow_run.name }} "q" 'x' \\ {# c #} }}`;
const WEIRD_BOOK = "https://wiki.example.com/runbooks/weird";

const TABLE = { [`${FLOW}/${DEPLOYMENT}`]: OWN, "other-deployment": BY_NAME, [WEIRD]: WEIRD_BOOK };
const withDeployment = (name: string | undefined, flow = FLOW) => ({
    ...SAMPLE_CONTEXT,
    flow: { ...SAMPLE_CONTEXT.flow, name: flow },
    deployment: name === undefined ? undefined : { ...SAMPLE_CONTEXT.deployment, name },
});

/** The runbook each message kind shows for a run of `context`, or undefined when it shows none. */
function shown(fallback: string | undefined, context: Record<string, unknown>) {
    const m = withRunbook(finalFailureMessage(false), fallback, TABLE);
    const slack = JSON.parse(renderSample(blockKitBody(m, "ctx"), UI, context));
    const slackButtons = slack.blocks.find((b: any) => b.type === "actions")?.elements ?? [];
    const event = JSON.parse(
        `{"routing_key":"k",${renderSample(pagerDutyEventBody(m, { stack: "s", signal: "x", tier: "critical" }), UI, context)}}`,
    );
    const teams = JSON.parse(renderSample(teamsCardTemplate(m), UI, context)).attachments[0].content;
    const webhook = renderSample(m.body, UI, context);
    const email = renderSample(plainText(m.body), UI, context);
    return {
        slack: slackButtons.find((e: any) => e.text.text === "Open the runbook")?.url,
        slackRunButton: slackButtons.some((e: any) => e.text.text === "Open the flow run in Prefect"),
        pagerDuty: (event.links ?? []).find((l: any) => l.text === "Open the runbook")?.href,
        pagerDutyRunLink: (event.links ?? []).some((l: any) => l.text === "Open the flow run in Prefect"),
        teams: teams.actions?.[0]?.url,
        teamsText: /\[open the runbook\]\(([^)]+)\)/.exec(teams.body[1].text)?.[1],
        webhook: /\*Runbook\*: <([^|]+)\|open the runbook>/.exec(webhook)?.[1],
        email: /open the runbook \((\S+)\)/.exec(email)?.[1],
        webhookLastLine: webhook.split("\n").at(-1),
    };
}

const everywhere = (url: string) => ({ slack: url, pagerDuty: url, teams: url, teamsText: url, webhook: url, email: url });

describe("a runbook per deployment, chosen when Prefect renders the message", () => {
    it('"<flow>/<deployment>" wins over the fallback, in every message kind, next to the run\'s own link', () => {
        const s = shown(FALLBACK, withDeployment(DEPLOYMENT));
        expect(s).toMatchObject({ ...everywhere(OWN), slackRunButton: true, pagerDutyRunLink: true });
    });

    it('"<deployment>" names every deployment of that name, whatever its flow', () => {
        expect(shown(FALLBACK, withDeployment("other-deployment", "any-flow"))).toMatchObject(everywhere(BY_NAME));
    });

    it("a deployment without one takes the owner's or route's runbook", () => {
        expect(shown(FALLBACK, withDeployment("unlisted"))).toMatchObject(everywhere(FALLBACK));
        // The same deployment name under another flow is another deployment: "<flow>/<deployment>" does not match it.
        expect(shown(FALLBACK, withDeployment(DEPLOYMENT, "another-flow"))).toMatchObject(everywhere(FALLBACK));
        // An event without a deployment (or a flow) renders the fallback, not "undefined/undefined".
        expect(shown(FALLBACK, withDeployment(undefined))).toMatchObject(everywhere(FALLBACK));
    });

    it("no fallback and no runbook for the deployment: no button, no link, no line, and the JSON stays valid", () => {
        const s = shown(undefined, withDeployment("unlisted"));
        expect(s).toEqual({
            slack: undefined,
            slackRunButton: true,
            pagerDuty: undefined,
            pagerDutyRunLink: true,
            teams: undefined,
            teamsText: undefined,
            webhook: undefined,
            email: undefined,
            webhookLastLine: expect.stringContaining("*Next*"),
        });
        // Without the run's link either (ui_url renders "None"): no actions block, no links at all.
        const m = withRunbook(finalFailureMessage(false), undefined, TABLE);
        const bare = { ...withDeployment("unlisted"), flow_run: undefined };
        const slack = JSON.parse(renderSample(blockKitBody(m, "ctx"), "", bare));
        expect(slack.blocks.some((b: any) => b.type === "actions")).toBe(false);
        const event = JSON.parse(`{${renderSample(pagerDutyEventBody(m, { stack: "s", signal: "x", tier: "critical" }), "", bare)}}`);
        expect(event.links).toBeUndefined();
    });

    it("a deployment name with template syntax is only a key: it matches itself, and a run named like its text does not", () => {
        expect(shown(FALLBACK, withDeployment(WEIRD))).toMatchObject(everywhere(WEIRD_BOOK));
        // {{ flow_run.name }} in the key is not rendered: a deployment named like the sample run's name is not it.
        expect(shown(FALLBACK, withDeployment(`${SAMPLE_CONTEXT.flow_run.name} "q" 'x' \\ {# c #} }}`))).toMatchObject(
            everywhere(FALLBACK),
        );
        // Names go into the statement as JSON string literals, never as template text.
        expect(deploymentRunbookSetup({ [WEIRD]: WEIRD_BOOK }, undefined)).toContain(JSON.stringify(WEIRD));
    });

    it("Teams keeps converting the body's markup around the table; the table is set before the card reads it", () => {
        const m = withRunbook(finalFailureMessage(false), FALLBACK, TABLE);
        expect(teamsMarkdown(m.body)).toContain("{% if runbook_url %}\n\n**Runbook**: [open the runbook]({{ runbook_url }}){% endif %}");
        expect(teamsCardTemplate(m).startsWith("{% set runbooks = ")).toBe(true);
    });

    it("no per-deployment runbooks: the message is exactly as before (a literal runbook, or none)", () => {
        const plain = finalFailureMessage(false);
        expect(withRunbook(plain, FALLBACK, {})).toEqual(withRunbook(plain, FALLBACK));
        expect(withRunbook(plain, undefined, {})).toEqual(plain);
    });
});

describe("runbooks.deployments in the plan", () => {
    const stack = (deployments: Record<string, string>) =>
        parseStackConfig(
            editKey(
                editKey(stackConfig("prod"), "runbooks", () => ({ deployments })),
                "owners",
                () => ({ "data-eng": { channels: ["alerts"], runbook: FALLBACK } }),
            ),
        );

    it("the automations on runs carry the table with their own runbook as fallback; a work pool's does not", () => {
        const plan = planAlerting(stack({ [`${FLOW}/${DEPLOYMENT}`]: OWN }));
        const owned = plan.automations.find((a) => a.key === "warning-owner-data-eng")!;
        expect(owned.actions[0].body).toContain(`{% set runbooks = {"${FLOW}/${DEPLOYMENT}":"${OWN}"} %}`);
        expect(owned.actions[0].body).toContain(`or "${FALLBACK}" %}`);
        // The stack's route has no runbook and there is no default owner: the fallback is "" (no link).
        expect(plan.automations.find((a) => a.key === "warning-dlt")!.actions[0].body).toContain(
            'or runbooks[(deployment.name | string)] or "" %}',
        );
        const pools = plan.automations.filter((a) => !aboutRuns(a.trigger));
        expect(pools.length).toBeGreaterThan(0);
        for (const a of pools) for (const action of a.actions) expect(action.body).not.toContain("runbooks");
    });

    it("a flow-run or deployment trigger is about runs; a work pool's is not", () => {
        expect(aboutRuns(workPoolNotReadyTrigger(["default-work-pool"]))).toBe(false);
        expect(aboutRuns(planAlerting(stack({})).automations.find((a) => a.key === "warning-dlt")!.trigger)).toBe(true);
    });

    it("refuses keys that name no deployment Prefect can have, with the key it most likely means", () => {
        const p = (key: string) => deploymentRunbooksProblem({ [key]: OWN });
        expect(p("flow/deployment")).toBeUndefined();
        expect(p("deployment")).toBeUndefined();
        expect(p("orders / nightly")?.expected).toMatch(/\(did you mean "orders\/nightly"\?\)$/);
        expect(p(" orders")?.expected).toMatch(/\(did you mean "orders"\?\)$/);
        expect(p("a/b/c")?.expected).toMatch(/inside a name\)$/);
        expect(p("/orders")?.expected).toMatch(/\(did you mean "orders"\?\)$/);
        expect(p("orders%daily")?.expected).toMatch(/inside a name\)$/);
        expect(p("orders//nightly")?.path).toEqual(["runbooks", "deployments", "orders//nightly"]);
    });
});
