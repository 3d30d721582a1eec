import type { PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { actionTarget, disabledForGood } from "./wiring";
import {
    automationActions,
    EVENTS_ROUTING_KEY,
    EVENTS_V2,
    isPagerDutyBlock,
    isResolveAction,
    jsonObject,
    known,
    TYPE,
    UNKNOWN,
} from "./resources";

/**
 * Who gets paged: a PagerDuty service whose key no enabled automation sends to
 * pages nobody, so its escalation ladder is decoration. With the program's two
 * services this also catches a tier routed to the other tier's service (the
 * critical tier paging the P1 ladder leaves the critical service unpaged).
 */

const nameOf = (r: PolicyResource) => {
    const n = known(() => r.props.name);
    return typeof n === "string" ? n : r.name;
};

/** The PagerDuty service whose Events API v2 key a pager-duty-webhook block carries, if this stack made it. */
function serviceOfBlock(block: PolicyResource, resources: PolicyResource[]): PolicyResource | undefined {
    const integrations = resources.filter((r) => r.type === TYPE.pdIntegration && known(() => r.props.type) === EVENTS_V2);
    const fromDeps = (block.propertyDependencies?.data ?? []).find((d) => integrations.includes(d));
    const data = known(() => block.props.data);
    const parsed = data === UNKNOWN ? undefined : jsonObject(data);
    const key = parsed?.integration_key ?? jsonObject(parsed?.secrets)?.[EVENTS_ROUTING_KEY];
    const integration = fromDeps ?? integrations.find((i) => typeof key === "string" && known(() => i.props.integrationKey) === key);
    if (!integration) return undefined;
    const services = resources.filter((r) => r.type === TYPE.pdService);
    const byDep = (integration.propertyDependencies?.service ?? []).find((d) => services.includes(d));
    const serviceId = known(() => integration.props.service);
    return byDep ?? services.find((s) => typeof serviceId === "string" && known(() => s.props.id) === serviceId);
}

/**
 * Services each enabled automation sends to, through the blocks its notification actions point at: the ones it
 * pages (`resolves` false), or the ones it sends Events API v2 resolves to (`resolves` true).
 */
function pagedServices(automation: PolicyResource, resources: PolicyResource[], resolves = false): PolicyResource[] {
    // Muted until a date (the program's mute.<route>): it pages this service again when the mute is removed.
    if (disabledForGood(automation)) return [];
    const blocks = automationActions(automation.props)
        .filter(({ action }) => action.type === "send-notification" && isResolveAction(action) === resolves)
        .flatMap(({ action }) => {
            const t = actionTarget(automation, action, resources);
            return t.kind === "block" ? [t.block] : t.kind === "some-of" ? t.blocks : [];
        })
        .filter((b) => isPagerDutyBlock(b));
    return [...new Set(blocks.map((b) => serviceOfBlock(b, resources)).filter((s): s is PolicyResource => s !== undefined))];
}

const automations = (args: StackValidationArgs) => args.resources.filter((r) => r.type === TYPE.automation);

export const pagerDutyServicesPaged: StackValidationPolicy = {
    name: "pagerduty-services-paged",
    description:
        "Every PagerDuty service this stack creates is paged by at least one enabled automation, or one muted until a date " +
        "(through a PagerDuty block carrying its Events API v2 key: the program's custom-webhook or a pager-duty-webhook); " +
        "a service no tier uses means its on-call ladder " +
        "is never reached.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        const paged = new Set(automations(args).flatMap((a) => pagedServices(a, args.resources)));
        for (const service of args.resources.filter((r) => r.type === TYPE.pdService))
            if (!paged.has(service))
                report(
                    `PagerDuty service "${nameOf(service)}" is paged by no enabled automation of this stack: ` +
                        `route a tier to it (a pagerduty channel) or remove it.`,
                    service.urn,
                );
    },
};

export const autoResolveHasPath: StackValidationPolicy = {
    name: "pagerduty-auto-resolve",
    description:
        "A PagerDuty service's incidents resolve without a person: an automation of the stack sends Events API v2 " +
        "resolves to it (the program's auto-resolve), or the service has autoResolveTimeout. Prefect's pager-duty-webhook " +
        "block only ever triggers, so without either every page stays open until someone resolves it by hand.",
    enforcementLevel: "advisory",
    severity: "low",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        const resolved = new Set(automations(args).flatMap((a) => pagedServices(a, args.resources, true)));
        for (const service of args.resources.filter((r) => r.type === TYPE.pdService)) {
            const timeout = known(() => service.props.autoResolveTimeout);
            if (resolved.has(service) || (timeout !== undefined && timeout !== null && timeout !== "null")) continue;
            report(
                `Service "${nameOf(service)}" never auto-resolves, and nothing sends PagerDuty a resolve: ` +
                    `incidents stay open until resolved by hand.`,
                service.urn,
            );
        }
    },
};

export const routingPolicies = [pagerDutyServicesPaged, autoResolveHasPath];
