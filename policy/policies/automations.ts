import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import {
    AUTOMATION_EVENT_PREFIX,
    FINAL_FAILURE_STATES,
    PER_FLOW,
    PROACTIVE_MIN_WITHIN_SECONDS,
    flowRunEvent,
    unknownTemplateNames,
} from "../vendor/vocabulary";
import {
    EVENT_FIELDS,
    EventTrigger,
    TYPE,
    TRIGGER_KINDS,
    UNKNOWN,
    alternatives,
    automationActions,
    eventMatches,
    eventTriggers,
    isArmedResolve,
    isObject,
    known,
    labelMatches,
    labelObjects,
    singular,
    strings,
} from "./resources";

/**
 * Policies on one Prefect automation at a time (`prefect:index/automation:Automation`):
 * the trigger's shape and meaning, and the notification actions' shape and
 * templates. Facts: shared/reference/prefect.md §1-§3, §5.
 */

type AutomationCheck = (props: Record<string, any>, report: ReportViolation, args: ResourceValidationArgs) => void;

const onAutomations =
    (check: AutomationCheck) =>
    (args: ResourceValidationArgs, report: ReportViolation): void => {
        if (args.type === TYPE.automation) check(args.props, report, args);
    };

/** Left out, or null: either way the provider sends nothing and the server picks. */
const unset = (v: unknown) => v === undefined || v === null;

const eachEvent = (props: Record<string, any>, fn: (t: EventTrigger) => void) => eventTriggers(props.trigger).forEach(fn);

/** Does this trigger count flow-run failures (any of the final failure events: Failed, Crashed, TimedOut)? */
export function countsFailures(event: Record<string, any>): boolean {
    const expects = strings(event.expects);
    return FINAL_FAILURE_STATES.some((s) => expects.some((p) => eventMatches(p, flowRunEvent(s))));
}

export const automationTriggerShape: ResourceValidationPolicy = {
    name: "automation-trigger-shape",
    description:
        "An automation's trigger holds exactly one of event, metric, compound or sequence, " +
        "with the event fields nested under it, and a posture of Reactive or Proactive.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: onAutomations((props, report) => {
        const trigger = props.trigger;
        if (!isObject(trigger)) {
            report("The automation has no trigger.");
            return;
        }
        const kinds = TRIGGER_KINDS.filter((k) => trigger[k] !== undefined && trigger[k] !== null);
        const stray = Object.keys(trigger).filter((k) => !(TRIGGER_KINDS as readonly string[]).includes(k) && trigger[k] !== undefined);
        if ("type" in trigger)
            report(
                `trigger.type = ${JSON.stringify(trigger.type)} does not exist: ` +
                    `nest the event fields under trigger.event (seed erratum 1).`,
            );
        const flat = stray.filter((k) => k !== "type");
        if (flat.length) report(`trigger has fields outside any trigger kind (${flat.join(", ")}): they belong under trigger.event.`);
        if (kinds.length !== 1)
            report(`trigger must hold exactly one of ${TRIGGER_KINDS.join(", ")}; it holds ${kinds.length ? kinds.join(", ") : "none"}.`);
        eachEvent(props, ({ path, event }) => {
            if (event.posture !== "Reactive" && event.posture !== "Proactive")
                report(`${path}.posture must be "Reactive" or "Proactive" (case-sensitive, required by the server).`);
            for (const key of Object.keys(event)) {
                if (event[key] === undefined || EVENT_FIELDS.includes(key)) continue;
                const meant = EVENT_FIELDS.find((f) => singular(f) === key);
                report(`${path}.${key} is not a field of an event trigger${meant ? `; the provider calls it ${meant}` : ""}.`);
            }
            // An unset threshold / within is trigger-threshold-within-set's to report; this judges set values.
            if (!unset(event.threshold) && !(Number.isInteger(event.threshold) && event.threshold >= 1))
                report(`${path}.threshold must be a whole number of at least 1.`);
            if (!unset(event.within) && !(typeof event.within === "number" && event.within >= 0))
                report(`${path}.within must be a number of seconds, 0 or more.`);
        });
    }),
};

