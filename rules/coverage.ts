import type { Owner } from "../alert/model";
import { suggest } from "../config/didYouMean";
import { OWNER_TAG_PREFIX, ownerOfTag } from "../config/owners";
import { ownerTag } from "../alert/owners";

/**
 * Who owns what, as plain data: from the server's deployments (`npm run report`) and from config alone (the
 * preview). A deployment's owner is an `owner:<team>` tag on it or on its flow; the automations match that tag
 * exactly (prefect.tag.owner:<team>), so a tag that only normalises to a known team is reported as a near miss.
 */

/** A deployment as the coverage sees it: its own tags and its flow's. */
export interface DeploymentTags {
    deployment: string;
    flow: string;
    tags: string[];
}

export interface Coverage {
    /** Deployments with no owner: tag: their failures reach the default owner (the stack's routes), if they are on one. */
    unowned: string[];
    /** Deployments tagged owner:<team> for a team the stack does not know, each with what it should say. */
    unknownOwner: { deployment: string; tag: string; hint: string }[];
    /** Owners of the stack that no deployment carries. */
    unusedOwners: string[];
}

/** `flow/deployment`, as Prefect's CLI names a deployment. */
const label = (d: DeploymentTags) => `${d.flow}/${d.deployment}`;

export function ownerCoverage(deployments: DeploymentTags[], owners: Owner[]): Coverage {
    const known = owners.map((o) => o.name);
    const carried = new Set<string>();
    const unowned: string[] = [];
    const unknownOwner: Coverage["unknownOwner"] = [];
    for (const d of [...deployments].sort((a, b) => label(a).localeCompare(label(b)))) {
        const ownerTags = d.tags.filter((t) => ownerOfTag(t) !== undefined);
        if (!ownerTags.length) unowned.push(label(d));
        for (const tag of ownerTags) {
            if (tag.startsWith(OWNER_TAG_PREFIX) && known.includes(tag.slice(OWNER_TAG_PREFIX.length))) {
                carried.add(tag.slice(OWNER_TAG_PREFIX.length));
                continue;
            }
            const team = ownerOfTag(tag)!;
            const hint = known.includes(team)
                ? ` (the automations match "${ownerTag(team)}" exactly: retag it)`
                : // Team names are short: one edit is a typo, two is another team (delta is not beta).
                  suggest(team, known, OWNER_TAG_PREFIX, 1);
            unknownOwner.push({ deployment: label(d), tag, hint });
        }
    }
    return { unowned, unknownOwner, unusedOwners: known.filter((o) => !carried.has(o)) };
}

/** The coverage as lines of text (report and preview). */
export function coverageLines(c: Coverage): string[] {
    const out: string[] = [];
    out.push(
        c.unowned.length
            ? `Deployments with no owner tag (${c.unowned.length}): ${c.unowned.join(", ")}`
            : "Deployments with no owner tag: none",
    );
    if (c.unknownOwner.length) {
        out.push(`Deployments with an owner the stack does not know (${c.unknownOwner.length}):`);
        for (const u of c.unknownOwner) out.push(`  ${u.deployment}: tag "${u.tag}"${u.hint}`);
    } else out.push("Deployments with an owner the stack does not know: none");
    out.push(c.unusedOwners.length ? `Owners no deployment carries: ${c.unusedOwners.join(", ")}` : "Owners no deployment carries: none");
    return out;
}

/** What config alone can tell about ownership (the preview): each owner's channels and runbook, and who takes the rest. */
export function configCoverageLines(
    owners: Owner[],
    defaultOwner: string | undefined,
    routes: { name: string; runbook?: string }[],
): string[] {
    if (!owners.length) return [];
    const out = [`Owners (${owners.length}): runs tagged owner:<team> alert the team's channels`];
    for (const o of owners) {
        const runbook = o.runbook ? `runbook ${o.runbook}` : "NO RUNBOOK";
        out.push(`  ${o.name}${o.name === defaultOwner ? " (default)" : ""} -> ${o.channels.join(", ")}; ${runbook}`);
    }
    const onRoutes = `runs with no known owner tag on the routes (${routes.map((r) => r.name).join(", ")})`;
    out.push(defaultOwner ? `  ${onRoutes} go to ${defaultOwner}` : `  no defaultOwner: ${onRoutes} go to each section's channels`);
    const noRunbook = routes.filter((r) => !r.runbook && !owners.find((o) => o.name === defaultOwner)?.runbook);
    if (noRunbook.length) out.push(`  routes with no runbook (theirs or the default owner's): ${noRunbook.map((r) => r.name).join(", ")}`);
    out.push("  which deployments carry which owner tag: npm run report (it asks the server)");
    return out;
}
