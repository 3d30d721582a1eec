/**
 * The config keys each provider this program uses accepts, and which of them
 * hold credentials (a plain value is refused). Committed data rather than read
 * at run time: the program must judge a stack the same way wherever it runs,
 * and the Prefect schema is not part of the repository. tests/providerKeys.test.ts
 * derives the same lists from the real sources and fails when they differ:
 *
 * - prefect: the Terraform provider schema (prefect-provider-3.4.1.schema.json,
 *   `provider` block; names camelCased as the bridge does, `sensitive` flags)
 *   and the bridged SDK's config module (sdks/prefect/config/vars.ts).
 * - pagerduty: node_modules/@pulumi/pagerduty/config/vars.d.ts. Its schema marks
 *   no key secret; `token` and `userToken` are REST API tokens, so this program
 *   requires them secret anyway.
 * - aws: node_modules/@pulumi/aws/config/vars.d.ts; secret flags from the
 *   SDK's provider.js (the keys it wraps in pulumi.secret).
 */
export interface ProviderKeys {
    /** Every key the provider's config accepts (camelCase, as in Pulumi.<stack>.yaml). */
    keys: readonly string[];
    /** Keys that must be set with `pulumi config set --secret`. */
    sensitive: readonly string[];
}

export const PROVIDER_CONFIG = {
    prefect: {
        keys: ["accountId", "apiKey", "basicAuthKey", "csrfEnabled", "customHeaders", "endpoint", "profile", "profileFile", "workspaceId"],
        sensitive: ["apiKey", "basicAuthKey", "customHeaders"],
    },
    pagerduty: {
        keys: ["apiUrlOverride", "serviceRegion", "skipCredentialsValidation", "token", "userToken"],
        sensitive: ["token", "userToken"],
    },
    aws: {
        keys: [
            "accessKey",
            "allowedAccountIds",
            "assumeRoleWithWebIdentity",
            "assumeRoles",
            "customCaBundle",
            "defaultTags",
            "ec2MetadataServiceEndpoint",
            "ec2MetadataServiceEndpointMode",
            "endpoints",
            "forbiddenAccountIds",
            "httpProxy",
            "httpsProxy",
            "ignoreTags",
            "insecure",
            "maxRetries",
            "noProxy",
            "profile",
            "region",
            "retryMode",
            "s3UsEast1RegionalEndpoint",
            "s3UsePathStyle",
            "secretKey",
            "sharedConfigFiles",
            "sharedCredentialsFiles",
            "skipCredentialsValidation",
            "skipMetadataApiCheck",
            "skipRegionValidation",
            "skipRequestingAccountId",
            "stsRegion",
            "tagPolicyCompliance",
            "token",
            "tokenBucketRateLimiterCapacity",
            "useDualstackEndpoint",
            "useFipsEndpoint",
            "userAgents",
        ],
        sensitive: ["accessKey", "secretKey", "token"],
    },
} as const satisfies Record<string, ProviderKeys>;

export type ProviderNamespace = keyof typeof PROVIDER_CONFIG;

/**
 * Pulumi's own namespace (`pulumi:disable-default-providers`, `pulumi:autonaming`...).
 * The engine reads and checks these keys itself; the program accepts the whole namespace.
 */
export const PULUMI_NAMESPACE = "pulumi";

/** `prefect:apiKey` style full keys of every provider key. */
export function providerKeys(): string[] {
    return Object.entries(PROVIDER_CONFIG).flatMap(([ns, p]) => p.keys.map((k) => `${ns}:${k}`));
}

/** Full keys of the provider keys that must be secret. */
export function sensitiveProviderKeys(): string[] {
    return Object.entries(PROVIDER_CONFIG).flatMap(([ns, p]) => p.sensitive.map((k) => `${ns}:${k}`));
}
