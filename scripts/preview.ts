/**
 * Offline preview: runs the real program under Pulumi's runtime mocks with a
 * stack's config and prints what `pulumi up` would create. Secrets it cannot
 * decrypt and Prefect Cloud ids not yet set are replaced by visible
 * placeholders (config/offline.ts), listed as values to set before `pulumi up`.
 *
 *   npm run preview -- dev
 *   npm run preview -- examples/Pulumi.typo.yaml   (any stack file by path)
 */
import { resolve } from "node:path";
import { ConfigError } from "../config/errors";
import { PROJECT, parseStackConfig } from "../config/load";
import type { Incident } from "../alert/model";
import { automationsPerRoute, planAlerting } from "../rules/plan";
import { Placeholder, offlineConfig } from "../config/offline";
import { readStackFile, readStackFileAt, stackOfFile } from "../harness/stackFile";
import { RegisteredResource, mockUserId, unwrapSecrets } from "../harness/runProgram";
import { runProgramForEngine } from "../harness/engineCapture";
import { checkPolicies } from "./previewPolicies";
import { describeTrigger } from "../rules/describe";
import { SAMPLE_CONTEXT, renderSample } from "../alert/templates";
import { ACTION_FAILED_EVENT, sampleActionFailed } from "../signals/deliveryFailure";
import { fromProviderTrigger } from "../prefect/vocabulary";
import type { Mute } from "../config/model";
import { describeWindow, duration } from "../rules/quiet";

const ROOT = resolve(__dirname, "..");
const SAMPLE_UI = "http://127.0.0.1:4200";

async function main(): Promise<number> {
    const arg = process.argv[2];
    if (!arg) {
        console.error("usage: npm run preview -- <stack | path/to/Pulumi.<stack>.yaml>   (stacks: dev, prod, local)");
        return 2;
    }
    const byPath = /\.ya?ml$/.test(arg);
    const stack = byPath ? stackOfFile(arg) : arg;
    const file = byPath ? readStackFileAt(resolve(arg)) : readStackFile(ROOT, stack);
    // Keys are judged by the program's own parser, with the same secret flags as `pulumi up`; only values it cannot read are stood in for.
    let offline;
    try {
        offline = offlineConfig(stack, file);
    } catch (e) {
        if (e instanceof ConfigError) {
            console.error(e.message);
            return 1;
        }
        throw e;
    }
    const { raw, placeholders } = offline;

    let captured;
    try {
        captured = await runProgramForEngine({ stack, values: raw.values, secretKeys: [...raw.secretKeys] });
    } catch (e) {
        console.error(e instanceof Error ? e.message : String(e));
        return 1;
    }
    const { run, resources } = captured;
    // The program ran, so the config parses: the same plan it built, for the incidents and the per-route counts.
    const cfg = parseStackConfig(raw);
    const plan = planAlerting(cfg);
    const incidents = new Map(plan.automations.flatMap((a) => (a.incident ? [[a.key, a.incident] as const] : [])));
    const muted = new Map(plan.automations.flatMap((a) => (a.mute ? [[a.key, a.mute] as const] : [])));
    // Windows and mutes are judged by the real clock, as `pulumi up` judges them now.
    const now = new Date();
    const byKey = new Map(plan.automations.map((a) => [a.key, a.name] as const));
    const armed = new Map(plan.automations.flatMap((a) => (a.armedBy ? [[a.key, byKey.get(a.armedBy) ?? a.armedBy] as const] : [])));
    const arming = new Map(plan.automations.map((a) => [a.key, a.arms.map((k) => byKey.get(k) ?? k)] as const));
    print(stack, placeholders, file.encrypted, run.resources, run.invokes, incidents, muted, now, armed, arming);
    const costs = automationsPerRoute(
        plan,
        cfg.routes.map((r) => r.name),
    );
    console.log(["", ...describeRouteCosts(costs)].join("\n"));
    if (Object.keys(cfg.mutes).length + Object.keys(cfg.endedMutes).length)
        console.log(["", ...describeMutes(plan.automations, cfg.mutes, cfg.endedMutes, plan.muteTimers, now)].join("\n"));
    // What Pulumi Deployments would block, seen before a push: mandatory violations fail the preview.
    const policies = await checkPolicies(resources, environmentOf(raw.values));
    console.log(["", ...policies.lines].join("\n"));
    return policies.mandatory > 0 ? 1 : 0;
}

