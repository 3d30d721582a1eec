import { randomUUID } from "node:crypto";

/**
 * The PagerDuty section of an e2e stack that pages: a one-person rotation and a ladder of made-up users. Nothing reaches
 * PagerDuty (no network here): the program plans the services under mocks, and the blocks post to the loopback receiver.
 */
export const E2E_PAGER_DUTY = {
    enabled: true,
    schedule: { rotationStart: "2026-01-05T09:00:00Z", users: ["oncall@example.com"] },
    teamLead: "lead@example.com",
    manager: "manager@example.com",
} as const;

/** A made-up PagerDuty REST token (the provider's config secret), new per stack so no two stacks share one. */
export const fakePagerDutyToken = (): Record<string, string> => ({ "pagerduty:token": `e2e-fake-token-${randomUUID()}` });
