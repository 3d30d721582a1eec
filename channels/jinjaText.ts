/** A Jinja string literal (its content is never a tag, and may hold `}}`). */
const STRING = String.raw`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`;
/** One Jinja tag: expression, statement or comment. */
const JINJA_TAG = new RegExp(String.raw`\{\{(?:${STRING}|[^"'])*?\}\}|\{%(?:${STRING}|[^"'])*?%\}|\{#[\s\S]*?#\}`, "g");

/**
 * A message template (the rules' Slack mrkdwn with Jinja tags) with its text
 * converted and every Jinja tag passed through byte for byte. Markup may span
 * tags (`<{{ flow_run|ui_url }}|…>`), so each tag stands in as a token while
 * `convert` runs over the whole text; a token is a private-use character that
 * occurs in no text, its index, and the character again.
 */
export function outsideJinja(template: string, convert: (text: string) => string): string {
    const tags: string[] = [];
    const texts = template.split(JINJA_TAG);
    for (const m of template.matchAll(JINJA_TAG)) tags.push(m[0]);
    // A token mark that occurs in no text, so every mark after converting is a token's.
    let code = 0xe000;
    while (texts.some((t) => t.includes(String.fromCharCode(code)))) code++;
    const mark = String.fromCharCode(code);
    const text = convert(texts.map((t, i) => (i < tags.length ? `${t}${mark}${i}${mark}` : t)).join(""));
    return text.replace(new RegExp(`${mark}(\\d+)${mark}`, "g"), (_, i: string) => tags[Number(i)]);
}
