import { z } from "zod";
import { channelRefs, nonEmptyText, pagerDutyUser, uniqueList } from "../alert/fields";
import { OWNER_TAG_PREFIX } from "../alert/owners";
import { suggest } from "./didYouMean";

export { OWNER_TAG_PREFIX };

/**
 * Owners as config: `owners: { <team>: { channels, runbook? } }` and `defaultOwner`. A deployment, flow or run
 * tagged `owner:<team>` alerts its team (alert/owners.ts). Tags are free text, so a team's name is kept in one
 * normal form (normaliseOwner) and a name written otherwise is refused with the form it should have.
 */

const NORMAL = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const NORMAL_RULE = 'an owner name in normal form: lower-case letters and digits, words joined by "-" (e.g. data-eng), at most 40';

/** How a team is written in an `owner:` tag once case and spacing are set aside: "Data Eng" and "data_eng" are "data-eng". */
export function normaliseOwner(text: string): string {
    return text
        .trim()
        .toLowerCase()
        .replace(/[\s_]+/g, "-")
        .replace(/-+/g, "-")
        .replace(/^-|-$/g, "");
}

/** The team an `owner:` tag names, normalised ("Owner: Data Eng" -> "data-eng"); undefined for other tags. */
export function ownerOfTag(tag: string): string | undefined {
    const t = tag.trim();
    if (t.slice(0, OWNER_TAG_PREFIX.length).toLowerCase() !== OWNER_TAG_PREFIX) return undefined;
    const team = normaliseOwner(t.slice(OWNER_TAG_PREFIX.length));
    return team === "" ? undefined : team;
}

