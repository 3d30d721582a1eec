import * as pulumi from "@pulumi/pulumi";
import * as prefect from "@pulumi/prefect";
import { BlockPlan, blockData } from "../channels/registry";
import { SecretValues, resolveSource } from "./secretSources";

/** One Prefect notification block per channel an enabled tier uses. */
export class NotificationChannels extends pulumi.ComponentResource {
    /** Block document id per channel name: what automation actions point at. */
    readonly blockIds: Record<string, pulumi.Output<string>> = {};
    readonly blockNames: Record<string, string> = {};

    constructor(name: string, args: { blocks: BlockPlan[]; secrets: SecretValues }, opts?: pulumi.ComponentResourceOptions) {
        super("alerting:index:NotificationChannels", name, {}, opts);
        for (const block of args.blocks) {
            const values = pulumi.all(
                Object.fromEntries(Object.entries(block.sources).map(([field, source]) => [field, resolveSource(source, args.secrets)])),
            );
            const data = values.apply((v) => JSON.stringify(blockData(block, v)));
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
