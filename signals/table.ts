import { allPipelinesDown } from "./allPipelinesDown";
import { dataQuality } from "./dataQuality";
import { deliveryFailure } from "./deliveryFailure";
import { finalFailure } from "./finalFailure";
import { freshness } from "./freshness";
import { health } from "./health";
import { lateRuns } from "./lateRuns";
import { repeatedFailure } from "./repeatedFailure";
import type { Signal } from "./signal";
import { sla } from "./sla";
import { stuckRuns } from "./stuckRuns";
import { successNotice } from "./successNotice";
import { watchdog } from "./watchdog";
import { workPoolNotReady } from "./workPoolNotReady";

/** Every signal the program plans, in the order its automations are planned. A new signal is one module and one line here. */
export const SIGNALS: readonly Signal[] = [
    finalFailure,
    successNotice,
    repeatedFailure,
    workPoolNotReady,
    allPipelinesDown,
    lateRuns,
    stuckRuns,
    sla,
    freshness,
    dataQuality,
    health,
    deliveryFailure,
    watchdog,
];
