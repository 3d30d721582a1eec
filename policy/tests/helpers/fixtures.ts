import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { TYPE } from "../../policies/resources";
import { WATCHDOG_EVENT } from "../../vendor/vocabulary";
import type { EngineResource } from "./crossguard";

/**
 * A small stack in the provider's shapes, written by hand: every policy of
 * the pack passes on `baseline()`, and each corpus case breaks one thing.
 * Inputs carry Pulumi's secret marker where the SDKs put one, and outputs
 * carry the `id` a bridged resource reports, so both the id path and the
 * dependency path of the stack policies are exercised.
 */

export const STACK = "corpus";
const PROJECT = "prefect-alerting";
/** Pulumi's marker for a secret value on the wire, as the engine sends it to an analyzer. */
export const secret = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });

/** The pack's own type table, plus the tier components the fixtures parent resources to. */
export const TYPES = TYPE;

export const urnOf = (type: string, name: string, parentType?: string, stack = STACK) =>
    `urn:pulumi:${stack}::${PROJECT}::${parentType ? `${parentType}$` : ""}${type}::${name}`;

export function resource(
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    extra: Partial<EngineResource> & { parentType?: string; outputs?: Record<string, unknown> } = {},
): EngineResource {
    const { parentType, outputs, ...rest } = extra;
    const urn = urnOf(type, name, parentType);
    return {
        type,
        name,
        urn,
        inputs,
        outputs: { ...inputs, id: `${name}-id`, ...outputs },
        dependencies: [],
        propertyDependencies: {},
        ...rest,
    };
}

export const SLACK_URL = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";
export const FAILURES = ["prefect.flow-run.Failed", "prefect.flow-run.Crashed", "prefect.flow-run.TimedOut"];
export const DLT = JSON.stringify({ "prefect.resource.role": "tag", "prefect.resource.id": "prefect.tag.dlt" });
export const ANY_RUN = JSON.stringify({ "prefect.resource.id": "prefect.flow-run.*" });

export function block(name: string, typeSlug: string, data: Record<string, unknown>, extra: Partial<EngineResource> = {}): EngineResource {
    const json = JSON.stringify(data);
    return resource(
        TYPES.block,
        `block-${name}`,
        { name: `${STACK}-${name}`, typeSlug, data: secret(json) },
        { opts: { additionalSecretOutputs: ["data", "dataWo"] }, ...extra },
    );
}

export interface AutomationSpec {
    key: string;
    parentType?: string;
    event?: Record<string, unknown>;
    trigger?: Record<string, unknown>;
    /** Blocks notified, by resource; the action points at the block's id and the automation depends on it. */
    notify?: EngineResource[];
    actions?: Record<string, unknown>[];
    enabled?: boolean;
    subject?: string;
    body?: string;
}

export const MESSAGE = {
    subject: "Pipeline failed: {{ flow.name }} ({{ flow_run.state.name }})",
    body:
        "*Flow*: {{ flow.name }}\n*Run*: {{ flow_run.name }}\n*Error*: " +
        "{{ flow_run.state.message }}\n<{{ flow_run|ui_url }}|open the flow run>",
};

export function automation(spec: AutomationSpec): EngineResource {
    const notify = spec.notify ?? [];
    const actions =
        spec.actions ??
        notify.map((b) => ({
            type: "send-notification",
            blockDocumentId: `${b.name}-id`,
            subject: spec.subject ?? MESSAGE.subject,
            body: spec.body ?? MESSAGE.body,
        }));
    const trigger = spec.trigger ?? {
        event: {
            posture: "Reactive",
            match: ANY_RUN,
            matchRelated: DLT,
            afters: [],
            expects: FAILURES,
            forEaches: [],
            threshold: 1,
            within: 0,
            ...spec.event,
        },
    };
    return resource(
        TYPES.automation,
        spec.key,
        { name: `[${STACK}] ${spec.key}`, description: `${spec.key} automation`, enabled: spec.enabled ?? true, trigger, actions },
        { parentType: spec.parentType, propertyDependencies: notify.length ? { actions: notify.map((b) => b.urn) } : {} },
    );
}

export interface Baseline {
    resources: EngineResource[];
    alerts: EngineResource;
    critical: EngineResource;
    pager: EngineResource;
    info: EngineResource;
    integration: EngineResource;
    warning: EngineResource;
    criticalAutomation: EngineResource;
    p1: EngineResource;
    success: EngineResource;
    escalation: EngineResource;
    service: EngineResource;
    schedule: EngineResource;
    awsSecret: EngineResource;
    awsSecretVersion: EngineResource;
    heartbeat: EngineResource;
    watchdog: EngineResource;
}

/**
 * A well-formed production-like stack: warning, critical (Slack + PagerDuty), P1, success notices, the watchdog's
 * heartbeat, the secrets mirror.
 */
