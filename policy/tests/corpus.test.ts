import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { policies } from "../policies";
import { EngineResource, RunOptions, UNKNOWN_STRING, policyNames, runPolicies } from "./helpers/crossguard";
import { Baseline, DLT, SLACK_URL, TYPES, automation, baseline, block, eventOf, replace, resource, secret } from "./helpers/fixtures";
import { deploymentCases } from "./helpers/deployFixtures";

/**
 * The corpus: crafted violations, each reported by the policy meant to
 * catch it. Every case states the exact set of policies that report (so a
 * policy that fires where it should not fails the case too). Cases marked
 * `erratum` reproduce the seed document's Terraform mistakes
 * (shared/reference/prefect.md §6), translated to the bridged provider's shape.
 */

interface Case {
    name: string;
    erratum?: number;
    build: (b: Baseline) => EngineResource[];
    options?: RunOptions;
    reports: string[];
}

/** The baseline's alerts block turned into a custom-webhook block with this data. */
const asCustomWebhook = (b: Baseline, data: Record<string, unknown>) =>
    replace(b.resources, b.alerts, (p) => {
        p.typeSlug = "custom-webhook";
        p.data = secret(JSON.stringify(data));
    });
/** A mute timer as the program makes it: Proactive on an event nobody emits; one resume action (with `resume`); pauses itself. */
const muteTimer = (b: Baseline, resume: Record<string, unknown>, dependsOn: string[]): EngineResource => {
    const timer = automation({
        key: "mute-timer-20260502T060000Z-0a1b2c3d",
        parentType: "alerting:index:MuteTimers",
        event: {
            posture: "Proactive",
            match: JSON.stringify({ "prefect.resource.id": "prefect-alerting.mute-timer.corpus" }),
            matchRelated: "{}",
            expects: ["prefect-alerting.mute-timer.never"],
            within: 3600,
        },
        actions: [{ type: "resume-automation", source: "selected", ...resume }],
    });
    const onTrigger = { actionsOnTriggers: [{ type: "pause-automation", source: "inferred" }] };
    timer.inputs = { ...(timer.inputs as Record<string, unknown>), ...onTrigger };
    timer.outputs = { ...timer.outputs, ...onTrigger };
    timer.propertyDependencies = dependsOn.length ? { actions: dependsOn } : {};
    return timer;
};
const setEvent = (b: Baseline, target: EngineResource, edit: (event: Record<string, any>) => void) =>
    replace(b.resources, target, (p) => edit(eventOf(p)));

/** The stack's automations (named "[corpus] ..."), the brackets literal for fnmatch, as signals/deliveryFailure.ts writes it. */
const META_MATCH = { "prefect.resource.id": "prefect.automation.*", "prefect.resource.name": "[[]corpus] *" };
/** The warning automation turned into an alert about alerting: Prefect's action.failed for automations matching `match`. */
const asMeta = (b: Baseline, name: string, match: Record<string, string>) =>
    replace(b.resources, b.warning, (p) => {
        p.name = name;
        Object.assign(eventOf(p), {
            match: JSON.stringify(match),
            matchRelated: "{}",
            expects: ["prefect.automation.action.failed"],
            forEaches: ["prefect.resource.id"],
            within: 300,
        });
    });

/** A body with a runbook link as the program writes one into a PagerDuty event: a literal href among the links. */
const RUNBOOK_BODY = `{"event_action":"trigger","links":[{"href":"https://wiki.example.com/runbooks/data-eng","text":"Open the runbook"}]`;
/**
 * A body whose runbook is chosen per deployment when Prefect renders it (alert/runbook.ts): a lookup table, then the
 * owner's or route's runbook as the fallback ("" when there is none: some runs get no link).
 */
const renderTimeRunbookBody = (fallback: string) =>
    `{% set runbooks = {"orders/nightly":"https://wiki.example.com/runbooks/orders"} %}{% set runbook_url = ` +
    `runbooks[(flow.name | string) ~ "/" ~ (deployment.name | string)] or runbooks[(deployment.name | string)] or "${fallback}" %}` +
    `{"event_action":"trigger"{% if runbook_url %},"links":[{"href":{{ (runbook_url) | tojson }},"text":"Open the runbook"}]{% endif %}`;
/** An automation on a team's runs (the related tag prefect.tag.owner:<team>), as alert/owners.ts plans one. */
const ownerAutomation = (key: string, team: string, notify: EngineResource[], event: Record<string, unknown> = {}, body?: string) =>
    automation({
        key,
        parentType: event.threshold ? "alerting:index:CriticalTier" : "alerting:index:WarningTier",
        notify,
        ...(body ? { body } : {}),
        event: {
            matchRelated: JSON.stringify({ "prefect.resource.role": "tag", "prefect.resource.id": `prefect.tag.owner:${team}` }),
            ...(event.threshold ? { forEaches: ["related:flow:prefect.resource.id"] } : {}),
            ...event,
        },
    });
/** The baseline's own pages (critical-dlt, p1) with a runbook link. */
const withRunbooks = (b: Baseline, resources: EngineResource[]) =>
    [b.criticalAutomation, b.p1].reduce(
        (rs, target) =>
            replace(rs, target, (p) => {
                p.actions = p.actions.map((a: Record<string, unknown>) => ({ ...a, body: RUNBOOK_BODY }));
            }),
        resources,
    );

