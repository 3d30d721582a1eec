/**
 * Example values the committed stack files carry so that a fresh clone previews something real-looking: people at
 * example.com, the sample work pool and deployment. A stack that still has one would page nobody, or watch a pool
 * that does not exist; the preview names each, with its key, until it is replaced. Pure.
 */
const SAMPLE_PEOPLE = /@example\.(com|org|net)$/i;
const SAMPLE_NAMES: Record<string, string> = {
    "default-work-pool": "the sample work pool",
    "exchange-rates-daily-prod": "the sample deployment",
};

export interface SampleValue {
    /** The config key and path, e.g. `prefect-alerting:pagerDuty.schedule.users[0]`. */
    key: string;
    value: string;
    what: string;
}

/** Every known sample value (or map key) in a stack file's plain values (`readStackFile`: objects as JSON). */
export function findSampleValues(values: Readonly<Record<string, string>>): SampleValue[] {
    const found: SampleValue[] = [];
    const visit = (node: unknown, path: string) => {
        if (typeof node === "string") {
            const what = SAMPLE_PEOPLE.test(node) ? "an example.com person" : SAMPLE_NAMES[node];
            if (what) found.push({ key: path, value: node, what });
        } else if (Array.isArray(node)) node.forEach((x, i) => visit(x, `${path}[${i}]`));
        else if (node && typeof node === "object")
            for (const [k, v] of Object.entries(node)) {
                if (SAMPLE_NAMES[k]) found.push({ key: `${path}.${k}`, value: k, what: SAMPLE_NAMES[k] });
                visit(v, `${path}.${k}`);
            }
    };
    for (const [key, raw] of Object.entries(values)) {
        let parsed: unknown = raw;
        if (/^[[{]/.test(raw))
            try {
                parsed = JSON.parse(raw);
            } catch {
                parsed = raw;
            }
        visit(parsed, key);
    }
    return found;
}
