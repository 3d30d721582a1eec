/**
 * The one error type bad stack configuration produces. Its message names the
 * stack, the config key and the expected form, and never echoes the value (it
 * may be a secret).
 */
export class ConfigError extends Error {
    constructor(
        readonly stack: string,
        readonly key: string,
        readonly expected: string,
    ) {
        super(`Invalid configuration for stack "${stack}": ${key}: expected ${expected}.`);
        this.name = "ConfigError";
    }
}