export function baseline(): Baseline {
    const schedule = resource(TYPES.pdSchedule, "on-call", {
        name: "Data Pipelines On-Call (corpus)",
        timeZone: "Europe/London",
        layers: [
            {
                name: "Primary rotation",
                start: "2026-01-05T09:00:00Z",
                rotationVirtualStart: "2026-01-05T09:00:00Z",
                rotationTurnLengthSeconds: 604800,
                users: ["PUSER01"],
            },
        ],
    });
    const escalation = resource(TYPES.pdEscalationPolicy, "critical-escalation", {
        name: "Data pipelines critical (corpus)",
        numLoops: 2,
        rules: [
            { escalationDelayInMinutes: 15, targets: [{ type: "schedule_reference", id: "on-call-id" }] },
            { escalationDelayInMinutes: 30, targets: [{ type: "user_reference", id: "PLEAD01" }] },
        ],
    });
    const service = resource(TYPES.pdService, "critical-service", {
        name: "Data Pipelines",
        escalationPolicy: "critical-escalation-id",
        alertCreation: "create_alerts_and_incidents",
        autoResolveTimeout: "14400",
        acknowledgementTimeout: "null",
    });
    const integration = resource(
        TYPES.pdIntegration,
        "critical-service-events-v2",
        { name: "Prefect automations (Events API v2)", service: "critical-service-id", type: "events_api_v2_inbound_integration" },
        { opts: { additionalSecretOutputs: ["integrationKey"] }, outputs: { integrationKey: secret("R0UTINGKEY0000000000000000000000") } },
    );
    const alerts = block("alerts", "slack-webhook", { url: SLACK_URL });
    const critical = block("critical", "slack-webhook", { url: SLACK_URL });
    const info = block("info", "slack-webhook", { url: SLACK_URL });
    const pager = block(
        "pager",
        "pager-duty-webhook",
        { integration_key: "R0UTINGKEY0000000000000000000000", api_key: "pd-api-key", notify_type: "failure" },
        { propertyDependencies: { data: [integration.urn] } },
    );
    const warning = automation({ key: "warning-dlt", parentType: TYPES.warningTier, notify: [alerts] });
    const criticalAutomation = automation({
        key: "critical-dlt",
        parentType: TYPES.criticalTier,
        notify: [critical, pager],
        event: { forEaches: ["related:flow:prefect.resource.id"], threshold: 3, within: 86400 },
    });
    const p1 = automation({
        key: "p1-no-success-dlt",
        parentType: TYPES.p1Tier,
        notify: [critical, pager],
        subject: "P1: no pipeline has succeeded for 6 hours",
        body: "No watched flow run reached Completed in the last 6 hours.",
        event: { posture: "Proactive", expects: ["prefect.flow-run.Completed"], within: 21600 },
    });
    const success = automation({
        key: "success-notice",
        parentType: TYPES.warningTier,
        notify: [info],
        subject: "Pipeline completed: {{ flow.name }}",
        body: ":white_check_mark: {{ flow.name }} completed <{{ flow_run|ui_url }}|run>",
        event: {
            matchRelated: JSON.stringify({ "prefect.resource.role": "flow", "prefect.resource.name": "products-daily" }),
            expects: ["prefect.flow-run.Completed"],
        },
    });
    const heartbeat = block("heartbeat", "custom-webhook", {
        url: "{{webhook_url}}",
        method: "POST",
        json_data: { subject: "{{subject}}", body: "{{body}}" },
        secrets: { webhook_url: "https://hc-ping.example/00000000-0000-0000-0000-000000000000" },
    });
    const watchdog = automation({
        key: "watchdog-heartbeat",
        parentType: TYPES.infoNotices,
        notify: [heartbeat],
        subject: "prefect-alerting watchdog: stack corpus",
        body: "Heartbeat of stack corpus, every 5 minutes.",
        event: {
            posture: "Proactive",
            match: JSON.stringify({ "prefect.resource.id": "prefect-alerting.watchdog.corpus" }),
            matchRelated: JSON.stringify({}),
            expects: [WATCHDOG_EVENT],
            within: 300,
        },
    });
    const awsSecret = resource(TYPES.awsSecret, "slack-webhook-url-alerts", {
        name: "corpus/prefect/slack-webhook-url-alerts",
        recoveryWindowInDays: 7,
    });
    const awsSecretVersion = resource(
        TYPES.awsSecretVersion,
        "slack-webhook-url-alerts",
        { secretId: "slack-webhook-url-alerts-id", secretString: secret(SLACK_URL) },
        { opts: { additionalSecretOutputs: ["secretBinary", "secretString", "secretStringWo"] } },
    );
    return {
        resources: [
            schedule,
            escalation,
            service,
            integration,
            alerts,
            critical,
            info,
            pager,
            warning,
            criticalAutomation,
            p1,
            success,
            heartbeat,
            watchdog,
            awsSecret,
            awsSecretVersion,
        ],
        alerts,
        critical,
        pager,
        info,
        integration,
        warning,
        criticalAutomation,
        p1,
        success,
        escalation,
        service,
        schedule,
        awsSecret,
        awsSecretVersion,
        heartbeat,
        watchdog,
    };
}

/** Replaces one resource of a list (matched by URN) with an edited copy; inputs and outputs edited alike. */
export function replace(
    resources: EngineResource[],
    target: EngineResource,
    edit: (props: Record<string, any>) => void,
    extra: Partial<EngineResource> = {},
): EngineResource[] {
    return resources.map((r) => {
        if (r.urn !== target.urn) return r;
        const inputs = structuredClone(r.inputs as Record<string, any>);
        const outputs = structuredClone((r.outputs ?? r.inputs) as Record<string, any>);
        edit(inputs);
        edit(outputs);
        return { ...r, inputs, outputs, ...extra };
    });
}

/** The event trigger of an automation's props, for edits. */
export const eventOf = (props: Record<string, any>) => props.trigger.event as Record<string, any>;
