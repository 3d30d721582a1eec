import type { MaintenanceWindow, PagerDutyConfig } from "../config/model";
import { ownerService } from "../alert/owners";
import { detailKey } from "../channels/pagerDutyEvent";
import { Ladder, criticalLadder, p1Ladder, scheduleLayer } from "./escalation";
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
    schedule: { name: string; timeZone: string; layer: ReturnType<typeof scheduleLayer> & { name: string }; users: string[] };
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

/** The stack's two services, or a team's own (`owner:<team>`, config `owners.<team>.pagerDutyService`). */
export type PagerDutyService = "critical" | "p1" | `owner:${string}`;

/** A team with a PagerDuty service of its own: its pages go to its on-call, on the stack's critical ladder. */
export interface OwnerService {
    team: string;
    /** The service's name, qualified by the stack. */
    name: string;
}

export function planPagerDuty(
    pd: PagerDutyConfig,
    stack: string,
    maintenance: MaintenanceWindow[] = [],
    owners: OwnerService[] = [],
): PagerDutyPlan {
    const members = [...new Set([...pd.schedule.users, pd.teamLead, pd.manager])];
    const managed = `Managed by the prefect-alerting Pulumi program, stack ${stack}.`;
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
        escalationPolicies: [
            {
                key: "critical-escalation",
                service: "critical",
                name: `Data pipelines critical (${stack})`,
                description: managed,
                ladder: criticalLadder(pd),
            },
            { key: "p1-escalation", service: "p1", name: `Data pipelines P1 (${stack})`, description: managed, ladder: p1Ladder(pd) },
            // A team's own service climbs the stack's critical ladder (its on-call rotation, then the lead, the manager).
            ...owners.map((o) => ({
                key: `owner-${o.team}-escalation`,
                service: ownerService(o.team),
                name: `${o.name} escalation`,
                description: `${managed} Pages of owner ${o.team}.`,
                ladder: criticalLadder(pd),
            })),
        ],
        services: (
            [
                ["critical", pd.serviceName, "critical-service"],
                ["p1", pd.p1ServiceName, "p1-service"],
                ...owners.map((o) => [ownerService(o.team), o.name, `owner-${o.team}-service`] as const),
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
