import { stringify } from "yaml";

/**
 * The ESC environment of one alerting stack: its secrets under `pulumiConfig`
 * (so `environment: [<project>/<stack>]` in Pulumi.<stack>.yaml hands them to
 * the program as ordinary secret config), each wrapped in `fn::secret` so ESC
 * stores it encrypted and never shows it in clear.
 */
export function escEnvironmentYaml(stack: string, secrets: Record<string, string>): string {
    const pulumiConfig: Record<string, { "fn::secret": string }> = {};
    // Sorted: the same secrets always give the same text (no new revision on every update).
    for (const key of Object.keys(secrets).sort()) pulumiConfig[key] = { "fn::secret": secrets[key] };
    const header =
        `# Written by the prefect-alerting-deploy program (deploy/) for stack "${stack}".\n` +
        "# Change the values there (pulumi config set --secret --path 'escSecrets...'), not here: its next update overwrites this.\n";
    return header + stringify({ values: { pulumiConfig } }, { lineWidth: 0 });
}

/** What the alerting stack's file says to import the environment. */
export const environmentImport = (ref: string) => `environment:\n  - ${ref}\n`;
