import { get, post } from "../../tests/e2e/prefectApi";

/**
 * Prefect's floor: the simplest trigger there is (any flow run's Failed event,
 * no related-resource match, no threshold or window) and a template that
 * loads nothing, notifying a custom-webhook block at `url`. Its message body is
 * the run's resource id, `prefect.flow-run.<id>`.
 */
export async function createFloorAutomation(api: string, url: string, name = "bench-floor"): Promise<void> {
    const blockType = await get(api, "/block_types/slug/custom-webhook");
    const [schema] = await post(api, "/block_schemas/filter", { block_schemas: { block_type_id: { any_: [blockType.id] } }, limit: 1 });
    const block = await post(api, "/block_documents/", {
        name,
        block_type_id: blockType.id,
        block_schema_id: schema.id,
        data: { name, url, method: "POST", json_data: { subject: "{{subject}}", body: "{{body}}" } },
    });
    await post(api, "/automations/", {
        name: name.replace(/-/g, " "),
        trigger: {
            type: "event",
            posture: "Reactive",
            match: { "prefect.resource.id": "prefect.flow-run.*" },
            expect: ["prefect.flow-run.Failed"],
            threshold: 1,
            within: 0,
        },
        actions: [{ type: "send-notification", block_document_id: block.id, subject: "floor", body: "{{ event.resource.id }}" }],
    });
}