/** A production team page whose runbook Prefect chooses per deployment, with `fallback` for the runs it does not name. */
const teamPageWithRenderTimeRunbook = (b: Baseline, fallback: string) =>
    withRunbooks(b, [
        ...b.resources,
        ownerAutomation(
            "critical-owner-data-eng",
            "data-eng",
            [b.critical, b.pager],
            { threshold: 3, within: 86400 },
            renderTimeRunbookBody(fallback),
        ),
    ]);

/**
 * A team's own PagerDuty service as the program makes one (owners.<team>.pagerDutyService): service, ladder, Events API v2
 * integration, the block that pages it and the team's critical automation (with a runbook), and with `onCall` the
 * team's own schedule, first on its ladder.
 */
function teamPager(team: string, onCall: boolean): EngineResource[] {
    const schedule = resource(TYPES.pdSchedule, `owner-${team}-on-call`, { name: `${team} On-Call (corpus)`, timeZone: "Europe/London" });
    const ladder = resource(TYPES.pdEscalationPolicy, `owner-${team}-escalation`, {
        name: `${team} (corpus) escalation`,
        numLoops: 2,
        rules: [
            { escalationDelayInMinutes: 15, targets: [{ type: "schedule_reference", id: onCall ? `${schedule.name}-id` : "on-call-id" }] },
            { escalationDelayInMinutes: 30, targets: [{ type: "user_reference", id: "PLEAD01" }] },
        ],
    });
    const service = resource(TYPES.pdService, `owner-${team}-service`, {
        name: `${team} (corpus)`,
        escalationPolicy: `${ladder.name}-id`,
        alertCreation: "create_alerts_and_incidents",
        autoResolveTimeout: "14400",
        acknowledgementTimeout: "null",
    });
    const key = `R0UTINGKEY${team.toUpperCase().replace(/-/g, "")}`.padEnd(32, "0");
    const integration = resource(
        TYPES.pdIntegration,
        `owner-${team}-service-events-v2`,
        { name: "Prefect automations (Events API v2)", service: `${service.name}-id`, type: "events_api_v2_inbound_integration" },
        { opts: { additionalSecretOutputs: ["integrationKey"] }, outputs: { integrationKey: secret(key) } },
    );
    const pager = block(
        `pagerOwner-${team}`,
        "pager-duty-webhook",
        { integration_key: key, api_key: "pd-api-key", notify_type: "failure" },
        { propertyDependencies: { data: [integration.urn] } },
    );
    const critical = ownerAutomation(`critical-owner-${team}`, team, [pager], { threshold: 3, within: 86400 }, RUNBOOK_BODY);
    return [...(onCall ? [schedule] : []), ladder, service, integration, pager, critical];
}

// The seed's failure automation and blocks, as literally as the provider's shape allows.
const SEED_TEMPLATE = [
    ":x: *Pipeline Failed*",
    "",
    "*Flow*: {{ flow.name }}",
    "*Deployment*: {{ deployment.name }}",
    "*Run ID*: {{ flow_run.id }}",
    "*State*: {{ flow_run.state.name }}",
    "*Error*: {{ flow_run.state.message }}",
    "",
    "<{{ flow_run_url }}|View in Prefect Cloud>",
].join("\n");
const SEED_MATCH_RELATED = { "prefect.resource.role": "flow-run", "prefect.tag": "dlt" };

function seedStack(): EngineResource[] {
    const slack = block("alerts", "slack-webhook", { url: SLACK_URL });
    const pagerduty = block("data-pipelines", "pager-duty-webhook", { integration_key: "YOUR_INTEGRATION_KEY", api_key: "your-api-key" });
    const seedTrigger = (extra: Record<string, unknown>) => ({
        type: "event",
        posture: "Reactive",
        expect: ["prefect.flow-run.Failed", "prefect.flow-run.Crashed"],
        match_related: SEED_MATCH_RELATED,
        ...extra,
    });
    const failure = automation({
        key: "dlt_failure_alert",
        notify: [slack],
        trigger: seedTrigger({}),
        actions: [
            { type: "send-notification", blockId: "block-alerts-id", subject: "Pipeline Failed: {{ flow.name }}", body: SEED_TEMPLATE },
        ],
    });
    const critical = automation({
        key: "dlt_critical_alert",
        notify: [pagerduty],
        trigger: seedTrigger({ threshold: 3, within: 86400 }),
        actions: [
            {
                type: "send-notification",
                blockId: "block-data-pipelines-id",
                subject: "CRITICAL: {{ flow.name }} failed 3 times",
                body: "Flow {{ flow.name }} has failed 3 times in 24 hours. State: {{ flow_run.state.message }}",
            },
        ],
    });
    return [slack, pagerduty, failure, critical];
}

