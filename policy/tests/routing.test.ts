import { describe, expect, it } from "vitest";
import { pagerDutyServicesPaged } from "../policies";
import { policyNames, runPolicies } from "./helpers/crossguard";
import { TYPES, automation, baseline, replace } from "./helpers/fixtures";

/** pagerduty-services-paged: a service with a ladder that no enabled automation reaches pages nobody. */
describe("pagerduty-services-paged", () => {
    const run = async (resources: Parameters<typeof runPolicies>[1]) =>
        policyNames((await runPolicies([pagerDutyServicesPaged], resources)).violations);

    it("passes when the critical tier pages the service through its block", async () => {
        expect(await run(baseline().resources)).toEqual([]);
    });

    it("reports a service no automation pages (PagerDuty set up, no tier routed to it)", async () => {
        const b = baseline();
        const withoutPager = b.resources
            .filter((r) => r.urn !== b.pager.urn)
            .map((r) =>
                r.type === TYPES.automation
                    ? automation({ key: r.name, parentType: r.urn.split("::")[2].split("$")[0], notify: [b.critical] })
                    : r,
            );
        const result = await runPolicies([pagerDutyServicesPaged], withoutPager);
        expect(policyNames(result.violations)).toEqual(["pagerduty-services-paged"]);
        expect(result.violations[0].message).toContain('"Data Pipelines"');
        expect(result.violations[0].urn).toBe(b.service.urn);
    });

    it("reports a service paged only by disabled automations", async () => {
        const b = baseline();
        let resources = replace(b.resources, b.criticalAutomation, (p) => (p.enabled = false));
        resources = replace(
            resources,
            resources.find((r) => r.urn === b.p1.urn)!,
            (p) => (p.enabled = false),
        );
        expect(await run(resources)).toEqual(["pagerduty-services-paged"]);
    });

    it("follows the integration to its service by id when there is no dependency to go on", async () => {
        const b = baseline();
        const otherService = replace(b.resources, b.integration, (p) => (p.service = "some-other-service-id"));
        expect(await run(otherService)).toEqual(["pagerduty-services-paged"]);
    });
});