export const triggerThresholdWithinSet: ResourceValidationPolicy = {
    name: "trigger-threshold-within-set",
    description:
        "Every event trigger, those inside a compound or sequence trigger included, sets threshold and within explicitly: " +
        "the Prefect provider does not compute them, so the server's defaults come back as an inconsistent result after apply.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: onAutomations((props, report) => {
        eachEvent(props, ({ path, event }) => {
            // A value unknown during preview is set all the same.
            const missing = ["threshold", "within"].filter((f) => {
                const v = known(() => event[f]);
                return v !== UNKNOWN && unset(v);
            });
            if (missing.length)
                report(
                    `${path} leaves ${missing.join(" and ")} unset: the server fills in its own default (threshold 1, ` +
                        `within 0; 10 s for a Proactive trigger) and the Prefect provider fails the apply ` +
                        `with "inconsistent result after apply". Set ${missing.join(" and ")} explicitly.`,
                );
        });
    }),
};

export const automationLabelsAreJson: ResourceValidationPolicy = {
    name: "automation-labels-are-json",
    description:
        "An event trigger's match and matchRelated are JSON strings (the provider's type): match of one object, " +
        "matchRelated of an object or a list of objects, each label a string or a list of strings.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: onAutomations((props, report) => {
        eachEvent(props, ({ path, event }) => {
            for (const field of ["match", "matchRelated"]) {
                const value = event[field];
                if (value === undefined) continue;
                if (typeof value !== "string") {
                    report(
                        `${path}.${field} is ${Array.isArray(value) ? "a list" : typeof value}, ` +
                            `not a JSON string: write JSON.stringify({...}) (seed erratum 2).`,
                    );
                    continue;
                }
                let parsed: unknown;
                try {
                    parsed = JSON.parse(value);
                } catch {
                    report(`${path}.${field} is not valid JSON.`);
                    continue;
                }
                const objects = Array.isArray(parsed) && field === "matchRelated" ? parsed : [parsed];
                if (!objects.every(isObject)) {
                    report(`${path}.${field} must be a JSON object${field === "matchRelated" ? " or a list of objects" : ""}.`);
                    continue;
                }
                for (const labels of objects)
                    for (const [label, v] of Object.entries(labels))
                        if (!(typeof v === "string" || (Array.isArray(v) && v.every((x) => typeof x === "string"))))
                            report(`${path}.${field}: label ${label} must be a string or a list of strings.`);
            }
        });
    }),
};

/** Roles a related resource of a flow-run event can have (prefect.md §1). */
const FLOW_RUN_RELATED_ROLES = ["flow", "deployment", "work-queue", "work-pool", "tag", "task-run", "creator"];

export const matchRelatedRealResources: ResourceValidationPolicy = {
    name: "match-related-real-resources",
    description:
        "Filters name resources Prefect really relates to an event: a tag is a related resource prefect.tag.<tag> with " +
        "role tag (not a prefect.tag label), and a flow run is the primary resource of its own events, never a related one.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: onAutomations((props, report) => {
        eachEvent(props, ({ path, event }) => {
            const match = labelObjects(event.match);
            const onFlowRuns =
                match.some((m) => alternatives(m["prefect.resource.id"]).some((id) => id.startsWith("prefect.flow-run."))) ||
                (strings(event.expects).length > 0 && strings(event.expects).every((e) => e.startsWith("prefect.flow-run.")));
            for (const m of match)
                for (const label of Object.keys(m))
                    if (label === "prefect.tag" || label.startsWith("prefect.tag."))
                        report(
                            `${path}.match uses a "${label}" label, which no event carries: tags are related resources; filter ` +
                                `them in matchRelated with prefect.resource.role "tag" and prefect.resource.id "prefect.tag.<tag>".`,
                        );
            labelObjects(event.matchRelated).forEach((related, i) => {
                const where = `${path}.matchRelated${Array.isArray(safeJson(event.matchRelated)) ? `[${i}]` : ""}`;
                const roles = alternatives(related["prefect.resource.role"]);
                const ids = alternatives(related["prefect.resource.id"]);
                for (const label of Object.keys(related))
                    if (label === "prefect.tag" || label.startsWith("prefect.tag."))
                        report(
                            `${where} uses a "${label}" label, which matches nothing: a tag is a related resource with ` +
                                `prefect.resource.role "tag" and prefect.resource.id "prefect.tag.<tag>" (seed erratum 3).`,
                        );
                if (onFlowRuns && roles.includes("flow-run"))
                    report(
                        `${where} asks for a related resource with role "flow-run": the flow run is the primary resource ` +
                            `of its own events and never among its related resources, so this matches nothing (seed erratum 3).`,
                    );
                if (ids.some((id) => id.startsWith("prefect.tag.")) && !(roles.length === 1 && roles[0] === "tag"))
                    report(`${where} selects tag resources (prefect.tag.*) without prefect.resource.role "tag".`);
                if (roles.includes("tag") && (ids.length === 0 || !ids.every((id) => id.startsWith("prefect.tag."))))
                    report(
                        `${where} has role "tag" but its prefect.resource.id is not prefect.tag.<tag>: it would match any tag, or none.`,
                    );
                if (onFlowRuns) {
                    const unknown = roles.filter((r) => !r.startsWith("!") && !FLOW_RUN_RELATED_ROLES.includes(r) && r !== "flow-run");
                    if (unknown.length)
                        report(
                            `${where} uses role ${unknown.join(", ")}, which flow-run events ` +
                                `never relate (known: ${FLOW_RUN_RELATED_ROLES.join(", ")}).`,
                        );
                }
            });
        });
    }),
};

