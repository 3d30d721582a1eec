import * as pulumi from "@pulumi/pulumi";
import type { SecretSource } from "../channels/kind";

/** Where planned secret values are found at run time: stack config secrets, and the PagerDuty integration keys. */
export interface SecretValues {
    /** Secret config values by full key (`prefect-alerting:alertsWebhookUrl`). */
    config: Record<string, pulumi.Output<string>>;
    pagerDutyKeys?: Record<string, pulumi.Output<string>>;
}

/** The value a planned source names, as a secret Output. */
export function resolveSource(source: SecretSource, values: SecretValues): pulumi.Output<string> {
    const value = "configKey" in source ? values.config[source.configKey] : values.pagerDutyKeys?.[source.pagerDutyService];
    if (!value) throw new Error(`no secret value for ${JSON.stringify(source)}`);
    return pulumi.secret(value);
}
