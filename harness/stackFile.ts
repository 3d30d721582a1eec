import { readFileSync, existsSync } from "node:fs";
import { basename, join } from "node:path";
import { parse } from "yaml";

/** Pulumi.<stack>.yaml as the runtime's flat config map: objects as JSON, `secure:` values left out (we cannot decrypt them). */
export function readStackFile(root: string, stack: string): { values: Record<string, string>; encrypted: string[] } {
    return readStackFileAt(join(root, `Pulumi.${stack}.yaml`));
}

/** The stack a `Pulumi.<stack>.yaml` path names. */
export function stackOfFile(file: string): string {
    return basename(file)
        .replace(/^Pulumi\./, "")
        .replace(/\.ya?ml$/, "");
}

export function readStackFileAt(file: string): { values: Record<string, string>; encrypted: string[] } {
    if (!existsSync(file)) throw new Error(`No stack file ${file}: stacks are dev, prod, local or a Pulumi.<stack>.yaml you add.`);
    const doc = (parse(readFileSync(file, "utf8")) ?? {}) as { config?: unknown };
    // Pulumi passes an empty file, or one without `config:`, to the program as an empty config; the program says what is missing.
    const config = doc.config ?? {};
    if (typeof config !== "object" || Array.isArray(config))
        throw new Error(`${basename(file)}: config: must be a map of <namespace>:<key> settings, such as prefect-alerting:channels`);
    const values: Record<string, string> = {};
    const encrypted: string[] = [];
    for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
        if (value && typeof value === "object" && "secure" in (value as object)) encrypted.push(key);
        else values[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return { values, encrypted };
}
