import type { Firing, ReplayEvent } from "../../backtest/engine";
import { kindOf } from "../../channels/registry";
import type { Route } from "../../config/model";
import type { AlertPlan, PlannedAutomation } from "../../rules/plan";

/**
 * What each replayed firing would have sent, channel by channel (pure): a message to a chat, webhook or e-mail
 * channel, a page (a PagerDuty Events API v2 `trigger`), a PagerDuty `resolve`, or a trigger held back by a PagerDuty
 * maintenance window (PagerDuty opens no incident on a service while a window is on). One delivery per firing of each
 * automation that sends to the channel, as Prefect runs one action per channel (rules/plan.ts `actionsFor`).
 */

export type DeliveryKind = "message" | "page" | "resolve" | "held";

export interface Delivery {
    /** The automation's key (rules/plan.ts). */
    automation: string;
    at: number;
    channel: string;
    kind: DeliveryKind;
    /** The routes the firing counts for (the automation's, narrowed to those the triggering run matches). */
    routes: string[];
    /** The flow the firing is about, or what else it names ("work pool default", "(stack-wide)"). */
    flow: string;
    /** PagerDuty only: the incident, as the channel's service and the rendered dedup key. */
    incident?: string;
}

/** The parts of a stack a replay is judged by: its plan and its routes (for "which route did this run match"). */
export interface BacktestPlan {
    stack: string;
    plan: AlertPlan;
    routes: Route[];
}

const ID = "prefect.resource.id";
const NAME = "prefect.resource.name";
const ROLE = "prefect.resource.role";

const resourcesOf = (e: ReplayEvent): Record<string, string>[] => [e.resource, ...e.related];

/**
 * A dedup key template (alert/incidents.ts) rendered for one event: `{{ flow.id }}` is the id of the event's
 * `prefect.flow.<id>` resource, `{{ work_pool.id }}` of its `prefect.work-pool.<id>`, and so on, as Prefect loads
 * them from the triggering event. A variable the event cannot fill (a Proactive firing has no event) takes the
 * engine's bucket, so one bucket is still one incident.
 */
export function renderDedupKey(template: string, event: ReplayEvent | undefined, bucket: string): string {
    return template.replace(/\{\{\s*(\w+)\.id\s*\}\}/g, (_all, object: string) => {
        const prefix = `prefect.${object.replace(/_/g, "-")}.`;
        const found = event && resourcesOf(event).find((r) => r[ID]?.startsWith(prefix));
        return found ? found[ID].slice(prefix.length) : `bucket:${bucket}`;
    });
}

/** The flow a firing is about (its run's flow), else the resource its event names, else "(stack-wide)". */
export function subjectOf(event: ReplayEvent | undefined): string {
    if (!event) return "(stack-wide)";
    const flow = resourcesOf(event).find((r) => r[ROLE] === "flow" || r[ID]?.startsWith("prefect.flow."));
    if (flow) return flow[NAME] ?? flow[ID];
    const kind = /^prefect\.([a-z-]+)\./.exec(event.resource[ID] ?? "")?.[1];
    return kind ? `${kind.replace(/-/g, " ")} ${event.resource[NAME] ?? event.resource[ID]}` : (event.resource[ID] ?? "(unknown)");
}

/** Whether a run's event matches a route: one of its tags, its flow, or its deployment (alert/routes.ts selects the same). */
export function routeMatches(route: Route, event: ReplayEvent): boolean {
    const resources = resourcesOf(event);
    const names = (kind: string) => resources.filter((r) => r[ID]?.startsWith(`prefect.${kind}.`)).map((r) => r[NAME] ?? "");
    const tags = resources.filter((r) => r[ID]?.startsWith("prefect.tag.")).map((r) => r[ID].slice("prefect.tag.".length));
    return (
        route.tags.some((t) => tags.includes(t)) ||
        route.flows.some((f) => names("flow").includes(f)) ||
        route.deployments.some((d) => names("deployment").includes(d))
    );
}

/** The automation's routes the firing counts for: those its run matches, or all of them when it matches none (a silence). */
export function routesOf(a: PlannedAutomation, event: ReplayEvent | undefined, routes: Route[]): string[] {
    if (a.routes.length <= 1 || !event) return a.routes;
    const matched = a.routes.filter((name) => {
        const route = routes.find((r) => r.name === name);
        return route !== undefined && routeMatches(route, event);
    });
    return matched.length ? matched : a.routes;
}

/** Whether a PagerDuty service is in one of the plan's maintenance windows at `at`. */
export function inMaintenance(plan: AlertPlan, service: string, at: number): boolean {
    return (plan.pagerDuty?.maintenanceWindows ?? []).some(
        (w) => (w.services as string[]).includes(service) && Date.parse(w.startTime) <= at && at < Date.parse(w.endTime),
    );
}

/** The PagerDuty service a channel sends to, or undefined for a channel that is not PagerDuty. */
export function pagerDutyServiceOf(plan: AlertPlan, channel: string): string | undefined {
    const block = plan.blocks.find((b) => b.channel === channel);
    if (!block || !kindOf(block.spec).tracksIncidents) return undefined;
    return (block.spec as { service?: string }).service ?? channel;
}

/** Whether a channel takes pings, not messages (a heartbeat monitor): nobody reads those. */
const pingOnly = (plan: AlertPlan, channel: string): boolean => {
    const block = plan.blocks.find((b) => b.channel === channel);
    return block !== undefined && kindOf(block.spec).pingOnly === true;
};

/** Every delivery of `firings`, in time order. Firings of automations the plan does not have are an error (a mismatched plan). */
export function deliveriesOf(p: BacktestPlan, firings: Firing[]): Delivery[] {
    const byKey = new Map(p.plan.automations.map((a) => [a.key, a]));
    const out: Delivery[] = [];
    for (const f of [...firings].sort((x, y) => x.at - y.at)) {
        const a = byKey.get(f.automation);
        if (!a) throw new Error(`the replay fired "${f.automation}", which the plan of stack ${p.stack} does not have`);
        // A silence (Proactive, no for_each) is about no run: Prefect hands it the bucket's last event, but that
        // run did not cause it (triggers.py `proactive_evaluation` fires with `triggering_event=bucket.last_event`).
        const silence = a.trigger.posture === "Proactive" && a.trigger.for_each.length === 0;
        const about = silence ? undefined : f.triggeringEvent;
        const routes = routesOf(a, about, p.routes);
        const flow = subjectOf(about);
        for (const { channel } of a.actions) {
            if (pingOnly(p.plan, channel)) continue;
            const service = pagerDutyServiceOf(p.plan, channel);
            if (service === undefined) {
                out.push({ automation: a.key, at: f.at, channel, kind: "message", routes, flow });
                continue;
            }
            // An event without a dedup key gets one of its own from PagerDuty: a new incident each time.
            const key = a.incident ? renderDedupKey(a.incident.dedupKey, f.triggeringEvent, f.bucket) : `${a.key}@${f.at}`;
            const incident = `${service}|${key}`;
            const kind = a.incident?.action === "resolve" ? "resolve" : inMaintenance(p.plan, service, f.at) ? "held" : "page";
            out.push({ automation: a.key, at: f.at, channel, kind, routes, flow, incident });
        }
    }
    return out;
}
