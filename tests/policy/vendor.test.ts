import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { VOCABULARY_COPY, VOCABULARY_SOURCE, vendoredText } from "../../scripts/vendor-policy";

/**
 * The policy pack's copy of the Prefect vocabulary is the program's, so the
 * program and the pack never disagree on an event name or a field. Fails when
 * prefect/vocabulary.ts changed and nobody ran `npm run vendor`.
 */
describe("policy/vendor/vocabulary.ts", () => {
    it("is prefect/vocabulary.ts under its one-line header (after editing the source, run npm run vendor)", () => {
        const copy = readFileSync(VOCABULARY_COPY, "utf8");
        const source = readFileSync(VOCABULARY_SOURCE, "utf8");
        expect(copy.slice(copy.indexOf("\n") + 1)).toBe(source);
        expect(copy).toBe(vendoredText(source));
    });
});
