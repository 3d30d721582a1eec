import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { Handlers, runCli } from "../cli/index";
import { resolveStack } from "../cli/stack";

/**
 * The one command-line tool: its parser (commander) in-process with recording handlers, so the command line is
 * tested without running a preview; `--help` and the npm shortcuts in real processes, exit codes as the README says.
 */
const ROOT = resolve(__dirname, "..");

function recorder() {
    const calls: [string, unknown][] = [];
    const handlers: Handlers = {
        preview: async (o) => (calls.push(["preview", o]), 0),
        alertTest: async (o) => (calls.push(["alert-test", o]), 0),
        report: async (o) => (calls.push(["report", o]), 0),
        calibrate: async (o) => (calls.push(["calibrate", o]), 0),
        backtest: async (o) => (calls.push(["backtest", o]), 0),
    };
    return { calls, handlers };
}

/** runCli with commander's own output kept off the test log. */
async function quietly(argv: string[], handlers: Handlers) {
    const out = process.stdout.write;
    const err = process.stderr.write;
    let text = "";
    process.stdout.write = process.stderr.write = ((s: string) => ((text += s), true)) as typeof process.stdout.write;
    const log = vi.spyOn(console, "log").mockImplementation((s: string) => void (text += `${s}\n`));
    const error = vi.spyOn(console, "error").mockImplementation((s: string) => void (text += `${s}\n`));
    try {
        return { code: await runCli(argv, handlers), text };
    } finally {
        process.stdout.write = out;
        process.stderr.write = err;
        log.mockRestore();
        error.mockRestore();
    }
}

describe("the CLI's parsing", () => {
    it("routes each subcommand to its handler with checked options", async () => {
        const { calls, handlers } = recorder();
        expect((await quietly(["preview", "prod"], handlers)).code).toBe(0);
        expect((await quietly(["preview", "prod", "--automation", "warning-dlt", "--html", "x.html"], handlers)).code).toBe(0);
        expect((await quietly(["alert-test", "local", "--route", "a,b", "--tier", "all"], handlers)).code).toBe(0);
        expect((await quietly(["report", "examples/Pulumi.typo.yaml", "--days=3"], handlers)).code).toBe(0);
        expect((await quietly(["calibrate", "local", "--runs", "20"], handlers)).code).toBe(0);
        expect((await quietly(["backtest", "prod", "--against", "tests/x/Pulumi.prod.yaml", "--days", "3", "--json"], handlers)).code).toBe(
            0,
        );
        expect((await quietly(["backtest", "prod", "--html", "b.html"], handlers)).code).toBe(0);
        expect(calls).toEqual([
            ["preview", { target: "prod", verbose: false, automation: undefined, json: false, html: undefined }],
            ["preview", { target: "prod", verbose: false, automation: "warning-dlt", json: false, html: "x.html" }],
            ["alert-test", { target: "local", routes: ["a", "b"], tier: "all", timeoutSeconds: 120 }],
            ["report", { stackArg: "examples/Pulumi.typo.yaml", days: 3, html: undefined }],
            ["calibrate", { stackArg: "local", runs: 20, out: undefined }],
            ["backtest", { stackArg: "prod", days: 3, against: "tests/x/Pulumi.prod.yaml", html: undefined, json: true }],
            ["backtest", { stackArg: "prod", days: 7, against: undefined, html: "b.html", json: false }],
        ]);
    });

    it.each([
        [["preview"], /which stack/],
        [["preview", "dev", "prod"], /one stack, got dev prod/],
        [["preview", "dev", "--verbose", "--json"], /give one/],
        [["preview", "dev", "--verbos"], /unknown option '--verbos'/],
        [["alert-test", "local", "--tier", "page"], /--tier: expected one of warning, critical, all/],
        [["report", "local", "--days", "0"], /whole number/],
        [["calibrate", "local", "--runs", "3"], /--runs expects a whole number from 10/],
        [["calibrate"], /name one stack/],
        [["backtest"], /which stack\?/],
        [["backtest", "dev", "prod"], /name one stack, got dev prod/],
        [["backtest", "prod", "--days", "91"], /--days expects a whole number of days from 1 to 90, got "91"/],
        [["backtest", "prod", "--days", "1.5"], /--days expects a whole number/],
        [["backtest", "prod", "--against"], /option '--against <stack>' argument missing/],
        [["backtest", "prod", "--against", ""], /--against expects a stack name or a stack file/],
        [["backtest", "prod", "--html", ""], /--html expects a file name/],
        [["deploy", "prod"], /unknown command 'deploy'/],
        [[], /Usage: prefect-alerting/],
    ])("refuses %j with exit 2 and says why, no handler called", async (argv, message) => {
        const { calls, handlers } = recorder();
        const r = await quietly(argv, handlers);
        expect(r.code).toBe(2);
        expect(r.text).toMatch(message);
        expect(calls).toEqual([]);
    });

    it("passes the handler's exit code on; a handler that throws: 1, or 2 for alert-test (nothing was tested)", async () => {
        const boom = async () => {
            throw new Error("boom");
        };
        const { handlers } = recorder();
        expect((await quietly(["preview", "dev"], { ...handlers, preview: async () => 1 })).code).toBe(1);
        expect((await quietly(["preview", "dev"], { ...handlers, preview: boom })).code).toBe(1);
        expect((await quietly(["report", "dev"], { ...handlers, report: boom })).code).toBe(1);
        expect((await quietly(["alert-test", "dev"], { ...handlers, alertTest: boom })).code).toBe(2);
        expect((await quietly(["backtest", "dev"], { ...handlers, backtest: boom })).code).toBe(1);
    });

    it("a stack is a name or a stack file path, read the same way by every subcommand", () => {
        expect(resolveStack("dev").stack).toBe("dev");
        const byPath = resolveStack("examples/Pulumi.typo.yaml");
        expect(byPath.stack).toBe("typo");
        expect(Object.keys(byPath.file.values).length).toBeGreaterThan(0);
        expect(() => resolveStack("nosuch")).toThrow(/No stack file .*Pulumi\.nosuch\.yaml/);
    });
});

describe("--help, in real processes", () => {
    const pkg = JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8"));
    const run = (args: string[]) =>
        spawnSync(process.execPath, ["--import", "tsx", "cli/index.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });

    it.concurrent.each([
        [["--help"]],
        [["help", "preview"]],
        [["preview", "--help"]],
        [["alert-test", "--help"]],
        [["report", "-h"]],
        [["calibrate", "--help"]],
        [["backtest", "--help"]],
    ])(
        "%j exits 0 and prints the usage",
        (args) => {
            const r = run(args);
            expect(r.status).toBe(0);
            expect(r.stdout).toMatch(/^Usage: prefect-alerting/m);
        },
        120_000,
    );

    it("the npm shortcuts are the CLI's subcommands, with the same arguments", () => {
        expect(pkg.scripts.cli).toBe("tsx cli/index.ts");
        expect(pkg.scripts.preview).toBe("tsx cli/index.ts preview");
        expect(pkg.scripts["alert-test"]).toBe("tsx cli/index.ts alert-test");
        expect(pkg.scripts.report).toBe("tsx cli/index.ts report");
        expect(pkg.scripts.calibrate).toBe("tsx cli/index.ts calibrate");
        expect(pkg.scripts.backtest).toBe("tsx cli/index.ts backtest");
        expect(pkg.dependencies.commander ?? pkg.devDependencies.commander).toMatch(/^\d+\.\d+\.\d+$/);
    });
});
