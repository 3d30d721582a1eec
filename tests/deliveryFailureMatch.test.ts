import { describe, expect, it } from "vitest";
import { labelLiteral as globLiteral } from "../prefect/vocabulary";
import { deliveryFailureName, deliveryFailureTrigger } from "../signals/deliveryFailure";

/**
 * Prefect matches every label value of a trigger with Python's fnmatch.fnmatchcase
 * (prefect/server/events/schemas/events.py `matches`): `*`, `?` and `[...]` (a character class, `[!...]` negated)
 * are special. This is its translation, enough to judge the patterns the program writes.
 */
function fnmatchcase(value: string, pattern: string): boolean {
    let re = "";
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === "*") re += ".*";
        else if (c === "?") re += ".";
        else if (c === "[") {
            let j = i + 1;
            if (pattern[j] === "!") j++;
            if (pattern[j] === "]") j++;
            while (j < pattern.length && pattern[j] !== "]") j++;
            if (j >= pattern.length) re += "\\[";
            else {
                let body = pattern.slice(i + 1, j).replace(/\\/g, "\\\\");
                if (body.startsWith("!")) body = `^${body.slice(1)}`;
                else if (body.startsWith("^")) body = `\\${body}`;
                re += `[${body}]`;
                i = j;
            }
        } else re += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }
    return new RegExp(`^${re}$`, "s").test(value);
}

describe("fnmatchcase (as Python's, checked against .venv/bin/python once)", () => {
    it.each([
        ["[incidents] CRITICAL x", "[incidents] *", false],
        ["i CRITICAL", "[incidents] *", true],
        ["[incidents] CRITICAL x", "[[]incidents] *", true],
        ["[a*b] x", "[[]a[*]b] *", true],
        ["[aXb] x", "[[]a[*]b] *", false],
    ])("%j against %j: %s", (value, pattern, expected) => expect(fnmatchcase(value, pattern)).toBe(expected));
});

describe("delivery-failure trigger: which automations' failures it hears", () => {
    const pattern = (stack: string) => deliveryFailureTrigger(stack).match["prefect.resource.name"] as string;

    it.each(["incidents", "prod", "my-stack.eu_1"])(
        "stack %s: every automation of the stack, not its own, not another stack's",
        (stack) => {
            // The stack's automations are named "[<stack>] ..." (rules/plan.ts label).
            expect(fnmatchcase(`[${stack}] CRITICAL repeated failures (dlt)`, pattern(stack))).toBe(true);
            expect(fnmatchcase(`[${stack}] Pipeline failed (dlt)`, pattern(stack))).toBe(true);
            expect(fnmatchcase(deliveryFailureName(stack), pattern(stack))).toBe(false);
            expect(fnmatchcase(`[other] Pipeline failed (dlt)`, pattern(stack))).toBe(false);
            // A one-letter "stack" from the bracket as a character class must not match.
            expect(fnmatchcase(`${stack[0]} Pipeline failed (dlt)`, pattern(stack))).toBe(false);
        },
    );

    it("globLiteral makes *, ? and [ literal", () => {
        for (const text of ["[a*b?c]", "plain", "[[x]]"]) {
            expect(fnmatchcase(text, globLiteral(text))).toBe(true);
            expect(fnmatchcase(`${text}x`, globLiteral(text))).toBe(false);
        }
        expect(fnmatchcase("[aXbYc]", globLiteral("[a*b?c]"))).toBe(false);
    });
});
