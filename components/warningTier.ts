import * as pulumi from "@pulumi/pulumi";
import { AlertTier, TierArgs } from "./automations";

/** Slack (or webhook) message on every final failure of a watched flow run, plus optional success notices. */
export class WarningTier extends AlertTier {
    constructor(name: string, args: TierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("alerting:index:WarningTier", name, args.automations, args.blockIds, opts);
    }
}
