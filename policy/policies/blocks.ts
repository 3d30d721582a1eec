import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { NOTIFICATION_BLOCK_FIELDS, TYPE, UNKNOWN, jsonObject, known } from "./resources";

/**
 * Policies on Prefect notification blocks (`prefect:index/block:Block`).
 *
 * What CrossGuard shows a policy about secrets: the engine sends properties
 * with secrets marked, and @pulumi/policy unwraps every marked value before
 * calling validateResource / validateStack (deserialize.ts, deserializeProperties
 * with proxySecrets = false). So `props.data` arrives as plain text whether or
 * not it was secret. What a policy *can* see is the resource option
 * `additionalSecretOutputs`, which the engine passes along in `opts`; the
 * generated SDK sets ["data", "dataWo"] on every Block. The secret check
 * relies on that. Messages never echo a value read from `data`.
 */

const onBlocks =
    (check: (props: Record<string, any>, report: ReportViolation, args: ResourceValidationArgs) => void) =>
    (args: ResourceValidationArgs, report: ReportViolation): void => {
        if (args.type === TYPE.block) check(args.props, report, args);
    };

export const blockDataSecret: ResourceValidationPolicy = {
    name: "block-data-secret",
    description:
        "A Prefect block's data (webhook URLs, integration and API keys) is a secret: " +
        "the resource declares additionalSecretOutputs data, so Pulumi encrypts it in state and masks it in output.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: onBlocks((props, report, args) => {
        // `in`, not a read: during preview data may be unknown, and reading it would stop the check.
        if (!("data" in props)) return;
        if (!(args.opts.additionalSecretOutputs ?? []).includes("data"))
            report(
                `Block "${props.name}" does not declare data as a secret output (additionalSecretOutputs ` +
                    `has ${JSON.stringify(args.opts.additionalSecretOutputs ?? [])}): ` +
                    `its webhook URL or keys would be stored in plain text.`,
            );
    }),
};

const SLACK_HOOK = /^https:\/\/hooks\.slack\.com\/services\/[^/]+\/[^/]+\/[^/]+$/;

export const notificationBlockData: ResourceValidationPolicy = {
    name: "notification-block-data",
    description:
        "A notification block's data is a JSON object with every field its type needs, none empty (slack-webhook: " +
        "url, a hooks.slack.com/services URL; custom-webhook: url; pager-duty-webhook: integration_key and api_key).",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: onBlocks((props, report) => {
        const required = (NOTIFICATION_BLOCK_FIELDS as Record<string, readonly string[] | undefined>)[props.typeSlug];
        if (!required) return;
        // Unknown during preview when it is built from a key not created yet; the update checks it.
        const raw = known(() => props.data);
        if (raw === UNKNOWN) return;
        const data = jsonObject(raw);
        if (!data) {
            report(`Block "${props.name}" (${props.typeSlug}) has no data, or data that is not a JSON object string.`);
            return;
        }
        const empty = required.filter((f) => typeof data[f] !== "string" || data[f].trim() === "");
        if (empty.length)
            report(`Block "${props.name}" (${props.typeSlug}) has no value for ${empty.join(", ")}: notifications through it fail.`);
        if (props.typeSlug === "slack-webhook" && typeof data.url === "string" && data.url !== "" && !SLACK_HOOK.test(data.url))
            report(
                `Block "${props.name}" (slack-webhook) has a url that is not a Slack incoming ` +
                    `webhook (https://hooks.slack.com/services/...); Apprise only delivers to that form.`,
            );
    }),
};

/** A custom-webhook field that is exactly one `{{key}}` placeholder. */
const PLACEHOLDER = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;

export const webhookUrlInSecrets: ResourceValidationPolicy = {
    name: "webhook-url-in-secrets",
    description:
        "A custom-webhook block keeps its URL in `secrets` and its `url` only names it (`{{webhook_url}}`): " +
        "Prefect returns `url` in clear to anyone who reads the block, " +
        "shows it in the UI and copies it into its block-document events, while `secrets` are masked.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: onBlocks((props, report) => {
        if (props.typeSlug !== "custom-webhook") return;
        const raw = known(() => props.data);
        if (raw === UNKNOWN) return;
        const data = jsonObject(raw);
        if (!data || typeof data.url !== "string" || data.url === "") return;
        const key = PLACEHOLDER.exec(data.url)?.[1];
        const secrets = jsonObject(data.secrets) ?? {};
        if (!key)
            report(
                `Block "${props.name}" (custom-webhook) holds its URL in the plain url field: ` +
                    `put it in the block's secrets and set url to a {{placeholder}} naming it.`,
            );
        else if (typeof secrets[key] !== "string" || secrets[key] === "")
            report(
                `Block "${props.name}" (custom-webhook) has url {{${key}}}, ` +
                    `but no secret "${key}" to fill it: notifications through it fail.`,
            );
    }),
};

export const blockPolicies = [blockDataSecret, notificationBlockData, webhookUrlInSecrets];
