/**
 * Offline preview: runs the real program under Pulumi's runtime mocks with a stack's config and answers first:
 * one line per automation, the values to set before `pulumi up`, the example values still to replace, the policy
 * verdict. Secrets it cannot decrypt and Prefect Cloud ids not yet set are replaced by visible placeholders
 * (config/offline.ts). Everything else on request: --verbose, --automation KEY, --json, --html FILE.
 *
 *   npm run preview -- dev                         (= npx tsx cli/index.ts preview dev)
 *   npm run preview -- examples/Pulumi.typo.yaml   (any stack file by path)
 */
import { writeFileSync } from "node:fs";
import { Command } from "commander";
import { UsageError } from "../command";
import { TARGET_HELP, resolveStack } from "../stack";
import { renderPreviewHtml } from "./html";
import { previewJson } from "./json";
import { loadPreview } from "./load";
import { summaryLines } from "./summary";
import { automationLines, verboseLines } from "./verbose";

export interface PreviewOptions {
    target: string;
    verbose: boolean;
    automation?: string;
    json: boolean;
    html?: string;
}

/** The `preview` subcommand's arguments and options (no action: cli/index.ts adds it). */
export function previewCommand(): Command {
    return new Command("preview")
        .description("What `pulumi up` would create for a stack, offline (no credentials), with the policy pack's verdict.")
        .argument("[stack]", TARGET_HELP)
        .option("--verbose", "every resource and every rendered message in full")
        .option("--automation <key>", "one automation in full (its key, as the summary lists it, or its name)")
        .option("--json", "the plan and the policy verdict as JSON, for tools")
        .option("--html <file>", "write every message as Slack, Teams and PagerDuty would show it, as one self-contained page")
        .allowExcessArguments(true);
}

/** The parsed values, checked (pure). */
export function checkPreviewOptions(
    args: string[],
    values: { verbose?: boolean; automation?: string; json?: boolean; html?: string },
): PreviewOptions {
    if (args.length !== 1)
        throw new UsageError(args.length ? `one stack, got ${args.join(" ")}` : "which stack? (dev, prod, local or a stack file)");
    if ([values.verbose, values.automation !== undefined, values.json].filter(Boolean).length > 1)
        throw new UsageError("--verbose, --automation and --json each choose the output: give one");
    if (values.html === "") throw new UsageError("--html expects a file name");
    return { target: args[0], verbose: !!values.verbose, automation: values.automation, json: !!values.json, html: values.html };
}

/** Exit 0: previewed, no mandatory policy violation; 1: bad config, a failed program run, or a blocked policy; 2: no such automation. */
export async function runPreview(opts: PreviewOptions): Promise<number> {
    let target;
    try {
        target = resolveStack(opts.target);
    } catch (e) {
        console.error(e instanceof Error ? e.message : String(e));
        return 1;
    }
    const p = await loadPreview(target);
    if ("error" in p) {
        console.error(p.error);
        return 1;
    }
    const verdict = p.policies.mandatory > 0 ? 1 : 0;
    if (opts.automation !== undefined) {
        const a = p.plan.automations.find((x) => x.key === opts.automation || x.name === opts.automation);
        if (!a) {
            console.error(
                `preview: no automation "${opts.automation}" in stack ${p.stack}; keys: ${p.plan.automations.map((x) => x.key).join(", ")}`,
            );
            return 2;
        }
        console.log(automationLines(p, a.key).join("\n"));
    } else if (opts.json) console.log(JSON.stringify(previewJson(p), null, 2));
    else console.log((opts.verbose ? verboseLines(p) : summaryLines(p)).join("\n"));
    if (opts.html) {
        writeFileSync(opts.html, renderPreviewHtml(p));
        // On stderr with --json, so stdout stays one JSON document.
        (opts.json ? console.error : console.log)(`Every message, as each channel shows it: ${opts.html}`);
    }
    return verdict;
}