function safeJson(v: unknown): unknown {
    if (typeof v !== "string") return v;
    try {
        return JSON.parse(v);
    } catch {
        return undefined;
    }
}

export const failureAlertsCoverFinalStates: ResourceValidationPolicy = {
    name: "failure-alerts-cover-final-states",
    description:
        "An automation that alerts on flow-run failures listens for every final failure: Failed, " +
        "Crashed and TimedOut (a timeout ends in a state named TimedOut, whose event is not prefect.flow-run.Failed).",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: onAutomations((props, report) => {
        eachEvent(props, ({ path, event }) => {
            if (!countsFailures(event)) return;
            const expects = strings(event.expects);
            const missing = FINAL_FAILURE_STATES.filter((s) => !expects.some((p) => eventMatches(p, flowRunEvent(s))));
            if (missing.length)
                report(
                    `${path}.expects listens for flow-run failures but misses ${missing.map(flowRunEvent).join(", ")}` +
                        `${missing.includes("TimedOut") ? " (seed erratum 8)" : ""}.`,
                );
        });
    }),
};

export const repeatedFailurePerFlow: ResourceValidationPolicy = {
    name: "repeated-failure-per-flow",
    description:
        "A trigger that counts several flow-run failures (threshold > 1) " +
        "buckets them per flow with forEaches related:flow:prefect.resource.id, " +
        "and counts inside a window (within > 0); otherwise failures of different flows add up.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: {
        properties: {
            bucketLabels: {
                type: "array",
                items: { type: "string" },
                minItems: 1,
                default: [PER_FLOW],
                description: "forEaches labels any one of which counts as bucketing per flow.",
            },
        },
    },
    validateResource: onAutomations((props, report, args) => {
        const accepted = args.getConfig<{ bucketLabels?: string[] }>().bucketLabels ?? [PER_FLOW];
        eachEvent(props, ({ path, event }) => {
            if (!(typeof event.threshold === "number" && event.threshold > 1) || !countsFailures(event)) return;
            if (!strings(event.forEaches).some((l) => accepted.includes(l)))
                report(
                    `${path} counts ${event.threshold} failures without forEaches ${accepted.join(" or ")}: ` +
                        `${event.threshold} different flows failing once each would fire it (seed erratum 6).`,
                );
            if (!(typeof event.within === "number" && event.within > 0))
                report(
                    `${path} counts ${event.threshold} failures with within = ${event.within ?? "unset"}: ` +
                        `set the window (seconds) the failures must fall in.`,
                );
        });
    }),
};

export const proactiveWithinMinimum: ResourceValidationPolicy = {
    name: "proactive-within-minimum",
    description:
        "A Proactive trigger waits at least the minimum window: Prefect answers 422 for a window between 0 and 10 s, " +
        "stores 0 as 10 (which the provider reports as an inconsistent result after apply), " +
        "and evaluates proactive triggers only every few seconds.",
    enforcementLevel: "mandatory",
    severity: "medium",
    configSchema: {
        properties: {
            minimumWithinSeconds: {
                type: "number",
                minimum: PROACTIVE_MIN_WITHIN_SECONDS,
                default: PROACTIVE_MIN_WITHIN_SECONDS,
                description: "Shortest window (seconds) a Proactive trigger may use.",
            },
        },
    },
    validateResource: onAutomations((props, report, args) => {
        const minimum = args.getConfig<{ minimumWithinSeconds?: number }>().minimumWithinSeconds ?? PROACTIVE_MIN_WITHIN_SECONDS;
        eachEvent(props, ({ path, event }) => {
            if (event.posture !== "Proactive") return;
            if (!(typeof event.within === "number" && event.within >= minimum))
                report(`${path} is Proactive with within = ${event.within ?? "unset"}; it needs at least ${minimum} s.`);
        });
    }),
};

