import * as pulumi from "@pulumi/pulumi";
import { AlertTier, TierArgs } from "./automations";

/** "All pipelines down": a work pool without workers, or no successful run for too long. */
export class P1Tier extends AlertTier {
    constructor(name: string, args: TierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("alerting:index:P1Tier", name, args.automations, args.blockIds, opts);
    }
}
