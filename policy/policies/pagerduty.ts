import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { EVENTS_V2, TYPE, UNKNOWN, isObject, known } from "./resources";

/** Policies on the PagerDuty side (pulumi/pulumi-pagerduty resources), one resource at a time. */

const NAMED = [TYPE.pdService, TYPE.pdIntegration, TYPE.pdEscalationPolicy, TYPE.pdSchedule, TYPE.pdTeam] as string[];

export const pagerDutyExplicitNames: ResourceValidationPolicy = {
    name: "pagerduty-explicit-names",
    description:
        "PagerDuty services, integrations, escalation policies, schedules and teams have explicit names: left out, " +
        "the provider makes one up with a random suffix, and the on-call engineer sees that name in the page.",
    enforcementLevel: "mandatory",
    severity: "medium",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (!NAMED.includes(args.type)) return;
        if (typeof args.props.name !== "string" || args.props.name.trim() === "")
            report(`${args.type.split(":").pop()} "${args.name}" has no explicit name.`);
        if (args.type === TYPE.pdSchedule && Array.isArray(args.props.layers))
            args.props.layers.forEach((layer: unknown, i: number) => {
                if (!isObject(layer) || typeof layer.name !== "string" || layer.name.trim() === "")
                    report(`Schedule "${args.name}" layers[${i}] has no name.`);
            });
    },
};

export const escalationPolicyLevels: ResourceValidationPolicy = {
    name: "escalation-policy-levels",
    description:
        "A PagerDuty escalation policy has at least the minimum number of levels (default 2: " +
        "the on-call engineer, then someone else when they do not acknowledge), each with at least one target.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: {
        properties: {
            minimumLevels: {
                type: "integer",
                minimum: 1,
                default: 2,
                description: "Fewest escalation rules an escalation policy may have.",
            },
        },
    },
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (args.type !== TYPE.pdEscalationPolicy) return;
        const minimum = args.getConfig<{ minimumLevels?: number }>().minimumLevels ?? 2;
        const rules: unknown[] = Array.isArray(args.props.rules) ? args.props.rules : [];
        if (rules.length < minimum)
            report(
                `Escalation policy "${args.props.name ?? args.name}" has ${rules.length} level(s); ` +
                    `at least ${minimum} are required so an unacknowledged page reaches someone else.`,
            );
        rules.forEach((rule, i) => {
            if (!isObject(rule) || !Array.isArray(rule.targets) || rule.targets.length === 0)
                report(`Escalation policy "${args.props.name ?? args.name}" rules[${i}] has no target.`);
        });
    },
};

/** The only alert creation PagerDuty still offers; `create_incidents` (the provider's default in @pulumi/pagerduty 3.x) is retired. */
export const ALERT_CREATION = "create_alerts_and_incidents";

export const pagerDutyAlertCreation: ResourceValidationPolicy = {
    name: "pagerduty-alert-creation",
    description:
        "A PagerDuty service sets alertCreation to create_alerts_and_incidents: " +
        "PagerDuty retired create_incidents, which the provider sends when the field is left out, " +
        "and Events API v2 events arrive as alerts that need a service that creates them.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (args.type !== TYPE.pdService) return;
        const value = known(() => args.props.alertCreation);
        if (value === UNKNOWN || value === ALERT_CREATION) return;
        const now = value === undefined || value === null ? "unset (the provider then sends create_incidents)" : JSON.stringify(value);
        report(
            `Service "${args.props.name ?? args.name}" has alertCreation ${now}: ` +
                `set "${ALERT_CREATION}" (create_incidents is retired by PagerDuty).`,
        );
    },
};

export const escalationDelayWholeMinutes: ResourceValidationPolicy = {
    name: "escalation-delay-whole-minutes",
    description:
        "Every escalation rule's escalationDelayInMinutes is a whole number of minutes, at least 1: " +
        "PagerDuty stores whole minutes and the provider truncates a fraction (1.5 becomes 1) without a word.",
    enforcementLevel: "mandatory",
    severity: "medium",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (args.type !== TYPE.pdEscalationPolicy || !Array.isArray(args.props.rules)) return;
        args.props.rules.forEach((rule: unknown, i: number) => {
            const delay = isObject(rule) ? known(() => rule.escalationDelayInMinutes) : undefined;
            if (delay === UNKNOWN || (typeof delay === "number" && Number.isInteger(delay) && delay >= 1)) return;
            const now = delay === undefined || delay === null ? "unset" : JSON.stringify(delay);
            report(
                `Escalation policy "${args.props.name ?? args.name}" rules[${i}].escalationDelayInMinutes is ${now}: ` +
                    `use a whole number of minutes, 1 or more (the provider would truncate a fraction).`,
            );
        });
    },
};

export const integrationKeySecret: ResourceValidationPolicy = {
    name: "pagerduty-integration-key-secret",
    description:
        "An Events API v2 service integration declares integrationKey as a secret output (additionalSecretOutputs): " +
        "the provider does not mark it, and the key lets anyone open incidents on the service.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (args.type !== TYPE.pdIntegration || args.props.type !== EVENTS_V2) return;
        if (!(args.opts.additionalSecretOutputs ?? []).includes("integrationKey"))
            report(
                `Service integration "${args.props.name ?? args.name}" does not list integrationKey ` +
                    `in additionalSecretOutputs: the routing key would be stored and shown in plain text.`,
            );
    },
};

export const pagerDutyPolicies = [
    pagerDutyExplicitNames,
    pagerDutyAlertCreation,
    escalationPolicyLevels,
    escalationDelayWholeMinutes,
    integrationKeySecret,
];
