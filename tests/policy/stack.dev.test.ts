import { edit, isType, named, stackSuite } from "./helpers/stackSuite";

stackSuite("dev", {
    registers: ["prefect:index/automation:Automation", "prefect:index/block:Block"],
    advisories: [],
    production: false,
    mutations: [
        {
            name: "the warning tier forgets TimedOut",
            mutate: (rs) =>
                edit(rs, named("prefect:index/automation:Automation", "warning-dlt"), (p) => {
                    p.trigger.event.expects = p.trigger.event.expects.filter((e: string) => !e.endsWith("TimedOut"));
                }),
            reports: "failure-alerts-cover-final-states",
        },
        {
            name: "the Slack block loses its secret output",
            mutate: (rs) => edit(rs, isType("prefect:index/block:Block"), (_, r) => (r.opts = { ...r.opts, additionalSecretOutputs: [] })),
            reports: "block-data-secret",
        },
        {
            name: "the stack is tagged environment=production with no critical tier",
            mutate: (rs) => rs,
            options: { stackTags: { environment: "production" } },
            reports: "production-pages-on-call",
        },
        {
            name: "the message links {{ flow_run_url }}",
            mutate: (rs) =>
                edit(rs, isType("prefect:index/automation:Automation"), (p) => (p.actions[0].body += "\n<{{ flow_run_url }}|run>")),
            reports: "message-templates-known-names",
        },
    ],
});
