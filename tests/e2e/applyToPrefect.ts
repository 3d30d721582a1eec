import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { PROJECT } from "../../config/load";
import { ProgramRun, runProgram, unwrapSecrets } from "../../harness/runProgram";
import { readStackFile } from "../../harness/stackFile";
import { get, post } from "./prefectApi";
import { ROOT } from "./prefectServer";
import { EVENT_TRIGGER_FIELDS } from "../../prefect/vocabulary";

/**
 * Applies the real program (index.ts) to a real Prefect server: the Pulumi
 * runtime runs under mocks, and the mock for Prefect resources does what the
 * Terraform provider's create does, so every block and automation exists on
 * the server with the server's own ids. Other resources (components, AWS,
 * PagerDuty) are echoed. Every automation is read back and compared with what
 * was sent: Prefect drops unknown nested keys without a word.
 */

export interface ApplyOptions {
    /** The server's API URL (…/api): becomes prefect:endpoint. */
    api: string;
    /**
     * Loopback receiver; each webhook channel's secret URL becomes `<receiverUrl>/<channel>?token=<random>`, the
     * token standing for the credential a real webhook URL carries (the receiver tells channels apart by path).
     */
    receiverUrl: string;
    stack?: string;
    /** The stack file whose config is applied (`Pulumi.<file>.yaml`); default: the stack's own. */
    file?: string;
    /** Edits to the stack's project keys, e.g. { p1: (p1) => ({ ...p1, noSuccessMinutes: 0.5 }) }. */
    edit?: Record<string, (current: any) => unknown>;
    /** Further secret config values, e.g. a Teams channel's URL (which the program only accepts in Teams' own form). */
    secrets?: Record<string, string>;
    /**
     * Where a block really sends: a secret value in a block's `data.secrets` that is a key here is replaced by
     * its value when the block is created on the server (a Teams-form URL -> the loopback receiver), the way a
     * test resolver would point that host at the receiver. Everything else is the program's own data.
     */
    deliverTo?: Record<string, string>;
    /**
     * Outputs a provider computes for a resource that is not Prefect's (those are echoed from their inputs), e.g. a
     * PagerDuty integration's `integrationKey`, which the program passes to the blocks as their routing key.
     */
    outputs?: (type: string, name: string) => Record<string, unknown> | undefined;
}

export interface Created {
    type: string;
    /** Pulumi resource name, e.g. `warning-dlt` or `block-alerts`. */
    name: string;
    id: string;
    /** The request body POSTed to Prefect. */
    sent: Record<string, any>;
}

export interface Applied {
    run: ProgramRun;
    blocks: Created[];
    automations: Created[];
    /** Channel name -> secret URL given to the program. */
    channelUrls: Record<string, string>;
}

const BLOCK = "prefect:index/block:Block";
const AUTOMATION = "prefect:index/automation:Automation";