const cases: Case[] = [
    // --- The seed's errata, one at a time on an otherwise sound stack.
    {
        name: 'trigger = { type = "event", ... } with the event fields flat under trigger',
        erratum: 1,
        build: (b) =>
            replace(b.resources, b.warning, (p) => {
                p.trigger = { type: "event", ...p.trigger.event };
            }),
        reports: ["automation-trigger-shape"],
    },
    {
        name: "match_related written as a map, not a JSON string",
        erratum: 2,
        build: (b) => setEvent(b, b.warning, (e) => (e.matchRelated = JSON.parse(DLT))),
        reports: ["automation-labels-are-json"],
    },
    {
        name: 'match_related on role "flow-run" with a "prefect.tag" label',
        erratum: 3,
        build: (b) => setEvent(b, b.warning, (e) => (e.matchRelated = JSON.stringify(SEED_MATCH_RELATED))),
        reports: ["match-related-real-resources"],
    },
    {
        name: "block_id instead of block_document_id",
        erratum: 4,
        build: (b) =>
            replace(b.resources, b.warning, (p) => {
                p.actions = p.actions.map(({ blockDocumentId, ...a }: Record<string, unknown>) => ({ ...a, blockId: blockDocumentId }));
            }),
        reports: ["automation-notifies-stack-block", "notification-action-shape"],
    },
    {
        name: "{{ flow_run_url }} in the message",
        erratum: 5,
        build: (b) => replace(b.resources, b.warning, (p) => (p.actions[0].body = SEED_TEMPLATE)),
        reports: ["message-templates-known-names"],
    },
    {
        name: "threshold 3 within 24 h without for_each on the related flow",
        erratum: 6,
        build: (b) => setEvent(b, b.criticalAutomation, (e) => (e.forEaches = [])),
        reports: ["repeated-failure-per-flow"],
    },
    {
        name: "PagerDuty integration key copied by hand into the block",
        erratum: 7,
        build: (b) =>
            replace(
                b.resources,
                b.pager,
                (p) => (p.data = secret(JSON.stringify({ integration_key: "YOUR_INTEGRATION_KEY", api_key: "pd-api-key" }))),
                {
                    propertyDependencies: {},
                },
            ),
        reports: ["pagerduty-key-from-integration", "pagerduty-services-paged"],
    },
    {
        name: "expect Failed and Crashed only (no TimedOut)",
        erratum: 8,
        build: (b) => setEvent(b, b.warning, (e) => (e.expects = ["prefect.flow-run.Failed", "prefect.flow-run.Crashed"])),
        reports: ["failure-alerts-cover-final-states"],
    },
    {
        name: "the seed's two automations and two blocks, whole",
        erratum: 0,
        build: () => seedStack(),
        reports: [
            "automation-labels-are-json",
            "automation-notifies-stack-block",
            "automation-trigger-shape",
            "failure-alerts-cover-final-states",
            "match-related-real-resources",
            "message-templates-known-names",
            "notification-action-shape",
            "pagerduty-key-from-integration",
            "repeated-failure-per-flow",
            // The failure automation leaves threshold and within to the server (an inconsistent result after apply).
            "trigger-threshold-within-set",
        ],
    },

    // --- automation-trigger-shape
    {
        name: 'posture "reactive" (lower case)',
        build: (b) => setEvent(b, b.warning, (e) => (e.posture = "reactive")),
        reports: ["automation-trigger-shape"],
    },
    {
        name: "a trigger holding both event and compound",
        build: (b) => replace(b.resources, b.warning, (p) => (p.trigger.compound = { require: "any", within: 60, triggers: [] })),
        reports: ["automation-trigger-shape"],
    },
    {
        name: "no trigger at all",
        build: (b) => replace(b.resources, b.warning, (p) => delete p.trigger),
        reports: ["automation-trigger-shape"],
    },
    {
        name: "a critical threshold of 2.5 (set, but not a whole number)",
        build: (b) => setEvent(b, b.criticalAutomation, (e) => (e.threshold = 2.5)),
        reports: ["automation-trigger-shape"],
    },
    // --- trigger-threshold-within-set
    {
        name: "a warning trigger that leaves threshold to the server",
        build: (b) => setEvent(b, b.warning, (e) => delete e.threshold),
        reports: ["trigger-threshold-within-set"],
    },
    {
        name: "a critical trigger whose within is null",
        build: (b) => setEvent(b, b.criticalAutomation, (e) => (e.within = null)),
        reports: ["repeated-failure-per-flow", "trigger-threshold-within-set"],
    },
    {
        name: "a Proactive trigger that leaves within to the server",
        build: (b) => setEvent(b, b.p1, (e) => delete e.within),
        reports: ["proactive-within-minimum", "trigger-threshold-within-set"],
    },
    {
        name: "a compound trigger whose second event leaves threshold and within unset",
        build: (b) =>
            replace(b.resources, b.warning, (p) => {
                const { threshold: _t, within: _w, ...loose } = p.trigger.event;
                p.trigger = { compound: { require: "all", within: 3600, triggers: [{ event: p.trigger.event }, { event: loose }] } };
            }),
        reports: ["trigger-threshold-within-set"],
    },
    {
        name: "a compound trigger whose events set threshold and within",
        build: (b) =>
            replace(b.resources, b.warning, (p) => {
                p.trigger = {
                    compound: {
                        require: "any",
                        within: 3600,
                        triggers: [
                            { event: p.trigger.event },
                            { event: { ...p.trigger.event, threshold: 2, within: 600, forEaches: ["related:flow:prefect.resource.id"] } },
                        ],
                    },
                };
            }),
        reports: [],
    },
    {
        name: "a sequence trigger whose first event leaves within unset",
        build: (b) =>
            replace(b.resources, b.warning, (p) => {
                const { within: _w, ...loose } = p.trigger.event;
                p.trigger = { sequence: { within: 3600, triggers: [{ event: loose }, { event: p.trigger.event }] } };
            }),
        reports: ["trigger-threshold-within-set"],
    },
    // --- automation-labels-are-json
    {
        name: "match that is not JSON",
        build: (b) => setEvent(b, b.warning, (e) => (e.match = "prefect.resource.id=prefect.flow-run.*")),
        reports: ["automation-labels-are-json"],
    },
    {
        name: "a label whose value is a number",
        build: (b) =>
            setEvent(
                b,
                b.warning,
                (e) => (e.match = JSON.stringify({ "prefect.resource.id": "prefect.flow-run.*", "prefect.run-count": 3 })),
            ),
        reports: ["automation-labels-are-json"],
    },
    // --- match-related-real-resources
    {
        name: 'role "tag" with a bare tag name as the id',
        build: (b) =>
            setEvent(
                b,
                b.warning,
                (e) => (e.matchRelated = JSON.stringify({ "prefect.resource.role": "tag", "prefect.resource.id": "dlt" })),
            ),
        reports: ["match-related-real-resources"],
    },
    {
        name: "a prefect.tag label in the primary match",
        build: (b) =>
            setEvent(
                b,
                b.warning,
                (e) => (e.match = JSON.stringify({ "prefect.resource.id": "prefect.flow-run.*", "prefect.tag": "dlt" })),
            ),
        reports: ["match-related-real-resources"],
    },
    {
        name: "a tag id without the tag role",
        build: (b) => setEvent(b, b.warning, (e) => (e.matchRelated = JSON.stringify({ "prefect.resource.id": "prefect.tag.dlt" }))),
        reports: ["match-related-real-resources"],
    },
    // --- failure-alerts-cover-final-states
    {
        name: "critical tier on Failed only",
        build: (b) => setEvent(b, b.criticalAutomation, (e) => (e.expects = ["prefect.flow-run.Failed"])),
        reports: ["failure-alerts-cover-final-states"],
    },
    // --- repeated-failure-per-flow
    {
        name: "repeated failures bucketed per flow run (each run fails once: never fires)",
        build: (b) => setEvent(b, b.criticalAutomation, (e) => (e.forEaches = ["prefect.resource.id"])),
        reports: ["repeated-failure-per-flow"],
    },
    {
        name: "threshold 3 with within 0",
        build: (b) => setEvent(b, b.criticalAutomation, (e) => (e.within = 0)),
        reports: ["repeated-failure-per-flow"],
    },
    {
        name: "per-deployment bucketing accepted once configured",
        build: (b) => setEvent(b, b.criticalAutomation, (e) => (e.forEaches = ["related:deployment:prefect.resource.id"])),
        options: {
            config: {
                "repeated-failure-per-flow": {
                    bucketLabels: ["related:flow:prefect.resource.id", "related:deployment:prefect.resource.id"],
                },
            },
        },
        reports: [],
    },
    // --- proactive-within-minimum
    {
        name: "Proactive within 5 s",
        build: (b) => setEvent(b, b.p1, (e) => (e.within = 5)),
        reports: ["proactive-within-minimum"],
    },
    {
        name: "Proactive within 0 (the server stores 10 s: an inconsistent result after apply)",
        build: (b) => setEvent(b, b.p1, (e) => (e.within = 0)),
        reports: ["proactive-within-minimum"],
    },
    {
        name: "Proactive within exactly 10 s",
        build: (b) => setEvent(b, b.p1, (e) => (e.within = 10)),
        reports: [],
    },
    {
        name: "Proactive 6 h window under a configured 12 h minimum",
        build: (b) => b.resources,
        options: { config: { "proactive-within-minimum": { minimumWithinSeconds: 43200 } } },
        reports: ["proactive-within-minimum"],
    },
    // --- automation-expects-events
    {
        name: "empty expects",
        build: (b) => setEvent(b, b.warning, (e) => (e.expects = [])),
        reports: ["automation-expects-events"],
    },
    {
        name: 'expects "prefect.*" on any resource (hears its own prefect.automation.* events)',
        build: (b) =>
            setEvent(b, b.warning, (e) => {
                e.expects = ["prefect.*"];
                e.match = "{}";
            }),
        reports: ["automation-expects-events"],
    },
    {
        name: 'expects "prefect.*" of flow runs only (match prefect.flow-run.*): never its own events',
        build: (b) => setEvent(b, b.warning, (e) => (e.expects = ["prefect.*"])),
        reports: [],
    },
    {
        name: "alerts about alerting: action.failed of the stack's automations ([corpus] *), its own name outside the pattern",
        build: (b) => asMeta(b, "alerting-meta (corpus): alert delivery failed", META_MATCH),
        reports: [],
    },
    {
        name: "alerts about alerting named like the automations it watches: hears its own action.failed",
        build: (b) => asMeta(b, "[corpus] alert delivery failed", META_MATCH),
        reports: ["automation-expects-events"],
    },
    {
        name: "alerts about alerting on every automation (prefect.resource.name *): hears its own action.failed",
        build: (b) => asMeta(b, "alerting-meta (corpus): alert delivery failed", { ...META_MATCH, "prefect.resource.name": "*" }),
        reports: ["automation-expects-events"],
    },
    {
        name: "alerts about alerting filtered by resource id only (prefect.automation.*): hears its own action.failed",
        build: (b) => asMeta(b, "alerting-meta (corpus): alert delivery failed", { "prefect.resource.id": "prefect.automation.*" }),
        reports: ["automation-expects-events"],
    },
    {
        name: "alerts about alerting excluding itself by a negated name (!alerting-meta*)",
        build: (b) => asMeta(b, "alerting-meta (corpus): alert delivery failed", { "prefect.resource.name": "!alerting-meta*" }),
        reports: [],
    },
    {
        name: "alerts about alerting whose bracketed stack name is unescaped ([corpus] * is a character class): hears itself",
        build: (b) => asMeta(b, "c alert delivery failed", { "prefect.resource.name": "[corpus] *" }),
        reports: ["automation-expects-events"],
    },
    // --- known-flow-run-states
    {
        name: "prefect.flow-run.failed in lower case",
        build: (b) =>
            setEvent(
                b,
                b.warning,
                (e) => (e.expects = ["prefect.flow-run.failed", "prefect.flow-run.Crashed", "prefect.flow-run.TimedOut"]),
            ),
        reports: ["failure-alerts-cover-final-states", "known-flow-run-states"],
    },
    // --- notification-action-shape
    {
        name: "an action without a body",
        build: (b) => replace(b.resources, b.warning, (p) => delete p.actions[0].body),
        reports: ["notification-action-shape"],
    },
    {
        name: "an automation without actions",
        build: (b) => replace(b.resources, b.warning, (p) => (p.actions = []), { propertyDependencies: {} }),
        reports: ["automation-notifies-stack-block", "notification-action-shape"],
    },
    // --- message-templates-known-names
    {
        name: "a misspelt filter ({{ flow_run|uiurl }})",
        build: (b) => replace(b.resources, b.warning, (p) => (p.actions[0].body = "<{{ flow_run|uiurl }}|run>")),
        reports: ["message-templates-known-names"],
    },
    // --- automation-enabled
    {
        name: "a disabled warning automation",
        build: (b) => replace(b.resources, b.warning, (p) => (p.enabled = false)),
        reports: ["automation-enabled"],
    },
    // --- block-data-secret
    {
        name: "a block registered without data as a secret output (a hand-written SDK twin)",
        build: (b) => b.resources.map((r) => (r.urn === b.alerts.urn ? { ...r, opts: { additionalSecretOutputs: [] } } : r)),
        reports: ["block-data-secret"],
    },
    // --- notification-block-data
    {
        name: "a Slack block whose url is not a Slack incoming webhook",
        build: (b) => replace(b.resources, b.alerts, (p) => (p.data = secret(JSON.stringify({ url: "https://example.com/hook" })))),
        reports: ["notification-block-data"],
    },
    {
        name: 'a PagerDuty block whose api_key is the seed\'s default ""',
        build: (b) =>
            replace(
                b.resources,
                b.pager,
                (p) => (p.data = secret(JSON.stringify({ integration_key: "R0UTINGKEY0000000000000000000000", api_key: "" }))),
            ),
        reports: ["notification-block-data"],
    },
    // --- webhook-url-in-secrets
    {
        name: "a custom-webhook block with its URL in the plain url field",
        build: (b) => asCustomWebhook(b, { url: "https://hooks.example.com/T0/alerts", json_data: { text: "{{body}}" } }),
        reports: ["webhook-url-in-secrets"],
    },
    {
        name: "a custom-webhook block whose url names a secret it does not have",
        build: (b) => asCustomWebhook(b, { url: "{{webhook_url}}", secrets: { other: "x" } }),
        reports: ["webhook-url-in-secrets"],
    },
    {
        name: "a custom-webhook block whose url names its secret: passes",
        build: (b) => asCustomWebhook(b, { url: "{{webhook_url}}", secrets: { webhook_url: "https://hooks.example.com/T0" } }),
        reports: [],
    },
    // --- automation-notifies-stack-block
    {
        name: "an action pointing at a block id this stack does not manage",
        build: (b) =>
            replace(b.resources, b.warning, (p) => (p.actions[0].blockDocumentId = "6f1c2d3e-0000-4000-8000-00000000beef"), {
                propertyDependencies: {},
            }),
        reports: ["automation-notifies-stack-block"],
    },
    {
        name: "a mute timer (the program's mute.<route>.until): resumes this stack's muted automation, pauses itself; passes",
        build: (b) => [...b.resources, muteTimer(b, { automationId: "warning-dlt-id" }, [b.warning.urn])],
        reports: [],
    },
    {
        name: "a mute timer resuming an automation id this stack does not manage",
        build: (b) => [...b.resources, muteTimer(b, { automationId: "6f1c2d3e-0000-4000-8000-00000000beef" }, [])],
        reports: ["automation-notifies-stack-block"],
    },
    {
        name: "a mute timer whose resume action names no automation",
        build: (b) => [...b.resources, muteTimer(b, { source: "selected" }, [])],
        reports: ["automation-notifies-stack-block"],
    },
    // --- pagerduty-key-from-integration
    {
        name: "a PagerDuty block in a stack without any service integration",
        build: (b) => b.resources.filter((r) => r.urn !== b.integration.urn),
        reports: ["pagerduty-key-from-integration", "pagerduty-services-paged"],
    },
    // --- pagerduty-services-paged
    {
        name: "a PagerDuty service that no tier pages (critical and P1 post to Slack only)",
        build: (b) => {
            const slackOnly = (p: Record<string, any>) => (p.actions = p.actions.slice(0, 1));
            const resources = replace(b.resources, b.criticalAutomation, slackOnly, {
                propertyDependencies: { actions: [b.critical.urn] },
            });
            return replace(resources, b.p1, slackOnly, { propertyDependencies: { actions: [b.critical.urn] } });
        },
        reports: ["pagerduty-services-paged"],
    },
    // --- production-pages-on-call
    {
        name: "stack tagged environment=production whose critical tier only posts to Slack",
        build: (b) =>
            replace(b.resources, b.criticalAutomation, (p) => (p.actions = p.actions.slice(0, 1)), {
                propertyDependencies: { actions: [b.critical.urn] },
            }),
        options: { stackTags: { environment: "production" } },
        reports: ["production-pages-on-call"],
    },
    {
        name: "the same stack when it is not production",
        build: (b) =>
            replace(b.resources, b.criticalAutomation, (p) => (p.actions = p.actions.slice(0, 1)), {
                propertyDependencies: { actions: [b.critical.urn] },
            }),
        options: { stackTags: { environment: "development" } },
        reports: [],
    },
    {
        name: "a production stack (policy config) with no critical tier",
        build: (b) => b.resources.filter((r) => r.urn !== b.criticalAutomation.urn),
        options: { config: { "production-pages-on-call": { production: true } } },
        reports: ["production-pages-on-call"],
    },
    {
        name: "a production stack (by stack name) whose critical automation is disabled",
        build: (b) =>
            replace(b.resources, b.criticalAutomation, (p) => (p.enabled = false)).map((r) => ({
                ...r,
                urn: r.urn.replace(`:corpus::`, ":prod::"),
            })),
        reports: ["automation-enabled", "production-pages-on-call", "production-mute-has-until"],
    },
    // --- production-owner-paged, production-page-has-runbook (owners and runbooks)
    {
        name: "a production stack where a team's runs alert (owner tag) but no critical automation on its tag pages",
        build: (b) => [...b.resources, ownerAutomation("warning-owner-data-eng", "data-eng", [b.alerts])],
        options: { stackTags: { environment: "production" } },
        // Owners adopted: the pages without a runbook (critical-dlt, p1) are advised too.
        reports: ["production-owner-paged", "production-page-has-runbook"],
    },
    {
        name: "a production stack where each team is paged by its own critical automation, every page with a runbook",
        build: (b) =>
            withRunbooks(b, [
                ...b.resources,
                ownerAutomation("warning-owner-data-eng", "data-eng", [b.alerts]),
                ownerAutomation(
                    "critical-owner-data-eng",
                    "data-eng",
                    [b.critical, b.pager],
                    { threshold: 3, within: 86400 },
                    RUNBOOK_BODY,
                ),
            ]),
        options: { stackTags: { environment: "production" } },
        reports: [],
    },
    {
        name: "a production stack where a team is paged without a runbook",
        build: (b) =>
            withRunbooks(b, [
                ...b.resources,
                ownerAutomation("critical-owner-data-eng", "data-eng", [b.critical, b.pager], { threshold: 3, within: 86400 }),
            ]),
        options: { stackTags: { environment: "production" } },
        reports: ["production-page-has-runbook"],
    },
    {
        name: "a production stack whose team page chooses its runbook per deployment, the team's runbook as fallback",
        build: (b) => teamPageWithRenderTimeRunbook(b, "https://wiki.example.com/runbooks/data-eng"),
        options: { stackTags: { environment: "production" } },
        reports: [],
    },
    {
        name: "a production stack whose team page has runbooks for some deployments only (no fallback)",
        build: (b) => teamPageWithRenderTimeRunbook(b, ""),
        options: { stackTags: { environment: "production" } },
        reports: ["production-page-has-runbook"],
    },
    // --- production-owner-own-on-call
    {
        name: "a production stack where a team's own PagerDuty service has no on-call of its own (the stack's rotation is paged)",
        build: (b) => withRunbooks(b, [...b.resources, ...teamPager("data-eng", true), ...teamPager("platform", false)]),
        options: { stackTags: { environment: "production" } },
        reports: ["production-owner-own-on-call"],
    },
    {
        name: "a production stack where each team's own PagerDuty service pages the team's own rotation",
        build: (b) => withRunbooks(b, [...b.resources, ...teamPager("data-eng", true), ...teamPager("platform", true)]),
        options: { stackTags: { environment: "production" } },
        reports: [],
    },
    {
        name: "a team's own PagerDuty service on the stack's rotation when the stack is not production",
        build: (b) => withRunbooks(b, [...b.resources, ...teamPager("platform", false)]),
        options: { stackTags: { environment: "development" } },
        reports: [],
    },
    {
        name: "a team's runs alerting nobody's pager when the stack is not production",
        build: (b) => [...b.resources, ownerAutomation("warning-owner-data-eng", "data-eng", [b.alerts])],
        options: { stackTags: { environment: "development" } },
        reports: [],
    },
    // --- production-mute-has-until (and the dated mute the program writes, which the paging policies accept)
    {
        name: "a production stack whose critical and P1 automations are muted until a date (mute.<route>)",
        build: (b) =>
            [b.criticalAutomation, b.p1].reduce(
                (resources, target) =>
                    replace(resources, target, (p) => {
                        p.enabled = false;
                        p.description = `Muted until 2026-05-02T06:00:00+01:00: warehouse migration. ${p.description}`;
                    }),
                b.resources,
            ),
        options: { stackTags: { environment: "production" } },
        reports: ["automation-enabled"],
    },
    {
        name: "a production stack with a warning automation disabled and no Muted until in its description",
        build: (b) => replace(b.resources, b.warning, (p) => (p.enabled = false)),
        options: { stackTags: { environment: "production" } },
        reports: ["automation-enabled", "production-mute-has-until"],
    },
    {
        name: "a production stack whose disabled automation says Muted until with no date-time",
        build: (b) =>
            replace(b.resources, b.warning, (p) => {
                p.enabled = false;
                p.description = "Muted until the migration is over: warehouse migration.";
            }),
        options: { config: { "production-mute-has-until": { production: true } } },
        reports: ["automation-enabled", "production-mute-has-until"],
    },
    {
        name: "a production stack with an armed resolve: created disabled, turned on by its alert, off again by itself",
        build: (b) =>
            replace(b.resources, b.warning, (p) => {
                p.enabled = false;
                p.description = `Armed by "[corpus] P1 no successful run" when it fires; turns itself off once it fired. ${p.description}`;
                p.actionsOnTriggers = [{ type: "pause-automation", source: "inferred" }];
            }),
        options: { stackTags: { environment: "production" } },
        reports: [],
    },
    {
        name: "a production stack whose disabled automation says Armed by but never turns itself off (no pause on trigger)",
        build: (b) =>
            replace(b.resources, b.warning, (p) => {
                p.enabled = false;
                p.description = `Armed by "[corpus] P1 no successful run" when it fires. ${p.description}`;
            }),
        options: { stackTags: { environment: "production" } },
        reports: ["automation-enabled", "production-mute-has-until"],
    },
    {
        name: "a disabled automation without Muted until on a stack that is not production",
        build: (b) => replace(b.resources, b.warning, (p) => (p.enabled = false)),
        options: { stackTags: { environment: "development" } },
        reports: ["automation-enabled"],
    },
    // --- production-watchdog (advisory)
    {
        name: "a production stack (stack tag) without a watchdog",
        build: (b) => b.resources.filter((r) => r.urn !== b.watchdog.urn && r.urn !== b.heartbeat.urn),
        options: { stackTags: { environment: "production" } },
        reports: ["production-watchdog"],
    },
    {
        name: "a production stack (policy config) whose watchdog is disabled",
        build: (b) =>
            replace(b.resources, b.watchdog, (p) => {
                p.enabled = false;
                p.description = "Muted until 2026-05-02T06:00:00Z: monitor migration.";
            }),
        options: { config: { "production-watchdog": { production: true } } },
        reports: ["automation-enabled", "production-watchdog"],
    },
    {
        name: "a production stack whose watchdog waits for another event (a freshness-like timer is no watchdog)",
        build: (b) => setEvent(b, b.watchdog, (e) => (e.expects = ["prefect.flow-run.Completed"])),
        options: { stackTags: { environment: "production" } },
        reports: ["production-watchdog"],
    },
    {
        name: "a stack that is not production, without a watchdog",
        build: (b) => b.resources.filter((r) => r.urn !== b.watchdog.urn && r.urn !== b.heartbeat.urn),
        options: { stackTags: { environment: "development" } },
        reports: [],
    },
    // --- success-notices-info-only
    {
        name: "success notices sent to PagerDuty",
        build: (b) =>
            replace(b.resources, b.success, (p) => (p.actions[0].blockDocumentId = "block-pager-id"), {
                propertyDependencies: { actions: [b.pager.urn] },
            }),
        reports: ["success-notices-info-only"],
    },
    {
        name: "success notices sent to the failure-alert channel",
        build: (b) =>
            replace(b.resources, b.success, (p) => (p.actions[0].blockDocumentId = "block-alerts-id"), {
                propertyDependencies: { actions: [b.alerts.urn] },
            }),
        reports: ["success-notices-info-only"],
    },
    // --- pagerduty-explicit-names
    {
        name: "a PagerDuty service left for the provider to name",
        build: (b) => replace(b.resources, b.service, (p) => delete p.name),
        reports: ["pagerduty-explicit-names"],
    },
    {
        name: "a schedule layer without a name",
        build: (b) => replace(b.resources, b.schedule, (p) => delete p.layers[0].name),
        reports: ["pagerduty-explicit-names"],
    },
    // --- pagerduty-alert-creation
    {
        name: "a service that leaves alertCreation to the provider (create_incidents)",
        build: (b) => replace(b.resources, b.service, (p) => delete p.alertCreation),
        reports: ["pagerduty-alert-creation"],
    },
    {
        name: 'a service with alertCreation "create_incidents"',
        build: (b) => replace(b.resources, b.service, (p) => (p.alertCreation = "create_incidents")),
        reports: ["pagerduty-alert-creation"],
    },
    // --- escalation-delay-whole-minutes
    {
        name: "an escalation delay of 1.5 minutes",
        build: (b) => replace(b.resources, b.escalation, (p) => (p.rules[0].escalationDelayInMinutes = 1.5)),
        reports: ["escalation-delay-whole-minutes"],
    },
    {
        name: "an escalation rule without a delay",
        build: (b) => replace(b.resources, b.escalation, (p) => delete p.rules[1].escalationDelayInMinutes),
        reports: ["escalation-delay-whole-minutes"],
    },
    {
        name: "escalation delays of 1 and 1440 whole minutes",
        build: (b) =>
            replace(b.resources, b.escalation, (p) => {
                p.rules[0].escalationDelayInMinutes = 1;
                p.rules[1].escalationDelayInMinutes = 1440;
            }),
        reports: [],
    },
    // --- escalation-policy-levels
    {
        name: "an escalation policy with one level",
        build: (b) => replace(b.resources, b.escalation, (p) => (p.rules = p.rules.slice(0, 1))),
        reports: ["escalation-policy-levels"],
    },
    {
        name: "two levels under a configured minimum of three",
        build: (b) => b.resources,
        options: { config: { "escalation-policy-levels": { minimumLevels: 3 } } },
        reports: ["escalation-policy-levels"],
    },
    {
        name: "an escalation level with no target",
        build: (b) => replace(b.resources, b.escalation, (p) => (p.rules[1].targets = [])),
        reports: ["escalation-policy-levels"],
    },
    // --- pagerduty-integration-key-secret
    {
        name: "an Events API v2 integration without integrationKey as a secret output",
        build: (b) => b.resources.map((r) => (r.urn === b.integration.urn ? { ...r, opts: {} } : r)),
        reports: ["pagerduty-integration-key-secret"],
    },
    // --- pagerduty-auto-resolve
    {
        name: 'a service with autoResolveTimeout "null"',
        build: (b) => replace(b.resources, b.service, (p) => (p.autoResolveTimeout = "null")),
        reports: ["pagerduty-auto-resolve"],
    },
    // --- secrets-manager-value-secret
    {
        name: "a secret version without secretString as a secret output",
        build: (b) => b.resources.map((r) => (r.urn === b.awsSecretVersion.urn ? { ...r, opts: {} } : r)),
        reports: ["secrets-manager-value-secret"],
    },
    // --- secrets-manager-recovery-window
    {
        name: "a mirrored secret with recoveryWindowInDays 0",
        build: (b) => replace(b.resources, b.awsSecret, (p) => (p.recoveryWindowInDays = 0)),
        reports: ["secrets-manager-recovery-window"],
    },

    // --- During preview: values not known yet.
    {
        name: "preview: a new block's id is unknown, the dependency stands in for it",
        build: (b) =>
            replace(b.resources, b.warning, (p) => (p.actions[0].blockDocumentId = UNKNOWN_STRING)).map((r) =>
                r.urn === b.alerts.urn ? { ...r, outputs: { ...(r.outputs as object), id: UNKNOWN_STRING } } : r,
            ),
        reports: [],
    },
    {
        name: "preview: a PagerDuty block's data is unknown until its integration exists",
        build: (b) =>
            b.resources.map((r) =>
                r.urn === b.pager.urn
                    ? {
                          ...r,
                          inputs: { ...(r.inputs as object), data: UNKNOWN_STRING },
                          outputs: { ...(r.outputs as object), data: UNKNOWN_STRING },
                      }
                    : r,
            ),
        reports: [],
    },
    {
        name: "preview: an unknown block id that depends on no block",
        build: (b) => replace(b.resources, b.warning, (p) => (p.actions[0].blockDocumentId = UNKNOWN_STRING), { propertyDependencies: {} }),
        reports: ["automation-notifies-stack-block"],
    },
    // The deploy program's resources (deploy/): policies/deployments.ts.
    ...deploymentCases,
];