/**
 * The events Prefect's automations emit about themselves, each about the automation as its resource:
 * `prefect.resource.id` prefect.automation.<id>, `prefect.resource.name` its name (Prefect 3.9
 * server/events/schemas/automations.py for triggered / resolved, server/events/actions.py for action.*).
 */
export const AUTOMATION_EVENTS = ["triggered", "resolved", "action.triggered", "action.executed", "action.failed"].map(
    (e) => `${AUTOMATION_EVENT_PREFIX}${e}`,
);

/**
 * Whether a trigger's `match` lets through events whose resource is this automation. Its id is not known before
 * it exists, so an id pattern is judged against prefect.automation.<an id>: any automation's. An unknown name
 * (during preview) may be anything, so it may match.
 */
function matchesItself(event: Record<string, any>, props: Record<string, any>): boolean {
    const name = known(() => props.name);
    const self: Record<string, string | undefined> = {
        "prefect.resource.id": `${AUTOMATION_EVENT_PREFIX}00000000-0000-4000-8000-000000000000`,
        "prefect.resource.name": typeof name === "string" ? name : undefined,
        "prefect.trigger-type": isObject(props.trigger) ? TRIGGER_KINDS.find((k) => isObject(props.trigger[k])) : undefined,
        "prefect.posture": typeof event.posture === "string" ? event.posture : undefined,
    };
    const match = labelObjects(event.match);
    if (match.length === 0) return true;
    return match.some((labels) =>
        Object.entries(labels).every(([label, expected]) => {
            if (label === "prefect.resource.name" && name === UNKNOWN) return true;
            return alternatives(expected).some((p) => labelMatches(p, self[label]));
        }),
    );
}

export const automationExpectsEvents: ResourceValidationPolicy = {
    name: "automation-expects-events",
    description:
        "Every event trigger names the events it counts: an empty expects matches every event, and a trigger that hears " +
        "Prefect's own prefect.automation.* events about this very automation fires on its own notifications, recursively " +
        "(alerts about other automations restrict match to their names).",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: onAutomations((props, report) => {
        eachEvent(props, ({ path, event }) => {
            const expects = strings(event.expects);
            if (expects.length === 0 || expects.some((e) => e.trim() === "")) {
                report(`${path}.expects is empty: the trigger would fire on every event, its own notifications included.`);
                return;
            }
            const heard = AUTOMATION_EVENTS.filter((e) => expects.some((p) => eventMatches(p, e)));
            if (heard.length === 0 || !matchesItself(event, props)) return;
            const patterns = expects.filter((p) => heard.some((e) => eventMatches(p, e)));
            report(
                `${path}.expects ${patterns.join(", ")} hears Prefect's events about automations (${heard.join(", ")}) ` +
                    `and its match lets this automation's own through: it would fire on itself. Restrict match's ` +
                    `prefect.resource.name to the automations it watches.`,
            );
        });
    }),
};

/** State names a flow run's events carry (Prefect 3.9 states.py, flow_engine.py, core_policy.py). */
export const FLOW_RUN_STATE_NAMES = [
    "Scheduled",
    "Late",
    "AwaitingRetry",
    "AwaitingConcurrencySlot",
    "Resuming",
    "Pending",
    "Submitting",
    "InfrastructurePending",
    "Running",
    "Retrying",
    "Paused",
    "Suspended",
    "Cancelling",
    "Cancelled",
    "Completed",
    "Cached",
    "Failed",
    "Crashed",
    "TimedOut",
];

