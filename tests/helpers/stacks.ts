import { resolve } from "node:path";
import { PROJECT, RawConfig } from "../../config/load";
import { readStackFile } from "../../harness/stackFile";

export const ROOT = resolve(__dirname, "../..");
export const SLACK_URL = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";

/** Secret values that pass validation, per stack, as a user would have set them. */
export const STACK_SECRETS: Record<string, Record<string, string>> = {
    dev: { [`${PROJECT}:alertsWebhookUrl`]: SLACK_URL, "prefect:apiKey": "pnu_devkey" },
    prod: {
        [`${PROJECT}:alertsWebhookUrl`]: SLACK_URL,
        [`${PROJECT}:criticalWebhookUrl`]: SLACK_URL,
        "pagerduty:token": "pd-token",
        "prefect:apiKey": "pnu_prodkey",
    },
    local: {
        [`${PROJECT}:alertsWebhookUrl`]: "http://127.0.0.1:8787/alerts",
        [`${PROJECT}:criticalWebhookUrl`]: "http://127.0.0.1:8787/critical",
        [`${PROJECT}:pagerWebhookUrl`]: "http://127.0.0.1:8787/pager",
        [`${PROJECT}:infoWebhookUrl`]: "http://127.0.0.1:8787/info",
    },
};

/**
 * Plain values a user sets after cloning (the committed stack files hold no
 * Prefect Cloud ids: the program refuses placeholders). Made-up, non-zero UUIDs.
 */
export const STACK_VALUES: Record<string, Record<string, string>> = {
    dev: { "prefect:accountId": "0b5e7f2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b", "prefect:workspaceId": "6c7d8e9f-0a1b-4c2d-9e3f-4a5b6c7d8e9f" },
    prod: { "prefect:accountId": "0b5e7f2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b", "prefect:workspaceId": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d" },
};

/** A committed stack's config with its secrets (and the plain values a user adds) set, as the runtime would see it. */
export function stackConfig(
    stack: string,
    overrides: Record<string, string | undefined> = {},
    secrets = STACK_SECRETS[stack] ?? {},
): RawConfig {
    const values: Record<string, string> = { ...readStackFile(ROOT, stack).values, ...STACK_VALUES[stack], ...secrets };
    for (const [k, v] of Object.entries(overrides)) {
        if (v === undefined) delete values[k];
        else values[k] = v;
    }
    return { project: PROJECT, stack, values, secretKeys: new Set(Object.keys(secrets)) };
}

/** Override one object-valued key by editing its parsed JSON. */
export function editKey(raw: RawConfig, key: string, edit: (value: any) => unknown): RawConfig {
    const full = `${PROJECT}:${key}`;
    const current = raw.values[full] === undefined ? undefined : JSON.parse(raw.values[full]);
    const next = edit(current);
    const values = { ...raw.values };
    if (next === undefined) delete values[full];
    else values[full] = typeof next === "string" ? next : JSON.stringify(next);
    return { ...raw, values };
}
