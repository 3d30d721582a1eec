import { edit, named, stackSuite } from "./helpers/stackSuite";

const AUTOMATION = "prefect:index/automation:Automation";

stackSuite("local", {
    registers: [AUTOMATION, "prefect:index/block:Block"],
    advisories: [],
    production: false,
    mutations: [
        {
            name: "success notices also go to the failure-alert channel",
            mutate: (rs) => {
                const alerts = rs.find(named("prefect:index/block:Block", "block-alerts"))!;
                return edit(rs, named(AUTOMATION, "success-notice"), (p, r) => {
                    p.actions.push({ ...p.actions[0], blockDocumentId: "block-alerts-id" });
                    r.propertyDependencies = { actions: [...(r.propertyDependencies?.actions ?? []), alerts.urn] };
                });
            },
            reports: "success-notices-info-only",
        },
        {
            name: "the P1 silence window shrinks to 5 s",
            mutate: (rs) => edit(rs, named(AUTOMATION, "p1-no-success-dlt"), (p) => (p.trigger.event.within = 5)),
            reports: "proactive-within-minimum",
        },
        {
            name: "the P1 silence window drops to 0 s (the server would store 10 s)",
            mutate: (rs) => edit(rs, named(AUTOMATION, "p1-no-success-dlt"), (p) => (p.trigger.event.within = 0)),
            reports: "proactive-within-minimum",
        },
        {
            name: "the warning trigger leaves threshold to the server",
            mutate: (rs) => edit(rs, named(AUTOMATION, "warning-dlt"), (p) => delete p.trigger.event.threshold),
            reports: "trigger-threshold-within-set",
        },
        {
            name: "the work-pool trigger expects nothing",
            mutate: (rs) => edit(rs, named(AUTOMATION, "p1-work-pool-not-ready"), (p) => (p.trigger.event.expects = [])),
            reports: "automation-expects-events",
        },
        {
            name: "the route filters tags with the seed's labels",
            mutate: (rs) =>
                edit(
                    rs,
                    named(AUTOMATION, "warning-dlt"),
                    (p) => (p.trigger.event.matchRelated = JSON.stringify({ "prefect.resource.role": "flow-run", "prefect.tag": "dlt" })),
                ),
            reports: "match-related-real-resources",
        },
        {
            name: "an action names its block with block_id",
            mutate: (rs) =>
                edit(rs, named(AUTOMATION, "warning-dlt"), (p) => {
                    const { blockDocumentId, ...rest } = p.actions[0];
                    p.actions[0] = { ...rest, block_id: blockDocumentId };
                }),
            reports: "notification-action-shape",
        },
    ],
});
