import { format } from "node:util";
import { redact } from "./sentinels";

const CONSOLE = ["log", "info", "warn", "error", "debug", "trace"] as const;

/**
 * Records everything written to the console and to stdout / stderr while
 * `body` runs (Pulumi's runtime logs through both), and forwards it with
 * sentinel values redacted so a leak is detected here and never printed.
 */
export async function captureOutput<T>(body: () => Promise<T>): Promise<{ text: string; result?: T; error?: unknown }> {
    const chunks: string[] = [];
    const consoleBefore = CONSOLE.map((m) => console[m]);
    const stdoutWrite = process.stdout.write;
    const stderrWrite = process.stderr.write;
    const tap =
        (write: typeof process.stdout.write, stream: NodeJS.WriteStream) =>
        (chunk: unknown, ...rest: unknown[]): boolean => {
            const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
            chunks.push(text);
            return (write as (c: string, ...r: unknown[]) => boolean).call(stream, redact(text), ...rest);
        };
    for (const [i, m] of CONSOLE.entries()) {
        const original = consoleBefore[i];
        console[m] = (...args: unknown[]) => {
            const text = format(...args);
            chunks.push(text + "\n");
            original.call(console, redact(text));
        };
    }
    process.stdout.write = tap(stdoutWrite, process.stdout) as typeof process.stdout.write;
    process.stderr.write = tap(stderrWrite, process.stderr) as typeof process.stderr.write;
    let outcome: { result?: T; error?: unknown };
    try {
        outcome = { result: await body() };
    } catch (error) {
        outcome = { error };
    } finally {
        for (const [i, m] of CONSOLE.entries()) console[m] = consoleBefore[i];
        process.stdout.write = stdoutWrite;
        process.stderr.write = stderrWrite;
    }
    return { text: chunks.join(""), ...outcome };
}
