import type { PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { COMPLETED_EVENT, WATCHDOG_EVENT } from "../vendor/vocabulary";
import { countsFailures } from "./automations";
import {
    automationActions,
    eventMatches,
    EVENTS_ROUTING_KEY,
    EVENTS_V2,
    eventTriggers,
    isArmedResolve,
    isPagerDutyBlock,
    isResolveAction,
    jsonObject,
    known,
    stackOfUrn,
    strings,
    TYPE,
    typeChain,
    UNKNOWN,
} from "./resources";

/**
 * Stack policies: what only shows across resources (which block an action
 * notifies, where a PagerDuty key comes from, whether production pages
 * anyone). They read the resources' outputs and the engine's property
 * dependencies, both of which CrossGuard passes to validateStack during
 * preview and update. During preview a value that is not known yet (a new
 * block's id) is read with `known()`, and the dependency on the resource that
 * will produce it stands in for the value.
 */

type Target = { kind: "block"; block: PolicyResource } | { kind: "some-of"; blocks: PolicyResource[] } | { kind: "none"; reason: string };

/** Which of this stack's blocks an automation's action notifies. */
export function actionTarget(automation: PolicyResource, action: Record<string, any>, resources: PolicyResource[]): Target {
    const blocks = resources.filter((r) => r.type === TYPE.block);
    const dependedOn = (automation.propertyDependencies?.actions ?? []).filter((r) => r.type === TYPE.block);
    const id = known(() => action.blockDocumentId);
    const ids = blocks.map((b) => known(() => b.props.id));
    if (typeof id === "string" && id !== "") {
        const i = ids.findIndex((blockId) => blockId === id);
        if (i >= 0) return { kind: "block", block: blocks[i] };
        // Outputs without ids (or ids still unknown): the dependency is all there is to go on.
        if (ids.some((blockId) => blockId === UNKNOWN || blockId === undefined) && dependedOn.length)
            return { kind: "some-of", blocks: dependedOn };
        return { kind: "none", reason: `its blockDocumentId is not the id of any block of this stack` };
    }
    if (id === UNKNOWN && dependedOn.length) return { kind: "some-of", blocks: dependedOn };
    return { kind: "none", reason: id === UNKNOWN ? "its blockDocumentId depends on no block of this stack" : "it has no blockDocumentId" };
}

const automations = (args: StackValidationArgs) => args.resources.filter((r) => r.type === TYPE.automation);
const label = (r: PolicyResource) => `Automation "${known(() => r.props.name) === UNKNOWN ? r.name : r.props.name}"`;

/** Actions that switch automations on or off: a mute timer (the program's mute.<route>.until) has only these. */
const SWITCH_ACTIONS = ["resume-automation", "pause-automation"];

/** A timer that only switches automations (resumes muted ones at a mute's end, pauses itself) notifies nobody, by design. */
export function onlySwitchesAutomations(automation: PolicyResource): boolean {
    const refs = automationActions(automation.props);
    return refs.length > 0 && refs.every(({ action }) => SWITCH_ACTIONS.includes(known(() => action.type) as string));
}

/** Whether a resume/pause action acts on an automation of this stack (by id, by dependency while ids are unknown, or on itself). */
export function switchesStackAutomation(automation: PolicyResource, action: Record<string, any>, resources: PolicyResource[]): boolean {
    // "inferred": the automation named by the triggering event; in actionsOnTriggers that is the timer itself.
    if (known(() => action.source) === "inferred") return true;
    const others = resources.filter((r) => r.type === TYPE.automation && r !== automation);
    const id = known(() => action.automationId);
    const ids = others.map((r) => known(() => r.props.id));
    if (typeof id === "string" && ids.includes(id)) return true;
    const dependedOn = (automation.propertyDependencies?.actions ?? []).some((r) => others.includes(r));
    return dependedOn && (id === UNKNOWN || ids.some((x) => x === UNKNOWN || x === undefined));
}

export const automationNotifiesStackBlock: StackValidationPolicy = {
    name: "automation-notifies-stack-block",
    description:
        "Every automation has a send-notification action, and each such action points at a notification block this stack " +
        "manages (not a hand-copied id of a block made elsewhere, which breaks silently when that block is replaced). " +
        "A mute timer, whose actions only resume or pause automations, notifies nobody by design: each of those " +
        "actions acts on an automation of this stack, or on the timer itself.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        for (const automation of automations(args)) {
            if (onlySwitchesAutomations(automation)) {
                for (const { path, action } of automationActions(automation.props))
                    if (!switchesStackAutomation(automation, action, args.resources))
                        report(
                            `${label(automation)} ${path} (${action.type}) acts on no automation of this stack: ` +
                                `its automationId is not the id of one, nor does it depend on one.`,
                            automation.urn,
                        );
                continue;
            }
            const notifications = automationActions(automation.props).filter(({ action }) => action.type === "send-notification");
            if (!notifications.length)
                report(`${label(automation)} has no send-notification action: it would fire and tell nobody.`, automation.urn);
            for (const { path, action } of notifications) {
                const target = actionTarget(automation, action, args.resources);
                if (target.kind === "none")
                    report(`${label(automation)} ${path} notifies no block of this stack: ${target.reason}.`, automation.urn);
            }
        }
    },
};

