import * as pulumi from "@pulumi/pulumi";
import * as prefect from "@pulumi/prefect";
import { BlockSpec } from "../rules/plan";
import { blockData } from "../rules/blockData";

export interface NotificationChannelsArgs {
    stack: string;
    blocks: BlockSpec[];
    /** Secret webhook URL per slack / webhook channel. */
    urls: Record<string, pulumi.Output<string>>;
    /** Events API v2 integration keys of the PagerDuty services, when PagerDuty is on. */
    pagerDutyKeys?: { critical: pulumi.Output<string>; p1: pulumi.Output<string> };
    pagerDutyApiKey?: pulumi.Output<string>;
}

/** One Prefect notification block per channel an enabled tier uses. */
export class NotificationChannels extends pulumi.ComponentResource {
    /** Block document id per channel name: what automation actions point at. */
    readonly blockIds: Record<string, pulumi.Output<string>>;
    readonly blockNames: Record<string, string>;

    constructor(name: string, args: NotificationChannelsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("alerting:index:NotificationChannels", name, {}, opts);
        this.blockIds = {};
        this.blockNames = {};
        for (const block of args.blocks) {
            const key = block.pagerDutyService ? args.pagerDutyKeys?.[block.pagerDutyService] : undefined;
            const data = pulumi
                .all([args.urls[block.channel], key, args.pagerDutyApiKey])
                .apply(([url, integrationKey, apiKey]) => JSON.stringify(blockData(block, { url, integrationKey, apiKey }, args.stack)));
            const resource = new prefect.Block(
                `block-${block.channel}`,
                { name: block.name, typeSlug: block.typeSlug, data: pulumi.secret(data) },
                { parent: this },
            );
            this.blockIds[block.channel] = resource.id;
            this.blockNames[block.channel] = block.name;
        }
        this.registerOutputs({ blockIds: this.blockIds });
    }
}
