import * as pulumi from "@pulumi/pulumi";
import { AlertTier, TierArgs } from "./automations";

/** The same flow failing repeatedly: critical channel and PagerDuty. */
export class CriticalTier extends AlertTier {
    constructor(name: string, args: TierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("alerting:index:CriticalTier", name, args.automations, args.blockIds, opts);
    }
}
