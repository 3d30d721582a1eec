import { z } from "zod";

/**
 * The building blocks of the config schemas (config/schema.ts and the signals'
 * own settings): names, lists, numbers and booleans as Pulumi hands them over,
 * each with the words an error says.
 */

const NAME = /^[a-z][a-zA-Z0-9]{0,39}$/;
/** The rule, in words, for channel and route names (block, automation and secret key names are built from them). */
export const NAME_RULE = "a name of 1 to 40 letters and digits starting with a lower-case letter (e.g. alerts, dlt, pagerP1)";
const nameError = NAME_RULE;

/**
 * `pulumi config set --path a.b 0.5` stores "0.5" (only integers and true/false
 * become YAML numbers and booleans; `--type string` keeps anything a string), so
 * a number or boolean written as text is read as one.
 */
export const fromText = (value: unknown): unknown => {
    if (typeof value !== "string") return value;
    const t = value.trim();
    if (t === "true") return true;
    if (t === "false") return false;
    return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : value;
};
export const bool = () => z.preprocess(fromText, z.boolean({ error: "true or false" })).meta({ form: "bool" });
/** A number (or one written as text) from lo to hi; `whole` refuses fractions. */
export const range = (lo: number, hi: number, error: string, whole = false) => {
    const n = z.number({ error }).min(lo, { error }).max(hi, { error });
    // The error's words are the form the generated config reference shows (config/reference.ts).
    return z.preprocess(fromText, whole ? n.int({ error }) : n).meta({ form: error.replace(/^an? /, "") });
};

export const channelName = z.string({ error: nameError }).regex(NAME, { error: nameError }).meta({ form: "name" });
export const routeName = channelName;

export const nonEmptyText = (what: string) =>
    z
        .string({ error: what })
        .trim()
        .min(1, { error: what })
        .meta({ form: what.replace(/^an? /, "") });

const PD_ID = /^P[A-Z0-9]{5,13}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const userError = 'a PagerDuty user as an e-mail address or a user id such as "PABC123"';
/** A PagerDuty user as the provider looks one up: an e-mail address, or a user id. */
export const pagerDutyUser = z
    .string({ error: userError })
    .refine((s) => EMAIL.test(s) || PD_ID.test(s), { error: userError })
    .meta({ form: "e-mail or PagerDuty user id" });

export const uniqueList = <T extends z.ZodType>(item: T, what: string) =>
    z
        .array(item, { error: `a list of ${what}` })
        .refine((xs) => new Set(xs).size === xs.length, { error: `a list of ${what} without duplicates` })
        .meta({ form: `list of ${what}` });

/** Prefect tag / flow / deployment names as labels carry them. No wildcards: a route names flows exactly. */
export const prefectName = (what: string) =>
    z
        .string({ error: `${what} as text` })
        .trim()
        .min(1, { error: `a non-empty ${what}` })
        .refine((s) => !/[*!]/.test(s[0] ?? "") && !s.endsWith("*"), {
            error: `${what} without a leading "!" or trailing "*" (routes name flows exactly)`,
        })
        .meta({ form: what });

export const channelRefs = uniqueList(channelName, "channel names").min(1, { error: "at least one channel name" });
export const routeRefs = uniqueList(routeName, "route names").min(1, { error: "at least one route name" });

/** The severity a signal's own section may choose for its alerts: the tier whose component owns them. */
export const alertSeverity = () =>
    z.enum(["warning", "critical", "p1"], { error: '"warning", "critical" or "p1"' }).default("warning" as const);
