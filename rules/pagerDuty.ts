import type { MaintenanceWindow, PagerDutyConfig } from "../config/model";
import type { OwnerOnCall } from "../alert/model";
import { ownerService } from "../alert/owners";
import { detailKey } from "../channels/pagerDutyEvent";
import { ownerPagerDutyKey } from "../prefect/vocabulary";
import { Ladder, criticalLadder, p1Ladder, scheduleLayer, teamLadder } from "./escalation";
import { MaintenanceWindowPlan, planMaintenanceWindows } from "./quiet";

/**
 * The PagerDuty side as plain data: an on-call schedule, the critical ladder
 * and the P1 (immediate) ladder, one service each with an Events API v2
 * integration whose routing key feeds the Prefect blocks, and an optional team.
 * Names are explicit (the provider would add a random suffix) and already
 * qualified by the stack (config). Resource keys come from content, never from
 * list positions, so reordering users replaces nothing.
 */
export interface PagerDutyPlan {
    stack: string;
    team?: { name: string; members: { user: string; role: "manager" | "responder" }[] };
    schedule: Schedule;
    /** The teams' own rotations (owners.<team>.onCall), each the first level of its team's ladder; absent when none has one. */
    teamSchedules?: (Schedule & { key: string; team: string })[];
    escalationPolicies: { key: string; service: PagerDutyService; name: string; description: string; ladder: Ladder }[];
    services: {
        key: string;
        service: PagerDutyService;
        name: string;
        description: string;
        /** Seconds as PagerDuty's API takes them, or "null" for off. */
        autoResolveTimeout: string;
        /** Content-based alert grouping: alerts with the same values in these event fields join one incident. */
        alertGrouping?: { type: "content_based"; aggregate: "all"; fields: string[] };
        integrationName: string;
    }[];
    /** Maintenance windows over some of the services: no incidents are created on them while a window is on. */
    maintenanceWindows: MaintenanceWindowPlan[];
}

export interface Schedule {
    name: string;
    timeZone: string;
    layer: ReturnType<typeof scheduleLayer> & { name: string };
    users: string[];
}

/** The stack's two services, or a team's own (`owner:<team>`, config `owners.<team>.pagerDutyService`). */
export type PagerDutyService = "critical" | "p1" | `owner:${string}`;

/**
 * A team with a PagerDuty service of its own. Without an on-call of its own its ladder is the stack's critical one
 * (the stack's rotation first); with one, the same shape with the team's rotation and lead (rules/escalation.ts).
 */
export interface OwnerService {
    team: string;
    /** The service's name, qualified by the stack. */
    name: string;
    onCall?: OwnerOnCall;
}

export function planPagerDuty(
    pd: PagerDutyConfig,
    stack: string,
    maintenance: MaintenanceWindow[] = [],
    owners: OwnerService[] = [],
): PagerDutyPlan {
    const members = [...new Set([...pd.schedule.users, pd.teamLead, pd.manager])];
    const managed = `Managed by the prefect-alerting Pulumi program, stack ${stack}.`;
    // A team's rotation turns like the stack's (same start, turn length and time zone): only the people differ.
    const teamSchedules = owners.flatMap((o) =>
        o.onCall
            ? [
                  {
                      key: ownerPagerDutyKey(o.team, "on-call"),
                      team: o.team,
                      name: o.onCall.scheduleName,
                      timeZone: pd.schedule.timeZone,
                      layer: { name: "Primary rotation", ...scheduleLayer(pd) },
                      users: o.onCall.users,
                  },
              ]
            : [],
    );
    return {
        stack,
        team: pd.teamName
            ? {
                  name: pd.teamName,
                  members: members.map((user) => ({ user, role: user === pd.manager || user === pd.teamLead ? "manager" : "responder" })),
              }
            : undefined,
        schedule: {
            name: pd.schedule.name,
            timeZone: pd.schedule.timeZone,
            layer: { name: "Primary rotation", ...scheduleLayer(pd) },
            users: pd.schedule.users,
        },
        ...(teamSchedules.length ? { teamSchedules } : {}),
        escalationPolicies: [
            {
                key: "critical-escalation",
                service: "critical",
                name: `Data pipelines critical (${stack})`,
                description: managed,
                ladder: criticalLadder(pd),
            },
            { key: "p1-escalation", service: "p1", name: `Data pipelines P1 (${stack})`, description: managed, ladder: p1Ladder(pd) },
            // A team's own service climbs the stack's critical ladder, or the same ladder over the team's own rotation.
            ...owners.map((o) => ({
                key: ownerPagerDutyKey(o.team, "escalation"),
                service: ownerService(o.team),
                name: `${o.name} escalation`,
                description: `${managed} Pages of owner ${o.team}.`,
                ladder: o.onCall ? teamLadder(pd, o.team, o.onCall.lead) : criticalLadder(pd),
            })),
        ],
        services: (
            [
                ["critical", pd.serviceName, "critical-service"],
                ["p1", pd.p1ServiceName, "p1-service"],
                ...owners.map((o) => [ownerService(o.team), o.name, ownerPagerDutyKey(o.team, "service")] as const),
            ] as const
        ).map(([service, name, key]) => ({
            key,
            service,
            name,
            description: `Prefect pipeline alerts (stack ${stack}).`,
            // Nothing resolves these incidents automatically unless configured: Prefect's block never sends a resolve event.
            autoResolveTimeout: pd.autoResolveTimeoutHours ? String(pd.autoResolveTimeoutHours * 3600) : "null",
            integrationName: "Prefect automations (Events API v2)",
            // One incident per flow: the events' custom_details carry the flow's name (channels/pagerDutyEvent.ts).
            alertGrouping: pd.alertGrouping
                ? { type: "content_based", aggregate: "all", fields: [`custom_details.${detailKey("Flow")}`] }
                : undefined,
        })),
        maintenanceWindows: planMaintenanceWindows(maintenance),
    };
}

/** Resource name of a team membership: the user, so reordering the list changes nothing. */
export const membershipKey = (user: string) => `team-member-${user}`;
