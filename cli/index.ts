/**
 * The project's one command-line tool. Each subcommand takes a stack name (dev, prod, local) or a stack file path.
 *
 *   npx tsx cli/index.ts <preview|alert-test|report|calibrate|backtest> <stack> [options]     (npm run cli -- ...)
 *   npm run preview -- prod; npm run alert-test -- local; npm run report -- prod; npm run calibrate -- local;
 *   npm run backtest -- prod   (shortcuts, same arguments)
 *
 * Exit codes, for every subcommand (docs/operations.md, "Command line"): 0 done / passed; 1 it ran and found a problem;
 * 2 it could not run as asked (usage; for alert-test also a test that could not start). --help exits 0.
 */
import { Command, CommanderError } from "commander";
import { Options, alertTestCommand, checkOptions } from "./alertTest/options";
import { runAlertTest } from "./alertTest/run";
import { CalibrateArgs, calibrateCommand, checkCalibrateArgs, runCalibrate } from "./calibrate/run";
import { BacktestArgs, backtestCommand, checkBacktestArgs } from "./backtest/options";
import { runBacktest } from "./backtest/run";
import { EXIT, UsageError, configure, exitCodeOf } from "./command";
import { checkPreviewOptions, previewCommand, runPreview } from "./preview/run";
import { ReportArgs, checkReportArgs, reportCommand, runReport } from "./report/run";

/** What each subcommand does once its command line is checked; tests pass their own to test the parsing alone. */
export interface Handlers {
    preview(opts: ReturnType<typeof checkPreviewOptions>): Promise<number>;
    alertTest(opts: Options): Promise<number>;
    report(args: ReportArgs): Promise<number>;
    calibrate(args: CalibrateArgs): Promise<number>;
    backtest(args: BacktestArgs): Promise<number>;
}

const REAL: Handlers = { preview: runPreview, alertTest: runAlertTest, report: runReport, calibrate: runCalibrate, backtest: runBacktest };

/** The tool, its subcommands wired to `handlers`; `code` receives each subcommand's exit code. */
export function buildCli(handlers: Handlers, code: (n: number) => void): Command {
    const program = configure(new Command("prefect-alerting"))
        .description(
            "Alerting-as-code for Prefect: preview a stack offline, test its alerts for real, report on its flows, calibrate thresholds.",
        )
        .addHelpText(
            "after",
            "\nExit codes: 0 done (a check passed); 1 it ran and found a problem; 2 it could not run as asked. --help: 0.",
        );
    const sub = (
        cmd: Command,
        name: string,
        check: (args: string[], values: any) => unknown,
        run: (x: any) => Promise<number>,
        crash: number,
    ) =>
        program.addCommand(
            configure(cmd).action(async (_stack: unknown, _values: unknown, self: Command) => {
                let checked;
                try {
                    checked = check(self.args, self.opts());
                } catch (e) {
                    if (!(e instanceof UsageError)) throw e;
                    console.error(`${name}: ${e.message}\n${self.helpInformation()}`);
                    return code(EXIT.usage);
                }
                try {
                    code(await run(checked));
                } catch (e) {
                    console.error(`${name}: ${e instanceof Error ? e.message : String(e)}`);
                    code(crash);
                }
            }),
        );
    sub(previewCommand(), "preview", checkPreviewOptions, handlers.preview, EXIT.problem);
    // An alert test that breaks down did not test anything: exit 2, like one that could not start.
    sub(alertTestCommand(), "alert-test", checkOptions, handlers.alertTest, EXIT.usage);
    sub(reportCommand(), "report", checkReportArgs, handlers.report, EXIT.problem);
    sub(calibrateCommand(), "calibrate", checkCalibrateArgs, handlers.calibrate, EXIT.problem);
    sub(backtestCommand(), "backtest", checkBacktestArgs, handlers.backtest, EXIT.problem);
    return program;
}

/** Parses `argv` (after `node cli/index.ts`) and runs the subcommand; resolves to the exit code. */
export async function runCli(argv: string[], handlers: Handlers = REAL): Promise<number> {
    let exit: number = EXIT.ok;
    const program = buildCli(handlers, (n) => (exit = n));
    try {
        await program.parseAsync(argv, { from: "user" });
    } catch (e) {
        if (e instanceof CommanderError) return exitCodeOf(e);
        throw e;
    }
    return exit;
}

if (require.main === module)
    runCli(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            console.error(e instanceof Error ? e.message : String(e));
            process.exit(1);
        },
    );