/** "dlt: 3 automations of its own (...)", and what it shares with other routes. */
export function describeRouteCosts(costs: ReturnType<typeof automationsPerRoute>): string[] {
    const lines = ["Automations per route (each route adds its own; shared ones are counted once for the stack)"];
    for (const c of costs)
        lines.push(
            `  ${c.route}: ${c.own.length} of its own${c.own.length ? ` (${c.own.join(", ")})` : ""}` +
                `${c.shared.length ? `; shares ${c.shared.join(", ")}` : ""}`,
        );
    return lines;
}

/**
 * Each muted route: until when and why, which automations are created disabled, which shared ones keep alerting;
 * the timers that enable them again at until; and mutes that have ended (to remove from the stack file).
 */
export function describeMutes(
    automations: { key: string; routes: string[]; enabled: boolean; incident?: { action: string } }[],
    mutes: Readonly<Record<string, Mute>>,
    ended: Readonly<Record<string, Mute>> = {},
    timers: readonly { name: string; until: string; trigger: { within: number }; resumes: string[] }[] = [],
    now?: Date,
): string[] {
    const lines = [
        "Muted routes (their automations are created disabled; at a mute's until a timer in Prefect enables them again, " +
            "without a pulumi up)",
    ];
    for (const [route, m] of Object.entries(mutes)) {
        const watching = automations.filter((a) => a.routes.includes(route));
        const off = watching.filter((a) => !a.enabled).map((a) => a.key);
        const resolving = watching.filter((a) => a.enabled && a.incident?.action === "resolve").map((a) => a.key);
        const shared = watching.filter((a) => a.enabled && a.incident?.action !== "resolve").map((a) => a.key);
        lines.push(
            `  ${route}: muted until ${m.until}: ${m.reason}; disabled: ${off.join(", ") || "none"}` +
                `${resolving.length ? `; still resolving incidents opened before the mute: ${resolving.join(", ")}` : ""}` +
                `${shared.length ? `; still alerting (shared with routes not muted): ${shared.join(", ")}` : ""}`,
        );
    }
    for (const t of timers)
        lines.push(
            `  timer "${t.name}": fires ${t.trigger.within} s after it is created` +
                `${now ? ` (in ${duration(Date.parse(t.until) - now.getTime())})` : ""}, ` +
                `resumes ${t.resumes.join(", ")}, then pauses itself`,
        );
    for (const [route, m] of Object.entries(ended))
        lines.push(
            `  ${route}: the mute ENDED at ${m.until} (${m.reason}); its automations are created enabled. ` +
                `Remove it from the stack file: pulumi config rm --path mute.${route}`,
        );
    return lines;
}

/**
 * A rendered body as a person reads it: JSON (Block Kit, a Teams card) indented;
 * a PagerDuty event (the fields after its routing key) completed with the key
 * the block adds, shown as a placeholder.
 */
export function readable(rendered: string): string {
    const text = rendered.trim();
    const asJson = (t: string) => {
        try {
            return JSON.stringify(JSON.parse(t), null, 2);
        } catch {
            return undefined;
        }
    };
    if (text.startsWith("{")) return asJson(text) ?? rendered;
    if (text.startsWith('"event_action"') || text.startsWith('"dedup_key"'))
        return asJson(`{"routing_key":"<the service's integration key, a block secret>",${text}}`) ?? rendered;
    return rendered;
}

/** The stack's `environment` setting (Pulumi.yaml's default when the stack file leaves it out). */
function environmentOf(values: Record<string, string>): string {
    return values[`${PROJECT}:environment`] ?? "development";
}

