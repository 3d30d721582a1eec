import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./errors";
import { RawConfig, StackConfig, parseStackConfig } from "./load";
import * as runtimeConfigModule from "@pulumi/pulumi/runtime/config";
import { readThresholdsFile } from "./thresholdsFile";

// isConfigSecret is exported by the runtime but missing from its typings.
const runtimeConfig = runtimeConfigModule as unknown as { isConfigSecret(key: string): boolean };

/** The running stack's whole config map, with which keys Pulumi holds as secrets. */
export function readRawConfig(): RawConfig {
    const values = pulumi.runtime.allConfig();
    const secretKeys = new Set(Object.keys(values).filter((k) => runtimeConfig.isConfigSecret(k)));
    const stack = pulumi.getStack();
    return { project: pulumi.getProject(), stack, values, secretKeys, thresholds: readThresholdsFile(stack) };
}

/**
 * The program's edge: parse and validate before any resource exists. A bad
 * stack stops here with one clean message (RunError: no stack trace).
 */
export function loadStackConfig(): StackConfig {
    try {
        return parseStackConfig(readRawConfig());
    } catch (e) {
        if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
}

/** Secret project keys as Pulumi secrets (provider keys are read by the providers themselves). */
export function readSecrets(cfg: StackConfig): Record<string, pulumi.Output<string>> {
    const out: Record<string, pulumi.Output<string>> = {};
    const config = new pulumi.Config(cfg.project);
    for (const s of cfg.secrets) {
        const [ns, name] = s.key.split(":");
        if (ns === cfg.project) out[s.key] = config.requireSecret(name);
    }
    return out;
}
