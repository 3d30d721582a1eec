import { describe, expect, it } from "vitest";
import { e2eDatabase } from "./e2e/postgres";

describe("the e2e suite's database (E2E_DB)", () => {
    it("is PostgreSQL unless told otherwise", () => {
        expect(e2eDatabase(undefined)).toBe("postgres");
        expect(e2eDatabase("")).toBe("postgres");
        expect(e2eDatabase("postgres")).toBe("postgres");
    });
    it("is SQLite for a quick local run", () => {
        expect(e2eDatabase("sqlite")).toBe("sqlite");
    });
    it("rejects anything else by name rather than guessing", () => {
        expect(() => e2eDatabase("postgresql")).toThrow(/E2E_DB must be "postgres" \(the default\) or "sqlite", got "postgresql"/);
    });
});
