import { ROUTING_KEY_SECRET } from "../../channels/pagerduty";
import { edit, isType, named, stackSuite } from "./helpers/stackSuite";

const AUTOMATION = "prefect:index/automation:Automation";
const BLOCK = "prefect:index/block:Block";

stackSuite("prod", {
    registers: [
        AUTOMATION,
        BLOCK,
        "pagerduty:index/service:Service",
        "pagerduty:index/serviceIntegration:ServiceIntegration",
        "pagerduty:index/escalationPolicy:EscalationPolicy",
        "pagerduty:index/schedule:Schedule",
        "pagerduty:index/team:Team",
        "aws:secretsmanager/secret:Secret",
        "aws:secretsmanager/secretVersion:SecretVersion",
    ],
    // Prod leaves pagerDuty.autoResolveTimeoutHours unset, but its resolve automations (pagerDuty.autoResolve, on by default)
    // send Events API v2 resolves to both services, so pages close themselves: no pagerduty-auto-resolve advisory.
    // Prod has no watchdog (it needs a check created at an external heartbeat monitor first): the pack advises one.
    advisories: ["production-watchdog"],
    production: true,
    mutations: [
        {
            name: "the critical tier stops paging (Slack only)",
            mutate: (rs) => {
                const pager = rs.find(named(BLOCK, "block-pager"))!;
                return edit(rs, named(AUTOMATION, "critical-dlt"), (p, r) => {
                    p.actions = p.actions.filter((a: { blockDocumentId: string }) => a.blockDocumentId !== "block-pager-id");
                    r.propertyDependencies = { actions: (r.propertyDependencies?.actions ?? []).filter((u) => u !== pager.urn) };
                });
            },
            reports: "production-pages-on-call",
        },
        {
            name: "the PagerDuty block's key is typed in instead of taken from the integration",
            mutate: (rs) =>
                edit(rs, named(BLOCK, "block-pager"), (p, r) => {
                    const data = JSON.parse(p.data.value);
                    p.data.value = JSON.stringify({ ...data, secrets: { ...data.secrets, [ROUTING_KEY_SECRET]: "copied-by-hand" } });
                    r.propertyDependencies = {};
                }),
            reports: "pagerduty-key-from-integration",
        },
        {
            name: "the resolve automations are gone (and no autoResolveTimeout): pages stay open until resolved by hand",
            mutate: (rs) => rs.filter((r) => !(r.type === AUTOMATION && r.name.endsWith("-resolve"))),
            reports: "pagerduty-auto-resolve",
        },
        {
            name: "the critical escalation policy keeps only the on-call level",
            mutate: (rs) =>
                edit(
                    rs,
                    named("pagerduty:index/escalationPolicy:EscalationPolicy", "critical-escalation"),
                    (p) => (p.rules = p.rules.slice(0, 1)),
                ),
            reports: "escalation-policy-levels",
        },
        {
            name: "a service integration loses additionalSecretOutputs",
            mutate: (rs) =>
                edit(
                    rs,
                    isType("pagerduty:index/serviceIntegration:ServiceIntegration"),
                    (_, r) => (r.opts = { ...r.opts, additionalSecretOutputs: [] }),
                ),
            reports: "pagerduty-integration-key-secret",
        },
        {
            name: "the critical trigger drops its per-flow bucket",
            mutate: (rs) => edit(rs, named(AUTOMATION, "critical-dlt"), (p) => (p.trigger.event.forEaches = [])),
            reports: "repeated-failure-per-flow",
        },
        {
            name: "the mirrored secrets are deleted without recovery",
            mutate: (rs) => edit(rs, isType("aws:secretsmanager/secret:Secret"), (p) => (p.recoveryWindowInDays = 0)),
            reports: "secrets-manager-recovery-window",
        },
        {
            name: "a mirrored secret version loses its secret output",
            mutate: (rs) =>
                edit(
                    rs,
                    isType("aws:secretsmanager/secretVersion:SecretVersion"),
                    (_, r) => (r.opts = { ...r.opts, additionalSecretOutputs: [] }),
                ),
            reports: "secrets-manager-value-secret",
        },
        {
            name: "a PagerDuty service leaves alertCreation to the provider (create_incidents)",
            mutate: (rs) => edit(rs, named("pagerduty:index/service:Service", "critical-service"), (p) => delete p.alertCreation),
            reports: "pagerduty-alert-creation",
        },
        {
            name: "the P1 ladder escalates after 1.5 minutes",
            mutate: (rs) =>
                edit(
                    rs,
                    named("pagerduty:index/escalationPolicy:EscalationPolicy", "p1-escalation"),
                    (p) => (p.rules[0].escalationDelayInMinutes = 1.5),
                ),
            reports: "escalation-delay-whole-minutes",
        },
        {
            name: "the critical trigger leaves within to the server",
            mutate: (rs) => edit(rs, named(AUTOMATION, "critical-dlt"), (p) => delete p.trigger.event.within),
            reports: "trigger-threshold-within-set",
        },
        {
            name: "a PagerDuty service loses its name",
            mutate: (rs) => edit(rs, named("pagerduty:index/service:Service", "p1-service"), (p) => delete p.name),
            reports: "pagerduty-explicit-names",
        },
    ],
});