function print(
    stack: string,
    placeholders: Placeholder[],
    encrypted: string[],
    resources: RegisteredResource[],
    invokes: { token: string; inputs: Record<string, unknown> }[],
    incidents: ReadonlyMap<string, Incident>,
    muted: ReadonlyMap<string, Mute>,
    now: Date,
    /** Armed resolve key -> its alert's name; alert key -> names of the resolves it turns on. */
    armed: ReadonlyMap<string, string> = new Map(),
    arming: ReadonlyMap<string, string[]> = new Map(),
): void {
    const out: string[] = [];
    const of = (type: string) =>
        resources.filter((r) => r.type === type).map((r) => ({ ...r, inputs: unwrapSecrets(r.rawInputs) as Record<string, any> }));
    out.push(`Offline preview of stack "${stack}": the real program under Pulumi's runtime mocks; nothing is created.`);
    if (encrypted.length) out.push(`Encrypted in the stack file (not decrypted here): ${encrypted.join(", ")}`);
    const mustSet = placeholders.filter((p) => p.mustSet);
    if (mustSet.length) {
        out.push("Values you must set before `pulumi up` (replaced here by placeholders):");
        for (const p of mustSet) out.push(`  ${p.key}: ${p.purpose}; ${p.command}`);
    }

    const blocks = of("prefect:index/block:Block").sort((a, b) => a.inputs.name.localeCompare(b.inputs.name));
    const blockById = new Map(blocks.map((b) => [b.id, b]));
    out.push("", `Prefect notification blocks (${blocks.length})`);
    for (const b of blocks) out.push(`  ${b.inputs.name}  [${b.inputs.typeSlug}]  data: secret`);

    const tierOrder = ["WarningTier", "CriticalTier", "P1Tier", "InfoNotices"];
    const tierOf = (r: RegisteredResource) => (r.parent.split("::").at(-2)?.split("$").at(-1) ?? "").replace("alerting:index:", "");
    // Mute timers notify nobody: listed with the muted routes (describeMutes), not here.
    const automations = of("prefect:index/automation:Automation")
        .filter((a) => tierOf(a) !== "MuteTimers")
        .sort((a, b) => tierOrder.indexOf(tierOf(a)) - tierOrder.indexOf(tierOf(b)) || a.inputs.name.localeCompare(b.inputs.name));
    out.push("", `Prefect automations (${automations.length})`);
    for (const a of automations) {
        const spec = fromProviderTrigger(a.inputs.trigger.event);
        const armedBy = armed.get(a.name);
        const state = a.inputs.enabled !== false ? "" : armedBy ? "   ARMED BY ITS ALERT" : "   MUTED";
        out.push("", `  ${a.inputs.name}   (${tierOf(a)})${state}`);
        out.push(`    ${a.inputs.description}`);
        const mute = muted.get(a.name);
        if (a.inputs.enabled === false && armedBy)
            out.push(`    armed: created disabled; "${armedBy}" turns it on when it fires, and it turns itself off once it fired`);
        else if (a.inputs.enabled === false)
            out.push(`    muted: created disabled (enabled: false)${mute ? ` until ${mute.until}, reason: ${mute.reason}` : ""}`);
        out.push(`    trigger: ${describeTrigger(spec)}`);
        const all = a.inputs.actions as { type: string; blockDocumentId: string; subject: string; body: string }[];
        const actions = all.filter((x) => x.type === "send-notification");
        out.push(`    notifies: ${actions.map((x) => blockById.get(x.blockDocumentId)?.inputs.name ?? x.blockDocumentId).join(", ")}`);
        const arms = arming.get(a.name);
        if (arms?.length) out.push(`    when it fires, also turns on: ${arms.join(", ")}`);
        const incident = incidents.get(a.name);
        if (incident)
            out.push(`    incident: ${incident.action === "trigger" ? "opens" : "resolves"} PagerDuty dedup key ${incident.dedupKey}`);
        let previous = "";
        // Alerts about alerting are rendered for a failed delivery of the stack's first other automation.
        const watched = spec.expect.includes(ACTION_FAILED_EVENT) ? automations.find((x) => x !== a)?.inputs.name : undefined;
        const context = watched ? { ...SAMPLE_CONTEXT, event: sampleActionFailed(watched) } : SAMPLE_CONTEXT;
        const sample = watched ? `a sample failed delivery of ${watched}'s first action` : "a sample failed run and work pool";
        for (const action of actions) {
            const block = blockById.get(action.blockDocumentId)?.inputs.name ?? action.blockDocumentId;
            const rendered = readable(renderSample(action.body, SAMPLE_UI, context));
            if (rendered === previous) {
                out.push(`    message to ${block}: the same as above`);
                continue;
            }
            previous = rendered;
            out.push(`    message to ${block}, rendered with ${sample}:`);
            out.push(`      subject: ${renderSample(action.subject, SAMPLE_UI, context)}`);
            for (const line of rendered.split("\n")) out.push(`      | ${line}`);
        }
    }

    const policies = of("pagerduty:index/escalationPolicy:EscalationPolicy");
    if (policies.length) {
        const names = new Map<string, string>();
        for (const s of of("pagerduty:index/schedule:Schedule")) names.set(s.id!, `on-call schedule "${s.inputs.name}"`);
        for (const i of invokes.filter((x) => x.token === "pagerduty:index/getUser:getUser"))
            names.set(mockUserId(String(i.inputs.email)), String(i.inputs.email));
        out.push("", "PagerDuty");
        for (const svc of of("pagerduty:index/service:Service").sort((a, b) => a.inputs.name.localeCompare(b.inputs.name))) {
            const policy = policies.find((p) => p.id === svc.inputs.escalationPolicy);
            out.push(`  service "${svc.inputs.name}" -> escalation policy "${policy?.inputs.name}"`);
            let at = 0;
            for (const rule of policy?.inputs.rules ?? []) {
                const who = rule.targets.map((t: { id: string }) => names.get(t.id) ?? t.id).join(" + ");
                out.push(`    at ${at} min: ${who} (escalates after ${rule.escalationDelayInMinutes} min unacknowledged)`);
                at += rule.escalationDelayInMinutes;
            }
            out.push(`    unacknowledged, the ladder runs ${policy?.inputs.numLoops ?? 0} more time(s)`);
        }
        for (const i of of("pagerduty:index/serviceIntegration:ServiceIntegration").sort((a, b) => a.name.localeCompare(b.name)))
            out.push(
                `  Events API v2 integration "${i.inputs.name}" on ${i.name.replace("-events-v2", "")}: ` +
                    `its key goes into the Prefect pager-duty-webhook block (secret)`,
            );
    }

    const windows = of("pagerduty:index/maintenanceWindow:MaintenanceWindow").sort(
        (a, b) => Date.parse(a.inputs.startTime) - Date.parse(b.inputs.startTime),
    );
    if (windows.length) {
        const serviceNames = new Map(of("pagerduty:index/service:Service").map((svc) => [svc.id, String(svc.inputs.name)]));
        out.push("", `PagerDuty maintenance windows (no incidents on these services while one is on; now is ${now.toISOString()})`);
        for (const w of windows)
            out.push(
                `  ${describeWindow(
                    w.inputs as { description: string; startTime: string; endTime: string },
                    (w.inputs.services as string[]).map((id) => serviceNames.get(id) ?? id),
                    now,
                )}`,
            );
    }

    const mirrored = of("aws:secretsmanager/secret:Secret").sort((a, b) => a.inputs.name.localeCompare(b.inputs.name));
    if (mirrored.length) {
        out.push("", "AWS Secrets Manager (values are Pulumi secrets)");
        for (const s of mirrored)
            out.push(`  ${s.inputs.name}  (recovery window ${s.inputs.recoveryWindowInDays} days): ${s.inputs.description}`);
    }

    const counts = new Map<string, number>();
    for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    out.push("", `Resources: ${resources.length}`);
    for (const [type, n] of [...counts].sort()) out.push(`  ${String(n).padStart(3)}  ${type}`);
    console.log(out.join("\n"));
}

if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (e) => {
            console.error(e instanceof Error ? e.message : String(e));
            process.exit(1);
        },
    );
}
