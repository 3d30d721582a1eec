/**
 * A strict check that a generated HTML page is well-formed (no HTML parser is
 * installed, and the report's page is simple enough to hold to XML-like rules):
 * every non-void element closed in order, attributes quoted, no stray `<` or
 * `>` in text, no `&` that is not an entity. Returns the problems, [] when fine,
 * and the elements seen (name + attributes), in document order.
 */

// HTML void elements; SVG elements close explicitly (`<line ... />`, `<rect ...><title>...</title></rect>`).
const VOID = new Set(["meta", "link", "br", "hr", "img", "input", "source", "col", "wbr"]);
/** Elements whose text is raw (CSS): checked for a closing tag only. */
const RAW = new Set(["style"]);

export interface Element {
    name: string;
    attrs: Record<string, string>;
}

export function checkHtml(html: string): { problems: string[]; elements: Element[] } {
    const problems: string[] = [];
    const elements: Element[] = [];
    const stack: string[] = [];
    let i = 0;
    const text = (s: string, at: number) => {
        if (/[<>]/.test(s)) problems.push(`stray < or > in text at ${at}: ${JSON.stringify(s.slice(0, 60))}`);
        for (const m of s.matchAll(/&[^;\s]*;?/g))
            if (!/^&(amp|lt|gt|quot|#39|#\d+|nbsp);$/.test(m[0])) problems.push(`bad entity ${m[0]} at ${at}`);
    };
    if (!html.startsWith("<!DOCTYPE html>")) problems.push("no <!DOCTYPE html> first");
    else i = "<!DOCTYPE html>".length;
    while (i < html.length) {
        const lt = html.indexOf("<", i);
        if (lt < 0) {
            text(html.slice(i), i);
            break;
        }
        text(html.slice(i, lt), i);
        const gt = html.indexOf(">", lt);
        if (gt < 0) {
            problems.push(`unclosed tag at ${lt}`);
            break;
        }
        const tag = html.slice(lt + 1, gt);
        i = gt + 1;
        if (tag.startsWith("/")) {
            const name = tag.slice(1).trim();
            const open = stack.pop();
            if (open !== name) problems.push(`</${name}> closes <${open ?? "nothing"}> at ${lt}`);
            continue;
        }
        const m = /^([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z][a-zA-Z0-9:-]*="[^"<>]*")*)\s*(\/?)$/.exec(tag);
        if (!m) {
            problems.push(`malformed tag <${tag.slice(0, 80)}> at ${lt}`);
            continue;
        }
        const name = m[1].toLowerCase();
        const attrs = Object.fromEntries([...m[2].matchAll(/([a-zA-Z][a-zA-Z0-9:-]*)="([^"]*)"/g)].map((a) => [a[1], a[2]]));
        for (const v of Object.values(attrs)) text(v, lt);
        elements.push({ name, attrs });
        if (VOID.has(name) || m[3] === "/") continue;
        if (RAW.has(name)) {
            const close = html.indexOf(`</${name}>`, i);
            if (close < 0) problems.push(`<${name}> never closed`);
            else i = close + `</${name}>`.length;
            continue;
        }
        stack.push(name);
    }
    if (stack.length) problems.push(`unclosed elements: ${stack.join(" > ")}`);
    return { problems, elements };
}
