import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfigModule from "@pulumi/pulumi/runtime/config";
import { ConfigError, DeployConfig, parseDeployConfig } from "./config";

// isConfigSecret is exported by the runtime but missing from its typings.
const runtimeConfig = runtimeConfigModule as unknown as { isConfigSecret(key: string): boolean };

/** The pack's version from policy/package.json: what `pulumi policy publish policy` publishes. */
export function packVersion(): string | undefined {
    try {
        return JSON.parse(readFileSync(join(__dirname, "..", "policy", "package.json"), "utf8")).version;
    } catch {
        return undefined;
    }
}

/** The program's edge: the whole config checked before any resource exists; a bad stack stops with one message. */
export function loadDeployConfig(): DeployConfig {
    const values = pulumi.runtime.allConfig();
    const secretKeys = new Set(Object.keys(values).filter((k) => runtimeConfig.isConfigSecret(k)));
    try {
        return parseDeployConfig({ stack: pulumi.getStack(), values, secretKeys, packVersion: packVersion() });
    } catch (e) {
        if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
}
