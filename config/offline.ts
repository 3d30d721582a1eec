import { formOf } from "../channels/registry";
import { PROJECT, RawConfig, SecretKey, isPrefectCloud, parseStructure, requiredSecrets } from "./load";

/**
 * The offline preview's view of a stack file (pure). It cannot decrypt
 * `secure:` values and a fresh clone has no Prefect Cloud ids, so it stands in
 * for what it cannot know and lists it; every KEY is still judged by the
 * program's own parser, with the same secret flags, exactly as `pulumi up`
 * would judge it. The config the preview then runs the program with goes
 * through loadStackConfig like a real run.
 */

/** One value the preview made up; `mustSet` ones are missing from the stack and needed by `pulumi up`. */
export interface Placeholder {
    key: string;
    value: string;
    purpose: string;
    /** The command that sets the real value. */
    command: string;
    /** Missing (as opposed to set but encrypted, so unreadable here). */
    mustSet: boolean;
}

/** What an encrypted value is replaced with before anything has looked at it. */
export const ENCRYPTED_STAND_IN = "encrypted-value-not-decrypted-offline";
/** Visibly made-up Prefect Cloud ids: valid UUIDs (so the run is a normal run), obviously not real ones. */
export const CLOUD_ID_PLACEHOLDERS = {
    "prefect:accountId": "aaaaaaaa-aaaa-4aaa-aaaa-aaaaaaaaaaaa",
    "prefect:workspaceId": "bbbbbbbb-bbbb-4bbb-bbbb-bbbbbbbbbbbb",
} as const;

/** Visible stand-ins for secrets that still pass validation, so the program runs exactly as with real secrets. */
export function placeholderFor(s: SecretKey): string {
    // Each form's own stand-in (channels/*.ts), so a new channel kind previews without touching this file.
    return formOf(s).placeholder(s);
}

const setCommand = (key: string, secret: boolean, project: string, value = "<value>") =>
    `pulumi config set${secret ? " --secret" : ""} ${key.startsWith(`${project}:`) ? key.slice(project.length + 1) : key} ${value}`;

/**
 * The flat config the preview runs the program with. Throws the parser's
 * ConfigError for a stack the real run would refuse for its keys or plain
 * values; secret VALUES can only be judged by the real run.
 */
export function offlineConfig(
    stack: string,
    file: { values: Record<string, string>; encrypted: string[] },
    project = PROJECT,
): { raw: RawConfig; placeholders: Placeholder[] } {
    const values = { ...file.values };
    const encrypted = new Set(file.encrypted);
    // An encrypted value this machine could not read stands in as such (a caller that could decrypt passes the value itself).
    const unread = new Set([...encrypted].filter((key) => values[key] === undefined));
    for (const key of unread) values[key] = key === "prefect:endpoint" ? "http://encrypted-endpoint.invalid/api" : ENCRYPTED_STAND_IN;
    const placeholders: Placeholder[] = [];

    // Missing (or unreadable) Prefect Cloud ids are treated like missing secrets: stand-ins, listed.
    if (isPrefectCloud(values["prefect:endpoint"]) && !unread.has("prefect:endpoint")) {
        for (const [key, value] of Object.entries(CLOUD_ID_PLACEHOLDERS)) {
            if (values[key] !== undefined && !unread.has(key)) continue;
            values[key] = value;
            placeholders.push({
                key,
                value,
                purpose: `Prefect Cloud ${key === "prefect:accountId" ? "account" : "workspace"} id`,
                command: setCommand(key, false, project, "<uuid>"),
                mustSet: !encrypted.has(key),
            });
        }
    }

    const raw: RawConfig = { project, stack, values, secretKeys: encrypted };
    for (const s of requiredSecrets(parseStructure(raw))) {
        // A readable value (plain, or decrypted) is judged by the program's own checks as it is.
        if (values[s.key] !== undefined && !unread.has(s.key)) continue;
        const isSet = unread.has(s.key);
        values[s.key] = placeholderFor(s);
        encrypted.add(s.key);
        placeholders.push({
            key: s.key,
            value: values[s.key],
            purpose: s.purpose,
            command: setCommand(s.key, true, project),
            mustSet: !isSet,
        });
    }
    return { raw: { ...raw, values, secretKeys: encrypted }, placeholders };
}