export async function applyToPrefect(opts: ApplyOptions): Promise<Applied> {
    const stack = opts.stack ?? "local";
    const { values } = readStackFile(ROOT, opts.file ?? stack);
    for (const [key, edit] of Object.entries(opts.edit ?? {})) {
        const full = `${PROJECT}:${key}`;
        values[full] = JSON.stringify(edit(values[full] === undefined ? undefined : JSON.parse(values[full])));
    }
    values["prefect:endpoint"] = opts.api;

    // One secret URL per webhook channel, on the receiver.
    const channels = JSON.parse(values[`${PROJECT}:channels`] ?? "{}") as Record<string, { type: string }>;
    const channelUrls: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [name, spec] of Object.entries(channels)) {
        if (spec.type !== "webhook") continue;
        channelUrls[name] = `${opts.receiverUrl}/${name}?token=e2e-${randomUUID()}`;
        values[`${PROJECT}:${name}WebhookUrl`] = channelUrls[name];
        secretKeys.push(`${PROJECT}:${name}WebhookUrl`);
    }
    for (const [key, value] of Object.entries(opts.secrets ?? {})) {
        values[key] = value;
        secretKeys.push(key);
    }

    const blocks: Created[] = [];
    const automations: Created[] = [];
    let failed: (e: unknown) => void = () => {};
    const failure = new Promise<never>((_, reject) => (failed = reject));

    const run = await Promise.race([
        failure,
        runProgram({
            stack,
            values,
            secretKeys,
            newResource: async ({ type, name, inputs, custom }) => {
                try {
                    if (custom && type === BLOCK) {
                        const created = await createBlock(opts.api, name, inputs, opts.deliverTo);
                        blocks.push(created);
                        return { id: created.id, state: inputs };
                    }
                    if (custom && type === AUTOMATION) {
                        const sent = automationBody(inputs);
                        const { id } = await post(opts.api, "/automations/", sent);
                        automations.push({ type, name, id, sent });
                        return { id, state: inputs };
                    }
                    if (custom && type.startsWith("prefect:")) throw new Error(`no create for ${type} in the e2e mock`);
                    return { id: `${name}-id`, state: { ...inputs, ...opts.outputs?.(type, name) } };
                } catch (e) {
                    failed(new Error(`creating ${type} ${name} on the Prefect server: ${(e as Error).message}`));
                    throw e;
                }
            },
        }),
    ]);

    const differences: string[] = [];
    for (const a of automations) {
        const stored = await get(opts.api, `/automations/${a.id}`);
        for (const d of diff(a.sent, stored, "")) differences.push(`automation ${a.name} (${a.id}): ${d}`);
    }
    if (differences.length) throw new Error(`Prefect did not store what was sent:\n${differences.join("\n")}`);
    return { run, blocks, automations, channelUrls };
}

/** prefect_block create: block type by slug, its newest schema, then the block document. */
async function createBlock(
    api: string,
    name: string,
    inputs: Record<string, unknown>,
    deliverTo: Record<string, string> = {},
): Promise<Created> {
    const { name: blockName, typeSlug, data, ...rest } = unwrapSecrets(inputs) as Record<string, any>;
    noOtherKeys(rest, `block ${name}`);
    const parsed = JSON.parse(data);
    if (parsed.secrets)
        parsed.secrets = Object.fromEntries(
            Object.entries(parsed.secrets).map(([k, v]) => [k, typeof v === "string" && Object.hasOwn(deliverTo, v) ? deliverTo[v] : v]),
        );
    const { id, sent } = await createBlockDocument(api, blockName, typeSlug, parsed);
    return { type: BLOCK, name, id, sent };
}

/** A block document of type `typeSlug` with `data`, as prefect_block creates it. */
export async function createBlockDocument(
    api: string,
    name: string,
    typeSlug: string,
    data: Record<string, unknown>,
): Promise<{ id: string; sent: Record<string, any> }> {
    const schema = await blockSchema(api, typeSlug);
    const sent = { name, block_type_id: schema.block_type_id, block_schema_id: schema.id, data };
    const doc = await post(api, "/block_documents/", sent);
    return { id: doc.id, sent };
}

/** The newest block schema of a block type (what prefect_block uses), with its `fields.secret_fields`. */
export async function blockSchema(
    api: string,
    typeSlug: string,
): Promise<{ id: string; block_type_id: string; fields: { secret_fields?: string[] } }> {
    const blockType = await get(api, `/block_types/slug/${encodeURIComponent(typeSlug)}`);
    const [schema] = await post(api, "/block_schemas/filter", { block_schemas: { block_type_id: { any_: [blockType.id] } }, limit: 1 });
    if (!schema) throw new Error(`no block schema for block type ${typeSlug}`);
    return schema;
}