const run = (c: Case) => runPolicies(policies, c.build(baseline()), c.options);

describe("the baseline stack", () => {
    it("passes every policy, mandatory and advisory", async () => {
        const result = await run({ name: "baseline", build: (b) => b.resources, reports: [] });
        expect(result.violations).toEqual([]);
    });

    it("passes with CrossGuard's default enforcement when every policy is set mandatory", async () => {
        const config = Object.fromEntries(policies.map((p) => [p.name, { enforcementLevel: "mandatory" }]));
        const result = await runPolicies(policies, baseline().resources, { config });
        expect(result.violations).toEqual([]);
    });
});

describe("crafted violations", () => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", async (_, c) => {
        const result = await run(c);
        expect(policyNames(result.violations)).toEqual([...c.reports].sort());
        for (const v of result.violations) expect(v.message.length).toBeGreaterThan(20);
    });

    it("every policy of the pack reports on at least one of them (none is dead code)", async () => {
        const reported = new Set<string>();
        for (const c of cases) for (const v of (await run(c)).violations) reported.add(v.policy);
        expect(policies.map((p) => p.name).filter((n) => !reported.has(n))).toEqual([]);
    });
});

/** The README's errata table: `| n | mistake | caught by | corpus case |`. */
function errataTable(): { n: number; caughtBy: string[]; corpusCase: string }[] {
    const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## The seed errata"));
    return section
        .split("\n")
        .filter((line) => /^\| \d+ \|/.test(line))
        .map((line) => {
            const [n, , caughtBy, corpusCase] = line.split(" | ").map((c) => c.replace(/^\| |\s*\|$/g, "").trim());
            return {
                n: Number(n),
                caughtBy: [...caughtBy.matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]),
                corpusCase: corpusCase.replace(/^`|`$/g, ""),
            };
        });
}

