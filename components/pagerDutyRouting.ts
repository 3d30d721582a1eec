import * as pulumi from "@pulumi/pulumi";
import * as pagerduty from "@pulumi/pagerduty";
import { EVENTS_V2 } from "../prefect/vocabulary";
import type { Responder } from "../rules/escalation";
import { PagerDutyPlan, PagerDutyService, Schedule, membershipKey } from "../rules/pagerDuty";

const USER_ID = /^P[A-Z0-9]{5,13}$/;

/**
 * The PagerDuty side of a plan (rules/pagerDuty.ts): schedule, ladders,
 * services with their Events API v2 integrations, and the optional team. The
 * integration keys (secret) feed the Prefect pager-duty-webhook blocks.
 */
export class PagerDutyRouting extends pulumi.ComponentResource {
    /** Events API v2 routing keys; secret. */
    readonly integrationKeys: Record<PagerDutyService, pulumi.Output<string>>;
    readonly serviceIds: Record<PagerDutyService, pulumi.Output<string>>;
    readonly escalationPolicyIds: Record<PagerDutyService, pulumi.Output<string>>;
    readonly scheduleId: pulumi.Output<string>;
    /** The teams' own on-call schedules, by team (owners.<team>.onCall). */
    readonly teamScheduleIds: Record<string, pulumi.Output<string>>;

    constructor(name: string, plan: PagerDutyPlan, opts?: pulumi.ComponentResourceOptions) {
        super("alerting:index:PagerDutyRouting", name, {}, opts);
        const userIds = new Map<string, pulumi.Output<string>>();
        const userId = (user: string): pulumi.Output<string> => {
            if (!userIds.has(user))
                userIds.set(user, USER_ID.test(user) ? pulumi.output(user) : pagerduty.getUserOutput({ email: user }, { parent: this }).id);
            return userIds.get(user)!;
        };

        const team = plan.team ? new pagerduty.Team("team", { name: plan.team.name }, { parent: this }) : undefined;
        plan.team?.members.forEach(({ user, role }, i) => {
            // Named by user; the alias adopts a membership created when names were list positions.
            new pagerduty.TeamMembership(
                membershipKey(user),
                { teamId: team!.id, userId: userId(user), role },
                { parent: this, aliases: [{ name: `team-member-${i}` }] },
            );
        });

        const newSchedule = (key: string, s: Schedule) =>
            new pagerduty.Schedule(
                key,
                {
                    name: s.name,
                    timeZone: s.timeZone,
                    teams: team ? [team.id] : undefined,
                    layers: [{ ...s.layer, users: s.users.map(userId) }],
                },
                { parent: this },
            );
        const schedule = newSchedule("on-call", plan.schedule);
        this.scheduleId = schedule.id;
        // Each team's own rotation, by team (a ladder names the team whose rotation it pages first).
        const teamSchedules = new Map((plan.teamSchedules ?? []).map((s) => [s.team, newSchedule(s.key, s)]));
        this.teamScheduleIds = Object.fromEntries([...teamSchedules].map(([t, s]) => [t, s.id]));

        const scheduleOf = (r: { team?: string }) => (r.team === undefined ? schedule : teamSchedules.get(r.team)!);
        const target = (r: Responder) =>
            r.kind === "schedule" ? { type: "schedule_reference", id: scheduleOf(r).id } : { type: "user_reference", id: userId(r.user) };
        const policies = Object.fromEntries(
            plan.escalationPolicies.map((p) => [
                p.service,
                new pagerduty.EscalationPolicy(
                    p.key,
                    {
                        name: p.name,
                        description: p.description,
                        numLoops: p.ladder.loops,
                        teams: team?.id,
                        rules: p.ladder.rules.map((rule) => ({
                            escalationDelayInMinutes: rule.delayMinutes,
                            targets: rule.targets.map(target),
                        })),
                    },
                    { parent: this },
                ),
            ]),
        ) as Record<PagerDutyService, pagerduty.EscalationPolicy>;

        const keys = {} as Record<PagerDutyService, pulumi.Output<string>>;
        const serviceIds = {} as Record<PagerDutyService, pulumi.Output<string>>;
        for (const s of plan.services) {
            const svc = new pagerduty.Service(
                s.key,
                {
                    name: s.name,
                    description: s.description,
                    escalationPolicy: policies[s.service].id,
                    // PagerDuty retired "create_incidents", still the default (and the field not deprecated) in
                    // @pulumi/pagerduty 3.4.0; newer providers deprecate the field and store this value regardless.
                    alertCreation: "create_alerts_and_incidents",
                    autoResolveTimeout: s.autoResolveTimeout,
                    alertGroupingParameters: s.alertGrouping && {
                        type: s.alertGrouping.type,
                        config: { aggregate: s.alertGrouping.aggregate, fields: s.alertGrouping.fields },
                    },
                    acknowledgementTimeout: "null",
                    incidentUrgencyRule: { type: "constant", urgency: "high" },
                },
                { parent: this },
            );
            const integration = new pagerduty.ServiceIntegration(
                `${s.key}-events-v2`,
                { name: s.integrationName, service: svc.id, type: EVENTS_V2 },
                { parent: this, additionalSecretOutputs: ["integrationKey"] },
            );
            keys[s.service] = pulumi.secret(integration.integrationKey);
            serviceIds[s.service] = svc.id;
        }

        for (const w of plan.maintenanceWindows)
            new pagerduty.MaintenanceWindow(
                w.key,
                { description: w.description, startTime: w.startTime, endTime: w.endTime, services: w.services.map((s) => serviceIds[s]) },
                // PagerDuty moves a start in the past to the moment of creation; once a refresh (drift detection) reads that back,
                // the provider (start_time forces a new window) would replace the window on each update while it is on.
                // The resource name carries both times, so a start changed in config is a new window anyway.
                { parent: this, ignoreChanges: ["startTime"] },
            );

        this.integrationKeys = keys;
        this.serviceIds = serviceIds;
        this.escalationPolicyIds = Object.fromEntries(Object.entries(policies).map(([service, p]) => [service, p.id])) as Record<
            PagerDutyService,
            pulumi.Output<string>
        >;
        this.registerOutputs({ serviceIds: this.serviceIds, escalationPolicyIds: this.escalationPolicyIds, scheduleId: this.scheduleId });
    }
}
