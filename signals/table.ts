import { allPipelinesDown } from "./allPipelinesDown";
import { dataQuality } from "./dataQuality";
import { deliveryFailure } from "./deliveryFailure";
import { finalFailure } from "./finalFailure";
import { freshness } from "./freshness";
import { health } from "./health";
import { lateRuns } from "./lateRuns";
import { repeatedFailure } from "./repeatedFailure";
import type { Signal, SignalModule, SignalSettings } from "./signal";
import type { AutomationDraft, AutomationSpec } from "../alert/model";
import { sla } from "./sla";
import { slowRuns } from "./slowRuns";
import { stuckRuns } from "./stuckRuns";
import { successNotice } from "./successNotice";
import { watchdog } from "./watchdog";
import { workPoolNotReady } from "./workPoolNotReady";

/**
 * Every signal the program plans, by id, in the order its automations are planned. A new signal is one module and
 * one line here: its id is its name in this table, stamped on the signal and on each automation it plans.
 */
const MODULES: Record<string, SignalModule> = {
    finalFailure,
    successNotice,
    repeatedFailure,
    workPoolNotReady,
    allPipelinesDown,
    lateRuns,
    stuckRuns,
    slowRuns,
    sla,
    freshness,
    dataQuality,
    health,
    deliveryFailure,
    watchdog,
};

function stamped(id: string, m: SignalModule): Signal {
    return { id, configKey: m.settings.key, ...m, automations: (settings, ctx) => m.automations(settings, ctx).map((a) => withId(a, id)) };
}

/** The automation with its signal's id right after its tier, where automations have always carried it (the plan's JSON keeps its order). */
function withId(a: AutomationDraft, id: string): AutomationSpec {
    const entries = Object.entries(a).flatMap(([k, v]) =>
        k === "tier"
            ? [
                  [k, v],
                  ["signal", id],
              ]
            : [[k, v]],
    );
    return Object.fromEntries(entries) as AutomationSpec;
}

export const SIGNALS: readonly Signal[] = Object.entries(MODULES).map(([id, m]) => stamped(id, m));

/** Every config section of the signals, once each (two signals may share one: p1), in the table's order. */
export const SECTIONS: readonly SignalSettings[] = [...new Map(SIGNALS.map((s) => [s.settings.key, s.settings])).values()];