export const knownFlowRunStates: ResourceValidationPolicy = {
    name: "known-flow-run-states",
    description:
        "Flow-run events are named after the state's name, case-sensitively (prefect.flow-run.Failed, " +
        ".TimedOut): an unknown name such as prefect.flow-run.failed or .Timeout never arrives.",
    enforcementLevel: "advisory",
    severity: "medium",
    configSchema: {
        properties: {
            extraStateNames: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "Custom state names your flows set themselves.",
            },
        },
    },
    validateResource: onAutomations((props, report, args) => {
        const names = [...FLOW_RUN_STATE_NAMES, ...(args.getConfig<{ extraStateNames?: string[] }>().extraStateNames ?? [])];
        eachEvent(props, ({ path, event }) => {
            for (const field of ["expects", "afters"]) {
                for (const e of strings(event[field])) {
                    if (!e.startsWith("prefect.flow-run.") || e.endsWith("*")) continue;
                    const state = e.slice("prefect.flow-run.".length);
                    if (!names.includes(state)) {
                        const close = names.find((n) => n.toLowerCase() === state.toLowerCase());
                        report(
                            `${path}.${field}: ${e} names no flow-run state${close ? `; did you mean prefect.flow-run.${close}?` : ""}.`,
                        );
                    }
                }
            }
        });
    }),
};

const ACTION_FIELDS: Record<string, string[]> = {
    "send-notification": ["type", "blockDocumentId", "subject", "body"],
};
const ACTION_FIELD_HINTS: Record<string, string> = {
    blockId: "blockDocumentId",
    block_id: "blockDocumentId",
    block_document_id: "blockDocumentId",
};

export const notificationActionShape: ResourceValidationPolicy = {
    name: "notification-action-shape",
    description:
        "An automation has at least one action, and each send-notification action names " +
        "its block with blockDocumentId and has a body (there is no block_id / blockId).",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: onAutomations((props, report) => {
        const refs = automationActions(props);
        if (!refs.some((r) => r.path.startsWith("actions[") || r.path.startsWith("actionsOnTriggers[")))
            report("The automation has no action to run when it fires.");
        for (const { path, action } of refs) {
            if (typeof action.type !== "string" || action.type === "") {
                report(`${path} has no type.`);
                continue;
            }
            const fields = ACTION_FIELDS[action.type];
            if (!fields) continue;
            for (const key of Object.keys(action)) {
                if (fields.includes(key) || known(() => action[key]) === undefined) continue;
                const hint = ACTION_FIELD_HINTS[key];
                report(`${path}.${key} is not a field of a ${action.type} action${hint ? `: it is ${hint} (seed erratum 4)` : ""}.`);
            }
            // A new block's id is unknown during preview: present all the same.
            const blockId = known(() => action.blockDocumentId);
            if (blockId !== UNKNOWN && (typeof blockId !== "string" || blockId === ""))
                report(`${path} has no blockDocumentId: Prefect would not know where to send it.`);
            const body = known(() => action.body);
            if (body !== UNKNOWN && (typeof body !== "string" || body.trim() === "")) report(`${path} has no body (required by Prefect).`);
        }
    }),
};

export const messageTemplatesKnownNames: ResourceValidationPolicy = {
    name: "message-templates-known-names",
    description:
        "Notification subjects and bodies use only the variables and filters Prefect's template context provides (an " +
        "unknown name such as flow_run_url renders as an empty string, silently); the run's page is {{ flow_run|ui_url }}.",
    enforcementLevel: "mandatory",
    severity: "medium",
    validateResource: onAutomations((props, report) => {
        for (const { path, action } of automationActions(props)) {
            for (const field of ["subject", "body"]) {
                const text = action[field];
                if (typeof text !== "string") continue;
                const unknown = unknownTemplateNames(text);
                if (!unknown.length) continue;
                const hint = unknown.includes("flow_run_url") ? "; for the run's page use {{ flow_run|ui_url }} (seed erratum 5)" : "";
                report(
                    `${path}.${field} uses ${unknown.map((n) => (n.startsWith("|") ? `filter ${n}` : n)).join(", ")}, ` +
                        `unknown to Prefect's templates${hint}.`,
                );
            }
        }
    }),
};

export const automationEnabled: ResourceValidationPolicy = {
    name: "automation-enabled",
    description: "An alerting automation kept in code but disabled alerts nobody; remove it or say why in its description.",
    enforcementLevel: "advisory",
    severity: "low",
    validateResource: onAutomations((props, report) => {
        if (props.enabled === false && !isArmedResolve(props)) report(`Automation "${props.name}" is disabled.`);
    }),
};

export const automationPolicies = [
    automationTriggerShape,
    triggerThresholdWithinSet,
    automationLabelsAreJson,
    matchRelatedRealResources,
    failureAlertsCoverFinalStates,
    repeatedFailurePerFlow,
    proactiveWithinMinimum,
    automationExpectsEvents,
    knownFlowRunStates,
    notificationActionShape,
    messageTemplatesKnownNames,
    automationEnabled,
];
