import * as pulumi from "@pulumi/pulumi";
import * as pagerduty from "@pulumi/pagerduty";
import type { PagerDutyConfig } from "../config/load";
import { Ladder, Responder, criticalLadder, p1Ladder, scheduleLayer } from "../rules/escalation";

export interface PagerDutyRoutingArgs {
    stack: string;
    config: PagerDutyConfig;
}

const USER_ID = /^P[A-Z0-9]{5,13}$/;

/**
 * The PagerDuty side: an on-call schedule, the critical ladder and the P1
 * (immediate) ladder, one service each, and an Events API v2 integration per
 * service whose routing key feeds the Prefect pager-duty-webhook blocks
 * directly. Every resource is named explicitly (the provider would otherwise
 * add a random suffix).
 */
export class PagerDutyRouting extends pulumi.ComponentResource {
    /** Events API v2 routing keys; secret. */
    readonly integrationKeys: { critical: pulumi.Output<string>; p1: pulumi.Output<string> };
    readonly serviceIds: { critical: pulumi.Output<string>; p1: pulumi.Output<string> };
    readonly escalationPolicyIds: { critical: pulumi.Output<string>; p1: pulumi.Output<string> };
    readonly scheduleId: pulumi.Output<string>;

    constructor(name: string, args: PagerDutyRoutingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("alerting:index:PagerDutyRouting", name, {}, opts);
        const pd = args.config;
        const userIds = new Map<string, pulumi.Output<string>>();
        const userId = (user: string): pulumi.Output<string> => {
            if (!userIds.has(user)) {
                userIds.set(
                    user,
                    USER_ID.test(user) ? pulumi.output(user) : pagerduty.getUserOutput({ email: user }, { parent: this }).id,
                );
            }
            return userIds.get(user)!;
        };

        const team = pd.teamName ? new pagerduty.Team("team", { name: pd.teamName }, { parent: this }) : undefined;
        const teams = team ? [team.id] : undefined;
        if (team) {
            const members = new Set([...pd.schedule.users, pd.teamLead, pd.manager]);
            [...members].forEach((user, i) => {
                new pagerduty.TeamMembership(
                    `team-member-${i}`,
                    { teamId: team.id, userId: userId(user), role: user === pd.manager || user === pd.teamLead ? "manager" : "responder" },
                    { parent: this },
                );
            });
        }

        const schedule = new pagerduty.Schedule(
            "on-call",
            {
                name: pd.schedule.name, // stack-qualified by the config (stackQualified)
                timeZone: pd.schedule.timeZone,
                teams,
                layers: [{ name: "Primary rotation", ...scheduleLayer(pd), users: pd.schedule.users.map(userId) }],
            },
            { parent: this },
        );
        this.scheduleId = schedule.id;

        const target = (r: Responder) =>
            r.kind === "schedule"
                ? { type: "schedule_reference", id: schedule.id }
                : { type: "user_reference", id: userId(r.user) };
        const policy = (key: string, title: string, ladder: Ladder) =>
            new pagerduty.EscalationPolicy(
                key,
                {
                    name: `${title} (${args.stack})`,
                    description: `Managed by the prefect-alerting Pulumi program, stack ${args.stack}.`,
                    numLoops: ladder.loops,
                    teams: team?.id,
                    rules: ladder.rules.map((rule) => ({ escalationDelayInMinutes: rule.delayMinutes, targets: rule.targets.map(target) })),
                },
                { parent: this },
            );
        const service = (key: string, serviceName: string, escalation: pagerduty.EscalationPolicy) => {
            const svc = new pagerduty.Service(
                key,
                {
                    name: serviceName,
                    description: `Prefect pipeline alerts (stack ${args.stack}).`,
                    escalationPolicy: escalation.id,
                    // PagerDuty retired "create_incidents", still the default (and the field not deprecated) in
                    // @pulumi/pagerduty 3.4.0; newer providers deprecate the field and store this value regardless.
                    alertCreation: "create_alerts_and_incidents",
                    // Nothing resolves these incidents automatically: Prefect's block never sends a resolve event.
                    autoResolveTimeout: pd.autoResolveTimeoutHours ? String(pd.autoResolveTimeoutHours * 3600) : "null",
                    acknowledgementTimeout: "null",
                    incidentUrgencyRule: { type: "constant", urgency: "high" },
                },
                { parent: this },
            );
            const integration = new pagerduty.ServiceIntegration(
                `${key}-events-v2`,
                { name: "Prefect automations (Events API v2)", service: svc.id, type: "events_api_v2_inbound_integration" },
                { parent: this, additionalSecretOutputs: ["integrationKey"] },
            );
            return { svc, key: pulumi.secret(integration.integrationKey) };
        };

        const criticalPolicy = policy("critical-escalation", "Data pipelines critical", criticalLadder(pd));
        const p1Policy = policy("p1-escalation", "Data pipelines P1", p1Ladder(pd));
        const critical = service("critical-service", pd.serviceName, criticalPolicy);
        const p1 = service("p1-service", pd.p1ServiceName, p1Policy);

        this.integrationKeys = { critical: critical.key, p1: p1.key };
        this.serviceIds = { critical: critical.svc.id, p1: p1.svc.id };
        this.escalationPolicyIds = { critical: criticalPolicy.id, p1: p1Policy.id };
        this.registerOutputs({ serviceIds: this.serviceIds, escalationPolicyIds: this.escalationPolicyIds, scheduleId: this.scheduleId });
    }
}
