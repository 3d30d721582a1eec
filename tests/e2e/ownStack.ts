import { inject, vi } from "vitest";
import { Applied, ApplyOptions, applyToPrefect } from "./applyToPrefect";
import { prefectRequest } from "./prefectApi";
import { Receiver } from "./receiver";

/**
 * "A small stack of its own": the e2e files other than the main suite apply the `local` stack file under their own
 * stack name, with their own channels and routes and only the tiers/signals under test on, so that no scenario sees
 * another's runs. The local stack file sets the four tiers (all on) and no signal section (a signal is off while its
 * section is absent), so turning the four tiers off leaves nothing on but `sections`.
 */

export const TIERS_OFF: Readonly<Record<string, unknown>> = {
    warning: { enabled: false },
    successNotice: { enabled: false },
    critical: { enabled: false },
    p1: { enabled: false },
};

export interface OwnStackSpec {
    stack: string;
    channels: Record<string, unknown>;
    routes: Record<string, unknown>;
    /** Tier and signal sections to turn on (or set), e.g. { warning: { enabled: true, channels: ["alerts"] } }. */
    sections?: Record<string, unknown>;
}

/** The stack's project keys (no `prefect-alerting:` prefix), as applied; a test that runs a command writes the same to a stack file. */
export function ownStackSettings(spec: OwnStackSpec): Record<string, unknown> {
    return { channels: spec.channels, routes: spec.routes, ...TIERS_OFF, ...spec.sections };
}

export interface OwnStackOptions extends OwnStackSpec, Pick<ApplyOptions, "secrets" | "outputs"> {
    /** A receiver to deliver to (e.g. shared by two stacks of one file); by default one is started, and closed by cleanup. */
    receiver?: Receiver;
    /** applyToPrefect's `deliverTo`, given the receiver's URL. */
    deliverTo?: (receiverUrl: string) => Record<string, string>;
}

export interface OwnStack {
    receiver: Receiver;
    applied: Applied;
    settings: Record<string, unknown>;
    /** Deletes the stack's automations (nothing fires into a closed receiver while later files run), closes a receiver it started. */
    cleanup(): Promise<void>;
}

export async function applyOwnStack(opts: OwnStackOptions): Promise<OwnStack> {
    const { apiUrl: api } = inject("prefect");
    const receiver = opts.receiver ?? (await Receiver.start());
    const settings = ownStackSettings(opts);
    let applied: Applied;
    try {
        // The program's modules hold per-run state (Pulumi's runtime): a fresh copy for each apply.
        vi.resetModules();
        applied = await applyToPrefect({
            api,
            receiverUrl: receiver.url,
            stack: opts.stack,
            file: "local",
            edit: Object.fromEntries(Object.entries(settings).map(([key, value]) => [key, () => value])),
            secrets: opts.secrets,
            deliverTo: opts.deliverTo?.(receiver.url),
            outputs: opts.outputs,
        });
    } catch (e) {
        if (!opts.receiver) await receiver.close();
        throw e;
    }
    return {
        receiver,
        applied,
        settings,
        async cleanup() {
            // Some may be gone already (a test deletes one once it has fired): a 404 is fine.
            for (const a of applied.automations) await prefectRequest(api, "DELETE", `/automations/${a.id}`).catch(() => undefined);
            if (!opts.receiver) await receiver.close();
        },
    };
}