export const pagerDutyKeyFromIntegration: StackValidationPolicy = {
    name: "pagerduty-key-from-integration",
    description:
        "A PagerDuty block's key (the program's custom-webhook secrets.routing_key, or a pager-duty-webhook's " +
        "integration_key) comes from a PagerDuty Events API v2 service integration this " +
        "stack creates, not a key copied by hand into config (which silently goes stale when the service is rebuilt).",
    enforcementLevel: "mandatory",
    severity: "high",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        const integrations = args.resources.filter((r) => r.type === TYPE.pdIntegration && known(() => r.props.type) === EVENTS_V2);
        const keys = integrations
            .map((r) => known(() => r.props.integrationKey))
            .filter((k): k is string => typeof k === "string" && k !== "");
        for (const block of args.resources.filter((r) => r.type === TYPE.block && isPagerDutyBlock(r))) {
            const fromIntegration = (block.propertyDependencies?.data ?? []).some((d) => integrations.includes(d));
            const data = known(() => block.props.data);
            const parsed = data === UNKNOWN ? undefined : jsonObject(data);
            const key = data === UNKNOWN ? UNKNOWN : (parsed?.integration_key ?? jsonObject(parsed?.secrets)?.[EVENTS_ROUTING_KEY]);
            const sameKey = typeof key === "string" && keys.includes(key);
            if (!fromIntegration && !sameKey)
                report(
                    `Block "${known(() => block.props.name) === UNKNOWN ? block.name : block.props.name}" (PagerDuty) ` +
                        `takes its integration key from no ${EVENTS_V2} integration of this stack: ` +
                        `create one (pagerduty.ServiceIntegration) and pass its integrationKey (seed erratum 7).`,
                    block.urn,
                );
        }
    },
};

export interface ProductionConfig {
    /** Stack tag that names the environment (set with `pulumi stack tag set`). */
    environmentTag?: string;
    /** Stack names treated as production even without the tag (DIY backends have no tags). */
    productionStacks?: string[];
    /** Force the decision, e.g. in a policy group that holds only production stacks. */
    production?: boolean;
}

export const PRODUCTION_DEFAULTS = { environmentTag: "environment", productionStacks: ["prod", "production"] };

/** The policy config of the policies that ask whether the stack is production (productionSignal). */
export const PRODUCTION_CONFIG_SCHEMA: StackValidationPolicy["configSchema"] = {
    properties: {
        environmentTag: {
            type: "string",
            default: PRODUCTION_DEFAULTS.environmentTag,
            description: "Stack tag whose value production marks a production stack.",
        },
        productionStacks: {
            type: "array",
            items: { type: "string" },
            default: PRODUCTION_DEFAULTS.productionStacks,
            description: "Stack names (from the resources' URNs) treated as production.",
        },
        production: {
            type: "boolean",
            description: "Set in a policy group of production stacks only (true) or of no production stack (false).",
        },
    },
};

