/** "Did you mean" for a name that is close to a known one: edit distance at most `max` (3), the nearest first. */

export function suggest(name: string, known: readonly string[], prefix = "", max = 3): string {
    const best = known.map((k) => [k, distance(name.toLowerCase(), k.toLowerCase())] as const).sort((a, b) => a[1] - b[1])[0];
    return best && best[1] <= max ? ` (did you mean "${prefix}${best[0]}"?)` : "";
}

/** Levenshtein distance. */
export function distance(a: string, b: string): number {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++)
        for (let j = 1; j <= b.length; j++)
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
}