describe("the seed errata (policy/README.md's table)", () => {
    it("lists errata 1 to 8", () => {
        expect(errataTable().map((r) => r.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    });

    it.each(errataTable().map((r) => [r.n, r] as const))(
        "erratum %i is reported by the policies the table names, on the corpus case it names",
        async (n, row) => {
            const c = cases.find((x) => x.name.startsWith(row.corpusCase));
            expect(c?.erratum, row.corpusCase).toBe(n);
            const reported = policyNames((await run(c!)).violations);
            expect(row.caughtBy.length).toBeGreaterThan(0);
            for (const policy of row.caughtBy) expect(reported).toContain(policy);
        },
    );
});

describe("messages", () => {
    it("never echo a secret read from a block's data", async () => {
        const resources = replace(
            baseline().resources,
            baseline().pager,
            (p) => (p.data = secret(JSON.stringify({ integration_key: "SENTINEL-KEY-0001", api_key: "" }))),
            {
                propertyDependencies: {},
            },
        );
        const result = await runPolicies(policies, resources);
        expect(policyNames(result.violations)).toEqual([
            "notification-block-data",
            "pagerduty-key-from-integration",
            "pagerduty-services-paged",
        ]);
        expect(JSON.stringify(result.violations)).not.toContain("SENTINEL-KEY-0001");
    });

    it("name the seed erratum a violation reintroduces", async () => {
        const result = await runPolicies(policies, seedStack());
        const text = result.violations.map((v) => v.message).join("\n");
        for (const n of [1, 2, 3, 4, 5, 6, 7, 8]) expect(text).toContain(`seed erratum ${n}`);
    });
});
