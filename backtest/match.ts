import type { Labels } from "../prefect/vocabulary";

/**
 * How Prefect 3.9.1 decides that an event concerns a trigger, as pure functions over plain labels
 * (server/events/schemas/events.py `matches`, `ResourceSpecification.includes`, `Event.find_resource_label`;
 * server/events/schemas/automations.py `EventTrigger.expects`, `starts_after`, `bucketing_key`).
 */

export type ResourceLabels = Record<string, string>;

const fnmatchCache = new Map<string, RegExp>();

/** Python's `fnmatch.fnmatchcase`: `*`, `?`, `[seq]`, `[!seq]`, the whole value, case-sensitive. */
export function fnmatch(value: string, pattern: string): boolean {
    let re = fnmatchCache.get(pattern);
    if (!re) {
        re = new RegExp(`^${fnmatchSource(pattern)}$`, "s");
        fnmatchCache.set(pattern, re);
    }
    return re.test(value);
}

function fnmatchSource(pattern: string): string {
    let out = "";
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === "*") out += ".*";
        else if (c === "?") out += ".";
        else if (c === "[") {
            // fnmatch.translate: a `[` without its closing `]` is a literal; `]` right after `[` or `[!` belongs to the set.
            let j = i + 1;
            if (pattern[j] === "!") j++;
            if (pattern[j] === "]") j++;
            while (j < pattern.length && pattern[j] !== "]") j++;
            if (j >= pattern.length) {
                out += "\\[";
                continue;
            }
            let set = pattern.slice(i + 1, j).replace(/\\/g, "\\\\");
            if (set.startsWith("!")) set = `^${set.slice(1)}`;
            else if (set.startsWith("^")) set = `\\${set}`;
            out += `[${set.replace(/\]/g, "\\]")}]`;
            i = j;
        } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    }
    return out;
}

/** One expected value against a label's value: a leading `!` negates; a missing label never matches, negated or not. */
export function labelMatches(expected: string, value: string | undefined): boolean {
    if (value === undefined) return false;
    const negated = expected.startsWith("!");
    const hit = fnmatch(value, negated ? expected.slice(1) : expected);
    return negated ? !hit : hit;
}

/** Every label of the spec matches (a list ORs its items); an empty spec matches anything. */
export function resourceMatches(spec: Labels, resource: ResourceLabels): boolean {
    return Object.entries(spec).every(([label, expected]) =>
        (typeof expected === "string" ? [expected] : expected).some((e) => labelMatches(e, resource[label])),
    );
}

/** `includes`: an empty spec matches even no resource at all; otherwise one of the candidates must match. */
export function includes(spec: Labels, candidates: ResourceLabels[]): boolean {
    if (Object.keys(spec).length === 0) return true;
    return candidates.some((c) => resourceMatches(spec, c));
}

/** `covers_resources`: the primary resource matches `match`, and each `match_related` object matches some related resource. */
export function coversResources(
    match: Labels,
    matchRelated: Labels | Labels[],
    resource: ResourceLabels,
    related: ResourceLabels[],
): boolean {
    if (!includes(match, [resource])) return false;
    const specs = Array.isArray(matchRelated) ? matchRelated : [matchRelated];
    return specs.every((s) => includes(s, related));
}

/** `expects`: an empty `expect` expects every event. */
export const expectsEvent = (expect: string[], event: string): boolean => expect.length === 0 || expect.some((p) => labelMatches(p, event));

/** `starts_after`: an empty `after` starts nothing. */
export const startsAfter = (after: string[], event: string): boolean => after.some((p) => labelMatches(p, event));

/**
 * `find_resource_label`: `related:<role>:<label>` reads the first related resource with that role (and only
 * that one, even when it lacks the label); anything else reads the primary resource.
 */
export function findResourceLabel(resource: ResourceLabels, related: ResourceLabels[], label: string): string | undefined {
    const cut = label.lastIndexOf(":");
    const directive = cut < 0 ? "" : label.slice(0, cut);
    const relatedLabel = label.slice(cut + 1);
    const colon = directive.indexOf(":");
    const kind = colon < 0 ? directive : directive.slice(0, colon);
    const role = colon < 0 ? "" : directive.slice(colon + 1);
    if (kind === "related") {
        const first = related.find((r) => r["prefect.resource.role"] === role);
        if (first) return first[relatedLabel];
    }
    return resource[label];
}

/** `bucketing_key`: the `for_each` labels in sorted order, a missing one as "". */
export function bucketingKey(forEach: string[], resource: ResourceLabels, related: ResourceLabels[]): string[] {
    return [...forEach].sort().map((l) => findResourceLabel(resource, related, l) ?? "");
}
