import { PROJECT, RawConfig, SecretKey, parseStructure, requiredSecrets } from "../../config/load";
import { isSecretMarker } from "../../harness/runProgram";
import { stackConfig } from "./stacks";

/**
 * Sentinel secrets: distinct, recognisable values that still pass validation,
 * so a run with them is a normal run and any place they surface is a leak.
 * Every sentinel contains MARK; reports name the sentinel's label, never its value.
 */
export const MARK = "SENTINEL";

export interface Sentinel {
    /** What it stands for, e.g. `prefect-alerting:alertsWebhookUrl`; safe to print. */
    label: string;
    value: string;
}

/** A validation-passing sentinel for one secret key of one stack. */
export function sentinelFor(stack: string, s: SecretKey): Sentinel {
    const name = s.key.replace(`${PROJECT}:`, "").replace(/[^A-Za-z0-9]/g, "");
    switch (s.form) {
        case "slack-webhook-url":
            // The last path segment is the sentinel (Slack's secret part; letters and digits only).
            return { label: s.key, value: `https://hooks.slack.com/services/T00000000/B00000000/${MARK}${stack}${name}` };
        case "webhook-url":
            return { label: s.key, value: `http://127.0.0.1:8787/${MARK}-${stack}-${name}` };
        case "teams-webhook-url":
            // In the workflow id: Teams' form is checked by host and path, the id is the caller's.
            return {
                label: s.key,
                value:
                    `https://e2e.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/` +
                    `${MARK}-${stack}-${name}/triggers/manual/paths/invoke`,
            };
        case "email-api-key":
            // SendGrid's SG.<id>.<secret> form, the sentinel in both parts.
            return { label: s.key, value: `SG.${MARK}-${stack}.${MARK}-${name}` };
        case "token":
            return { label: s.key, value: `${MARK}-${stack}-${s.key.replace(":", "-")}-xyz` };
    }
    throw new Error(`no sentinel for secret form ${s.form}`);
}

/** The Events API v2 key the PagerDuty mock returns for an integration: provider-computed, secret. */
export function integrationKeySentinel(stack: string, resourceName: string): Sentinel {
    return { label: `PagerDuty integration key of ${resourceName}`, value: `${MARK}-${stack}-integration-key-${resourceName}` };
}

/** Every secret key a committed stack reads (from the parser itself, not a hand-kept list). */
export function secretKeysOf(raw: RawConfig): SecretKey[] {
    return requiredSecrets(parseStructure(raw));
}

/** A committed stack with a distinct sentinel in every secret key it reads. */
export function sentinelStack(stack: string): { raw: RawConfig; sentinels: Sentinel[] } {
    const keys = secretKeysOf(stackConfig(stack, {}, {}));
    const sentinels = keys.map((k) => sentinelFor(stack, k));
    const secrets = Object.fromEntries(keys.map((k, i) => [k.key, sentinels[i].value]));
    return { raw: stackConfig(stack, {}, secrets), sentinels };
}

/**
 * Where a sentinel appears outside Pulumi's secret marker: one line per
 * place, `path: label`. Object keys count as places too. A MARK no known
 * sentinel explains (a transformed secret) is reported as well.
 */
export function unwrappedSentinels(value: unknown, sentinels: Sentinel[], path = "$"): string[] {
    if (isSecretMarker(value)) return [];
    if (typeof value === "string") return sentinelsIn(value, sentinels).map((label) => `${path}: ${label}`);
    if (Array.isArray(value)) return value.flatMap((v, i) => unwrappedSentinels(v, sentinels, `${path}[${i}]`));
    if (value && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => [
            ...sentinelsIn(k, sentinels).map((label) => `${path} (a key): ${label}`),
            ...unwrappedSentinels(v, sentinels, `${path}.${k}`),
        ]);
    }
    return [];
}

/** Labels of the sentinels a text contains. */
export function sentinelsIn(text: string, sentinels: Sentinel[]): string[] {
    const found = sentinels.filter((s) => text.includes(s.value)).map((s) => s.label);
    if (found.length === 0 && text.includes(MARK)) found.push(`an unrecognised ${MARK} value (a transformed secret?)`);
    return found;
}

/** Text with every sentinel-looking run replaced, for anything a test prints. */
export function redact(text: string): string {
    return text.replace(new RegExp(`${MARK}[A-Za-z0-9_-]*`, "g"), "<redacted>");
}
