import { describe, expect, it } from "vitest";
import { EVENT_TRIGGER_FIELDS, EventTriggerSpec, fromProviderTrigger, labelLiteral, toProviderTrigger } from "../prefect/vocabulary";
import { routeFilters } from "../alert/routes";
import { successTrigger } from "../signals/successNotice";
import { workPoolNotReadyTrigger } from "../signals/workPoolNotReady";

/**
 * The one mapping between Prefect's trigger fields and the bridged provider's
 * (pulumi.md §1: camelCase, sets pluralised, labels as JSON).
 */
describe("the trigger field mapping", () => {
    const spec: EventTriggerSpec = {
        posture: "Proactive",
        match: { "prefect.resource.id": "prefect.flow-run.*" },
        match_related: [{ "prefect.resource.role": "tag", "prefect.resource.id": ["prefect.tag.a", "prefect.tag.b"] }],
        after: ["prefect.flow-run.Running"],
        expect: ["prefect.flow-run.Completed"],
        for_each: ["prefect.resource.id"],
        threshold: 1,
        within: 600,
    };

    it("names the provider's fields as the bridge does", () => {
        expect(Object.fromEntries(Object.entries(EVENT_TRIGGER_FIELDS).map(([k, v]) => [k, v.provider]))).toEqual({
            posture: "posture",
            match: "match",
            match_related: "matchRelated",
            after: "afters",
            expect: "expects",
            for_each: "forEaches",
            threshold: "threshold",
            within: "within",
        });
    });

    it("writes label objects as JSON strings and reads them back unchanged", () => {
        const provider = toProviderTrigger(spec);
        expect(provider.match).toBe('{"prefect.resource.id":"prefect.flow-run.*"}');
        expect(provider.matchRelated).toBe(JSON.stringify(spec.match_related));
        expect(provider.forEaches).toEqual(["prefect.resource.id"]);
        expect(fromProviderTrigger(provider)).toEqual(spec);
    });

    it("reads a set the provider left out as empty, and keeps a missing threshold missing (a policy reports it)", () => {
        const read = fromProviderTrigger({ posture: "Reactive", match: "{}", matchRelated: "{}", expects: ["x"] });
        expect(read.after).toEqual([]);
        expect(read.for_each).toEqual([]);
        expect(read.threshold).toBeUndefined();
    });
});

/** Prefect compares label values with Python's fnmatch: a name's `*`, `?` or `[` must not act as a wildcard. */
describe("names as exact label values", () => {
    it("leaves ordinary names alone (existing automations keep their JSON)", () => {
        for (const name of ["dlt", "exchange-rates-daily", "prefect.tag.dlt", "a{{b", "{{ flow_run.name }}"])
            expect(labelLiteral(name)).toBe(name);
    });

    it("turns *, ? and [ into one-character classes", () => {
        expect(labelLiteral("team-*")).toBe("team-[*]");
        expect(labelLiteral("load[eu]?")).toBe("load[[]eu][?]");
    });

    it("is used for every name from config that lands in a label: tags, flows, deployments, work pools", () => {
        const route = { name: "r", tags: ["team-*"], flows: ["load[eu]"], deployments: ["d?"] };
        expect(routeFilters(route)).toEqual([
            { "prefect.resource.role": "tag", "prefect.resource.id": "prefect.tag.team-[*]" },
            { "prefect.resource.role": "flow", "prefect.resource.name": "load[[]eu]" },
            { "prefect.resource.role": "deployment", "prefect.resource.name": "d[?]" },
        ]);
        expect(workPoolNotReadyTrigger(["pool*"]).match["prefect.resource.name"]).toBe("pool[*]");
        expect(successTrigger(["f[1]", "g"]).match_related).toEqual({
            "prefect.resource.role": "flow",
            "prefect.resource.name": ["f[[]1]", "g"],
        });
    });
});