/** Whether the stack is production, and what said so. */
export function productionSignal(args: StackValidationArgs): string | undefined {
    const cfg = args.getConfig<ProductionConfig>();
    if (cfg.production === true) return "policy config production = true";
    if (cfg.production === false) return undefined;
    const tag = cfg.environmentTag ?? PRODUCTION_DEFAULTS.environmentTag;
    if (args.stackTags.get(tag) === "production") return `stack tag ${tag} = production`;
    const stacks = cfg.productionStacks ?? PRODUCTION_DEFAULTS.productionStacks;
    const stack = args.resources.map((r) => stackOfUrn(r.urn)).find((s) => s !== "");
    if (stack && stacks.includes(stack)) return `stack name "${stack}" is in productionStacks`;
    return undefined;
}

/** Critical-tier automations: under the CriticalTier component, or shaped like one (repeated failures). */
export function isCriticalTier(r: PolicyResource): boolean {
    if (typeChain(r.urn).includes(TYPE.criticalTier)) return true;
    return eventTriggers(r.props.trigger).some(
        ({ event }) => typeof event.threshold === "number" && event.threshold > 1 && countsFailures(event),
    );
}

export const productionPagesOnCall: StackValidationPolicy = {
    name: "production-pages-on-call",
    description:
        "A production stack has a critical tier, and every critical-tier automation is enabled and notifies " +
        "a PagerDuty block (the program's Events API v2 custom-webhook, or a pager-duty-webhook), so a repeated failure " +
        "pages a person and not only a Slack channel.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: PRODUCTION_CONFIG_SCHEMA,
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        const signal = productionSignal(args);
        if (!signal) return;
        const critical = automations(args).filter(isCriticalTier);
        if (!critical.length) {
            report(`This is a production stack (${signal}) but it has no critical-tier automation: repeated failures would page nobody.`);
            return;
        }
        for (const automation of critical) {
            // A dated mute (the program's mute.<route>) is a decision with an end; production-mute-has-until judges it.
            if (disabledForGood(automation)) {
                report(`${label(automation)} is the production critical tier and is disabled (${signal}).`, automation.urn);
                continue;
            }
            const pages = automationActions(automation.props).some(({ action }) => {
                if (action.type !== "send-notification") return false;
                const target = actionTarget(automation, action, args.resources);
                const isPager = (b: PolicyResource) => isPagerDutyBlock(b);
                return target.kind === "block" ? isPager(target.block) : target.kind === "some-of" && target.blocks.some(isPager);
            });
            if (!pages)
                report(
                    `${label(automation)} is the production critical tier (${signal}) ` +
                        `but notifies no PagerDuty block: nobody is paged.`,
                    automation.urn,
                );
        }
    },
};

/** "Muted until 2026-05-02T06:00:00Z: ..." as the program writes a muted automation's description. */
const MUTED_UNTIL = /Muted until (\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d))/;

/** The end of a disabled automation's mute, when its description states a valid one. */
export function mutedUntil(automation: PolicyResource): string | undefined {
    const description = known(() => automation.props.description);
    const until = typeof description === "string" ? MUTED_UNTIL.exec(description)?.[1] : undefined;
    return until !== undefined && !Number.isNaN(Date.parse(until)) ? until : undefined;
}

/** Disabled with no dated mute: it stays off for good (a dated mute is a decision with an end, judged on its own). */
export function disabledForGood(automation: PolicyResource): boolean {
    return known(() => automation.props.enabled) === false && !mutedUntil(automation) && !isArmedResolve(automation.props);
}

export const productionMuteHasUntil: StackValidationPolicy = {
    name: "production-mute-has-until",
    description:
        'In a production stack, an automation is disabled only by a mute with an end: its description carries "Muted until ' +
        "<date-time>\" (the program's mute.<route>.until). A mute without an end is forgotten, and the alerts stay off for good.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: PRODUCTION_CONFIG_SCHEMA,
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        const signal = productionSignal(args);
        if (!signal) return;
        for (const automation of automations(args))
            if (disabledForGood(automation))
                report(
                    `${label(automation)} is disabled in a production stack (${signal}) with no "Muted until <date-time>" ` +
                        `in its description: mute its route with an end (mute.<route>.until and .reason) or enable it.`,
                    automation.urn,
                );
    },
};