/** A runbook link: an http(s) URL without characters that would end a Slack link or a Jinja string (| > " { }). */
const RUNBOOK_ERROR = 'a runbook URL such as "https://wiki.example.com/runbooks/orders" (http or https, no spaces, quotes, braces, | or >)';
export const runbookUrl = z
    .string({ error: RUNBOOK_ERROR })
    .regex(/^https?:\/\/[^\s"'<>|{}\\`]+$/, { error: RUNBOOK_ERROR })
    .meta({ form: "http(s) URL" })
    .describe("a runbook URL shown as a link and a button in every message of what it covers (owner, route)");

/**
 * Runbooks per deployment, the most specific of all: a key names one deployment as Prefect's CLI does,
 * "<flow>/<deployment>", or every deployment of that name, "<deployment>". Prefect refuses "/" (and % & < >) in flow
 * and deployment names (prefect/types/names.py BANNED_CHARACTERS), so a key has at most one "/" and means one thing.
 */
export const deploymentRunbooksSchema = z
    .record(z.string(), runbookUrl, { error: 'a map of "<flow>/<deployment>" or "<deployment>" to a runbook URL' })
    .meta({ form: 'map of "<flow>/<deployment>" or "<deployment>" to http(s) URL' })
    .default({})
    .describe(
        'the runbook of one deployment ("<flow>/<deployment>") or of every deployment of a name ("<deployment>"): the most ' +
            "specific wins over the route's and the owner's; chosen by Prefect when it renders the message",
    );

export const runbooksSchema = z
    .strictObject({ deployments: deploymentRunbooksSchema })
    .prefault({})
    .describe("runbooks more specific than a route's or an owner's (Owners and runbooks, below)");

const BANNED = /[%&<>]/;
const KEY_RULE = 'a deployment as "<flow>/<deployment>" or "<deployment>" (Prefect names: no "/", %, &, < or > inside a name)';

/** The first bad key of `runbooks.deployments` (path from the top, what was expected), or undefined. */
export function deploymentRunbooksProblem(deployments: Record<string, string>): { path: string[]; expected: string } | undefined {
    for (const key of Object.keys(deployments)) {
        const parts = key.split("/");
        const tidy = parts.map((p) => p.trim());
        const fits = parts.length <= 2 && parts.every((p, i) => p !== "" && p === tidy[i] && !BANNED.test(p));
        if (fits) continue;
        // A key written with spaces around its parts, or a doubled "/", most likely means the tidy one.
        const meant = tidy.filter((p) => p !== "").join("/");
        const hint =
            meant !== key && meant.split("/").length <= 2 && !BANNED.test(meant) && meant !== "" ? ` (did you mean "${meant}"?)` : "";
        return { path: ["runbooks", "deployments", key], expected: `${KEY_RULE}${hint}` };
    }
}

/** A team's own rotation: with it, the team's PagerDuty service pages the team first, not the stack's on-call. */
export const onCallSchema = z
    .strictObject({
        users: uniqueList(pagerDutyUser, "PagerDuty users (e-mail or id)")
            .min(1, { error: "at least one PagerDuty user (e-mail or id)" })
            .describe(
                "the team's rotation, by e-mail (looked up) or PagerDuty id (PABC123): a schedule of its own, with the stack's " +
                    "rotation start, turn length and time zone",
            ),
        lead: pagerDutyUser
            .optional()
            .describe(
                "the second level of the team's ladder (after its rotation, before the stack's manager); the stack's teamLead if unset",
            ),
    })
    .describe(
        "the team's own on-call: its service's ladder pages this rotation, then the lead, then the stack's manager " +
            "(without it, the team's pages reach the stack's rotation); needs pagerDutyService",
    );

export const ownerSchema = z
    .strictObject({
        channels: channelRefs.describe("the chat channels the team's alerts go to, instead of the sections' own chat channels"),
        runbook: runbookUrl.optional(),
        pagerDutyService: nonEmptyText("a PagerDuty service name")
            .optional()
            .describe(
                "the team's own PagerDuty service: its critical pages go there, not to the stack's; the service's ladder is the " +
                    "stack's critical one (the stack's rotation first) unless onCall gives the team a rotation of its own",
            ),
        onCall: onCallSchema.optional(),
    })
    .describe("one team: where its alerts go, its runbook, its own PagerDuty service");

export const ownersSchema = z
    .record(z.string(), ownerSchema, { error: "a map of owner name (the team in owner:<team> tags) to owner" })
    .meta({ form: "map of team name to owner" })
    .optional()
    .describe("teams that own deployments or flows tagged owner:<team>: their failures go to the team's channels");

export const defaultOwnerSchema = z
    .string({ error: "the name of one of the owners" })
    .meta({ form: "one of the owners" })
    .optional()
    .describe(
        "the owner whose channels and runbook take the stack's routes; Prefect cannot select runs WITHOUT an owner tag, so a run " +
            "on a route that is also tagged owner:<team> reaches both (Owners and runbooks, below)",
    );

export type OwnerSettings = z.output<typeof ownerSchema>;

/**
 * The first problem of the owners in a stack (path from the top, what was expected), or undefined. `chatChannel`
 * says whether a channel may carry an owner's alerts (not PagerDuty, not a heartbeat ping URL).
 */
export function ownersProblem(
    owners: Record<string, OwnerSettings> | undefined,
    defaultOwner: string | undefined,
    kindOfChannel: (name: string) => string | undefined,
    pagerDuty: { enabled: boolean; services: string[] } = { enabled: false, services: [] },
): { path: (string | number)[]; expected: string } | undefined {
    const names = Object.keys(owners ?? {});
    const services = new Map<string, string>(pagerDuty.services.map((s) => [s, "pagerDuty"]));
    for (const name of names) {
        if (!NORMAL.test(name) || name.length > 40) {
            const normal = normaliseOwner(name);
            return { path: ["owners", name], expected: `${NORMAL_RULE}${NORMAL.test(normal) ? ` (did you mean "${normal}"?)` : ""}` };
        }
        for (const [i, channel] of owners![name].channels.entries()) {
            const kind = kindOfChannel(channel);
            if (kind === "pagerduty")
                return {
                    path: ["owners", name, "channels", i],
                    expected: "a chat channel: an owner's pages go through the critical tier's PagerDuty channels",
                };
        }
    }
    for (const name of names) {
        const service = owners![name].pagerDutyService;
        if (service === undefined) {
            if (owners![name].onCall)
                return {
                    path: ["owners", name, "onCall"],
                    expected: "no onCall without the team's own pagerDutyService (the rotation is paged through that service)",
                };
            continue;
        }
        const at = ["owners", name, "pagerDutyService"];
        if (!pagerDuty.enabled) return { path: at, expected: "no PagerDuty service while pagerDuty.enabled is false" };
        const other = services.get(service);
        if (other)
            return {
                path: at,
                expected:
                    `a PagerDuty service name of the team's own, ` +
                    `not the one of ${other === "pagerDuty" ? "the stack" : `owner ${other}`} ("${service}")`,
            };
        services.set(service, name);
    }
    if (defaultOwner !== undefined && !names.includes(defaultOwner)) {
        const hint = names.includes(normaliseOwner(defaultOwner))
            ? ` (did you mean "${normaliseOwner(defaultOwner)}"?)`
            : suggest(defaultOwner, names);
        return { path: ["defaultOwner"], expected: `one of the owners (${names.join(", ") || "none defined"})${hint}` };
    }
    // The default owner takes the stack's routes: with a service of its own, their pages would all go there and the
    // stack's critical service would page nobody (the pack's pagerduty-services-paged would block the stack).
    if (defaultOwner !== undefined && owners![defaultOwner].pagerDutyService !== undefined)
        return {
            path: ["owners", defaultOwner, "pagerDutyService"],
            expected:
                `no PagerDuty service of its own for the default owner ("${defaultOwner}"): it takes the stack's routes, whose ` +
                "pages go to the stack's critical service (pagerDuty.*); give that service the team's rotation instead",
        };
}
