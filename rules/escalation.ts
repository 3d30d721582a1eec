import type { PagerDutyConfig } from "../config/model";

/** A schedule is the stack's on-call, or a team's own (`team`: the owner whose rotation it is). */
export type Responder = { kind: "schedule"; team?: string } | { kind: "user"; user: string; role: "team lead" | "manager" };

export interface EscalationRule {
    /** Minutes this level has to acknowledge before PagerDuty escalates to the next one. */
    delayMinutes: number;
    targets: Responder[];
}

export interface Ladder {
    rules: EscalationRule[];
    /** Times PagerDuty repeats the ladder when nobody acknowledges. */
    loops: number;
}

const ON_CALL: Responder = { kind: "schedule" };

/**
 * The seed's ladder for the critical tier: Slack at once (the Prefect
 * automation), PagerDuty pages the on-call engineer; unacknowledged, the
 * team lead is paged, then the manager. Each delay is the time a level has
 * to acknowledge, counted from the previous escalation (PagerDuty's own rule).
 */
export function criticalLadder(pd: PagerDutyConfig): Ladder {
    const { onCallAckMinutes, teamLeadAckMinutes, managerAckMinutes, repeat } = pd.escalation;
    return {
        rules: [
            { delayMinutes: onCallAckMinutes, targets: [ON_CALL] },
            { delayMinutes: teamLeadAckMinutes, targets: [{ kind: "user", user: pd.teamLead, role: "team lead" }] },
            { delayMinutes: managerAckMinutes, targets: [{ kind: "user", user: pd.manager, role: "manager" }] },
        ],
        loops: repeat,
    };
}

/**
 * A team's ladder when it has an on-call of its own (owners.<team>.onCall): the critical ladder's shape, delays and
 * repeats, with the team's rotation first, then its lead (the stack's when it names none), then the stack's manager.
 */
export function teamLadder(pd: PagerDutyConfig, team: string, lead?: string): Ladder {
    const [onCall, second, third] = criticalLadder(pd).rules;
    return {
        rules: [
            { ...onCall, targets: [{ kind: "schedule", team }] },
            { ...second, targets: [{ kind: "user", user: lead ?? pd.teamLead, role: "team lead" }] },
            third,
        ],
        loops: pd.escalation.repeat,
    };
}

/** P1 escalates immediately: on-call engineer and team lead together, the manager minutes later. */
export function p1Ladder(pd: PagerDutyConfig): Ladder {
    const { p1AckMinutes, repeat } = pd.escalation;
    return {
        rules: [
            { delayMinutes: p1AckMinutes, targets: [ON_CALL, { kind: "user", user: pd.teamLead, role: "team lead" }] },
            { delayMinutes: p1AckMinutes, targets: [{ kind: "user", user: pd.manager, role: "manager" }] },
        ],
        loops: repeat,
    };
}

/** "paged at 0 min: on-call engineer; 30 min: team lead; 60 min: manager". */
export function describeLadder(ladder: Ladder): string {
    let at = 0;
    const steps = ladder.rules.map((rule) => {
        const who = rule.targets
            .map((t) => (t.kind === "schedule" ? (t.team ? `on-call engineer of ${t.team}` : "on-call engineer") : `${t.role} ${t.user}`))
            .join(" + ");
        const step = `${at} min: ${who}`;
        at += rule.delayMinutes;
        return step;
    });
    return `${steps.join("; ")}; unacknowledged, the ladder repeats ${ladder.loops} time(s)`;
}

/** The schedule's single rotation layer. */
export function scheduleLayer(pd: PagerDutyConfig) {
    return {
        start: pd.schedule.rotationStart,
        rotationVirtualStart: pd.schedule.rotationStart,
        rotationTurnLengthSeconds: pd.schedule.turnLengthHours * 3600,
    };
}