const SUCCESS_EVENTS = [COMPLETED_EVENT];

export const successNoticesInfoOnly: StackValidationPolicy = {
    name: "success-notices-info-only",
    description:
        "Success notices go to an information channel only: never to PagerDuty, " +
        "and never to a channel that carries failure alerts, where they would bury the alerts people must act on.",
    enforcementLevel: "advisory",
    severity: "low",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        const isSuccessNotice = (r: PolicyResource) => {
            const triggers = eventTriggers(r.props.trigger);
            // An automation that only resolves incidents (its actions send Events API v2 resolves) announces nothing.
            const notifications = automationActions(r.props).filter(({ action }) => action.type === "send-notification");
            if (notifications.length > 0 && notifications.every(({ action }) => isResolveAction(action))) return false;
            // One that waits for a failure first (`after`) announces a recovery, not a routine success.
            if (triggers.some(({ event }) => strings(event.afters).length > 0)) return false;
            return (
                triggers.length > 0 &&
                triggers.every(
                    ({ event }) =>
                        event.posture === "Reactive" &&
                        strings(event.expects).length > 0 &&
                        strings(event.expects).every((e) => SUCCESS_EVENTS.some((s) => eventMatches(e, s))),
                )
            );
        };
        const targets = (r: PolicyResource) =>
            automationActions(r.props)
                .filter(({ action }) => action.type === "send-notification")
                .flatMap(({ action }) => {
                    const t = actionTarget(r, action, args.resources);
                    return t.kind === "block" ? [t.block] : t.kind === "some-of" ? t.blocks : [];
                });
        const alertBlocks = new Set(
            automations(args)
                .filter((r) => !isSuccessNotice(r))
                .flatMap(targets),
        );
        for (const automation of automations(args).filter(isSuccessNotice)) {
            for (const block of new Set(targets(automation))) {
                const name = known(() => block.props.name);
                if (isPagerDutyBlock(block))
                    report(`${label(automation)} sends success notices to PagerDuty block "${String(name)}".`, automation.urn);
                else if (alertBlocks.has(block))
                    report(
                        `${label(automation)} sends success notices to block "${String(name)}", which also carries failure alerts.`,
                        automation.urn,
                    );
            }
        }
    },
};

/** The program's watchdog (signals/watchdog.ts): Proactive on its never-emitted event, on, and notifying a block of the stack. */
export function isWatchdog(automation: PolicyResource, resources: PolicyResource[]): boolean {
    if (known(() => automation.props.enabled) === false) return false;
    const waits = eventTriggers(automation.props.trigger).some(
        ({ event }) => event.posture === "Proactive" && strings(event.expects).includes(WATCHDOG_EVENT),
    );
    const notifies = automationActions(automation.props).some(
        ({ action }) => action.type === "send-notification" && actionTarget(automation, action, resources).kind !== "none",
    );
    return waits && notifies;
}

export const productionWatchdog: StackValidationPolicy = {
    name: "production-watchdog",
    description:
        "A production stack has an enabled watchdog (the program's watchdog section): a heartbeat to an external monitor, " +
        "which pages when Prefect's triggers service, actions service or egress stops and every automation goes quiet.",
    enforcementLevel: "advisory",
    severity: "medium",
    configSchema: PRODUCTION_CONFIG_SCHEMA,
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        const signal = productionSignal(args);
        if (!signal) return;
        if (!automations(args).some((a) => isWatchdog(a, args.resources)))
            report(
                `This is a production stack (${signal}) without an enabled watchdog: if Prefect stops running automations, ` +
                    "nobody is told. Set watchdog.enabled, watchdog.channel (a heartbeat channel) and its ping URL " +
                    "(docs/configuration.md, Watchdog).",
            );
    },
};

export const stackPolicies = [
    automationNotifiesStackBlock,
    pagerDutyKeyFromIntegration,
    productionPagesOnCall,
    productionMuteHasUntil,
    successNoticesInfoOnly,
    productionWatchdog,
];
