import type { PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { automationActions, eventTriggers, isPagerDutyBlock, isResolveAction, jsonObject, known, TYPE, UNKNOWN } from "./resources";
import { PRODUCTION_CONFIG_SCHEMA, actionTarget, disabledForGood, isCriticalTier, productionSignal } from "./wiring";
import { ownerPagerDutyKey } from "../vendor/vocabulary";

/**
 * Owners and runbooks (the program's `owners`): a team's runs are the flow runs with the related tag
 * `prefect.tag.owner:<team>`. In production every team that alerts is paged by the critical tier, and a page
 * carries a runbook (a literal link in the PagerDuty event: the run's own link is a template, a runbook is config).
 */

const OWNER_TAG = "prefect.tag.owner:";
const automations = (args: StackValidationArgs) => args.resources.filter((r) => r.type === TYPE.automation);
const label = (r: PolicyResource) => `Automation "${known(() => r.props.name) === UNKNOWN ? r.name : r.props.name}"`;

/** The teams an automation watches: the owner tags among its triggers' related filters (provider shape: a JSON string). */
export function ownersWatched(automation: PolicyResource): string[] {
    const teams = eventTriggers(known(() => automation.props.trigger)).flatMap(({ event }) => {
        const raw = known(() => event.matchRelated);
        const parsed = typeof raw === "string" ? (JSON.parse(raw) as unknown) : raw;
        const filters = (Array.isArray(parsed) ? parsed : [parsed]).map((f) => (typeof f === "string" ? jsonObject(f) : f));
        return filters.flatMap((f) => {
            const id = (f as Record<string, unknown> | undefined)?.["prefect.resource.id"];
            return (Array.isArray(id) ? id : [id]).filter((v): v is string => typeof v === "string" && v.startsWith(OWNER_TAG));
        });
    });
    return [...new Set(teams.map((t) => t.slice(OWNER_TAG.length)))];
}

/** The PagerDuty blocks an automation's notifications reach, by their kind of action (pages, or resolves). */
function pagerDutyActions(automation: PolicyResource, resources: PolicyResource[]): Record<string, any>[] {
    return automationActions(automation.props)
        .map(({ action }) => action)
        .filter((action) => {
            if (action.type !== "send-notification") return false;
            const t = actionTarget(automation, action, resources);
            return t.kind === "block" ? isPagerDutyBlock(t.block) : t.kind === "some-of" && t.blocks.some(isPagerDutyBlock);
        });
}

export const productionOwnerPaged: StackValidationPolicy = {
    name: "production-owner-paged",
    description:
        "In a production stack, every team whose runs alert (an automation on the related tag prefect.tag.owner:<team>) " +
        "has an enabled critical-tier automation on its tag that notifies a PagerDuty block: a team's repeated failures page someone.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: PRODUCTION_CONFIG_SCHEMA,
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        const signal = productionSignal(args);
        if (!signal) return;
        const all = automations(args);
        const teams = [...new Set(all.flatMap(ownersWatched))].sort();
        for (const team of teams) {
            const paged = all.some(
                (a) =>
                    isCriticalTier(a) &&
                    !disabledForGood(a) &&
                    ownersWatched(a).includes(team) &&
                    pagerDutyActions(a, args.resources).some((action) => !isResolveAction(action)),
            );
            if (!paged)
                report(
                    `Owner "${team}" alerts in a production stack (${signal}) but no enabled critical-tier automation on ` +
                        `${OWNER_TAG}${team} notifies a PagerDuty block: its repeated failures page nobody.`,
                );
        }
    },
};

/**
 * A literal http(s) link in a message body: a runbook, as a PagerDuty event's `links` href or a Slack button's url (the
 * run's own link is a template expression). A Slack action counts too: during a preview a block id is unknown and
 * the pack cannot tell which of the stack's blocks an action notifies. With per-deployment runbooks the link is chosen
 * at render time (alert/runbook.ts), and a page has one for every run when the lookup's fallback is a literal URL.
 */
const LITERAL_LINK = /"(?:href|url)":"https?:\/\/|or "https?:\/\/[^"]*" %\}/;

export const productionPageHasRunbook: StackValidationPolicy = {
    name: "production-page-has-runbook",
    description:
        "In a production stack, every page (an enabled automation sending a PagerDuty trigger) links a runbook " +
        "(the program's runbook of its owner, route or default owner): the engineer paged at 3 a.m. knows what to do. " +
        "Judged in stacks that use owners or runbooks (an automation on an owner tag, or a page with a runbook link).",
    enforcementLevel: "advisory",
    severity: "low",
    configSchema: PRODUCTION_CONFIG_SCHEMA,
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        const signal = productionSignal(args);
        if (!signal) return;
        const pages = automations(args)
            .filter((a) => !disabledForGood(a))
            .map((a) => ({ automation: a, actions: pagerDutyActions(a, args.resources).filter((action) => !isResolveAction(action)) }));
        const linked = (action: Record<string, any>) => {
            const body = known(() => action.body);
            return typeof body !== "string" || LITERAL_LINK.test(body);
        };
        // A stack that has not adopted owners or runbooks is not told about each of its pages.
        const adopted = automations(args).some((a) => ownersWatched(a).length > 0) || pages.some((p) => p.actions.some(linked));
        if (!adopted) return;
        for (const { automation, actions } of pages) {
            if (actions.some((action) => !linked(action)))
                report(
                    `${label(automation)} pages in a production stack (${signal}) without a runbook link: ` +
                        "set a runbook on its owner, its route or the default owner.",
                    automation.urn,
                );
        }
    },
};

/** The team whose own PagerDuty service a resource name is (`owner-<team>-service`), or undefined. */
function teamOfService(name: string): string | undefined {
    const team = /^owner-(.+)-service$/.exec(name)?.[1];
    return team !== undefined && ownerPagerDutyKey(team, "service") === name ? team : undefined;
}

export const productionOwnerOwnOnCall: StackValidationPolicy = {
    name: "production-owner-own-on-call",
    description:
        "In a production stack, a team with a PagerDuty service of its own (owners.<team>.pagerDutyService) has an on-call " +
        "rotation of its own (owners.<team>.onCall, a schedule owner-<team>-on-call): without one, the service's ladder starts " +
        "with the stack's rotation, so the team's pages wake the stack's on-call engineer, not the team's.",
    enforcementLevel: "advisory",
    severity: "low",
    configSchema: PRODUCTION_CONFIG_SCHEMA,
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        const signal = productionSignal(args);
        if (!signal) return;
        const schedules = new Set(args.resources.filter((r) => r.type === TYPE.pdSchedule).map((r) => r.name));
        for (const service of args.resources.filter((r) => r.type === TYPE.pdService)) {
            const team = teamOfService(service.name);
            if (team === undefined || schedules.has(ownerPagerDutyKey(team, "on-call"))) continue;
            report(
                `Owner "${team}" has a PagerDuty service of its own in a production stack (${signal}) but no on-call of its own: ` +
                    `its pages reach the stack's rotation, not the team's; set owners.${team}.onCall.`,
                service.urn,
            );
        }
    },
};

export const ownerPolicies = [productionOwnerPaged, productionPageHasRunbook, productionOwnerOwnOnCall];