/** prefect_automation inputs (the bridged SDK's camelCase, JSON strings) -> Prefect's request body. */
export function automationBody(inputs: Record<string, any>): Record<string, any> {
    const { name, description, enabled, trigger, actions, actionsOnTriggers, actionsOnResolves, ...rest } = inputs;
    noOtherKeys(rest, "automation");
    const { event, ...otherTriggers } = trigger ?? {};
    noOtherKeys(otherTriggers, "trigger (only event triggers are translated)");
    if (!event) throw new Error("automation without trigger.event");
    // The provider's names -> Prefect's, by the one mapping (prefect/vocabulary.ts); a field left out stays out.
    const restEvent: Record<string, any> = { ...event };
    const apiTrigger: Record<string, any> = { type: "event" };
    for (const [field, { provider, form }] of Object.entries(EVENT_TRIGGER_FIELDS)) {
        const value = restEvent[provider];
        delete restEvent[provider];
        if (value !== undefined) apiTrigger[field] = form === "json" ? JSON.parse(value) : value;
    }
    noOtherKeys(restEvent, "trigger.event");
    const body: Record<string, any> = {
        name,
        trigger: apiTrigger,
        actions: (actions ?? []).map(action),
    };
    if (description !== undefined) body.description = description;
    if (enabled !== undefined) body.enabled = enabled;
    if (actionsOnTriggers !== undefined) body.actions_on_trigger = actionsOnTriggers.map(action);
    if (actionsOnResolves !== undefined) body.actions_on_resolve = actionsOnResolves.map(action);
    return body;
}

function action(a: Record<string, any>): Record<string, any> {
    if (a.type === "resume-automation" || a.type === "pause-automation") return automationSwitch(a);
    const { type, blockDocumentId, subject, body, ...rest } = a;
    noOtherKeys(rest, `action ${type}`);
    return defined({ type, block_document_id: blockDocumentId, subject, body });
}

/** A mute timer's actions (components/muteTimers.ts): resume / pause an automation, selected by id or inferred from the event. */
function automationSwitch(a: Record<string, any>): Record<string, any> {
    const { type, source, automationId, ...rest } = a;
    noOtherKeys(rest, `action ${type}`);
    return defined({ type, source, automation_id: automationId });
}

function defined(o: Record<string, unknown>): Record<string, any> {
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function noOtherKeys(rest: Record<string, unknown>, where: string): void {
    const keys = Object.keys(rest).filter((k) => rest[k] !== undefined);
    if (keys.length) throw new Error(`${where}: no translation for input(s) ${keys.join(", ")}`);
}

/** Trigger fields Prefect holds as sets: order is not kept. */
const SETS = new Set(["after", "expect", "for_each"]);

/** Every place where `stored` does not hold what `sent` says (keys the server adds are fine). */
export function diff(sent: unknown, stored: unknown, path: string): string[] {
    const key = path.split(".").pop() ?? "";
    if (Array.isArray(sent)) {
        if (!Array.isArray(stored)) return [`${path}: sent ${JSON.stringify(sent)}, stored ${JSON.stringify(stored)}`];
        if (SETS.has(key)) {
            const a = [...sent].map(String).sort();
            const b = [...stored].map(String).sort();
            return isDeepStrictEqual(a, b) ? [] : [`${path}: sent ${JSON.stringify(a)}, stored ${JSON.stringify(b)}`];
        }
        if (sent.length !== stored.length) return [`${path}: sent ${sent.length} items, stored ${stored.length}`];
        return sent.flatMap((item, i) => diff(item, stored[i], `${path}[${i}]`));
    }
    if (sent && typeof sent === "object") {
        if (!stored || typeof stored !== "object" || Array.isArray(stored))
            return [`${path}: sent an object, stored ${JSON.stringify(stored)}`];
        return Object.entries(sent).flatMap(([k, v]) => {
            const p = path ? `${path}.${k}` : k;
            if (!(k in (stored as object))) return [`${p}: sent ${JSON.stringify(v)}, not stored (dropped)`];
            return diff(v, (stored as Record<string, unknown>)[k], p);
        });
    }
    return sent === stored ? [] : [`${path}: sent ${JSON.stringify(sent)}, stored ${JSON.stringify(stored)}`];
}
