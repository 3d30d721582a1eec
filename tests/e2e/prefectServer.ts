import { spawn, ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, closeSync } from "node:fs";
import { createServer, AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(__dirname, "../..");
/** Where server logs are kept (gitignored), so a failed run can be read afterwards. */
export const LOG_DIR = join(ROOT, ".e2e");

export interface PrefectServer {
    /** Base URL, e.g. http://127.0.0.1:43817 (also the UI URL). */
    url: string;
    /** http://127.0.0.1:43817/api: PREFECT_API_URL and prefect:endpoint. */
    apiUrl: string;
    home: string;
    logFile: string;
    pid: number;
    stop(): Promise<void>;
}

export interface StartOptions {
    /** Names the log file, `.e2e/prefect-server-<label>.log`, overwritten on each start. */
    label?: string;
    /** Extra server settings (e.g. shorter foreman timeouts). */
    env?: Record<string, string>;
    healthTimeoutMs?: number;
    /**
     * An existing PREFECT_HOME (its SQLite database included), kept when the server stops: a later start with the
     * same home is a restart of the same server. By default each start gets a throwaway home, removed on stop.
     */
    home?: string;
}

/**
 * Timing settings every e2e server gets: the foreman checks workers every
 * 2 s (default 15 s), so a work pool whose worker stops heartbeating goes
 * not-ready within seconds; the late-runs service looks for runs past their
 * scheduled time every 2 s (default 5 s) and marks them Late 15 s after it (the
 * default, pinned here). Nothing about triggers or actions is changed.
 */
export const E2E_SERVER_SETTINGS: Record<string, string> = {
    PREFECT_SERVER_SERVICES_FOREMAN_LOOP_SECONDS: "2",
    PREFECT_SERVER_SERVICES_LATE_RUNS_LOOP_SECONDS: "2",
    PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS: "15",
};

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released). */
export async function freePort(): Promise<number> {
    const srv = createServer();
    await new Promise<void>((r, j) => srv.once("error", j).listen(0, "127.0.0.1", () => r()));
    const { port } = srv.address() as AddressInfo;
    await new Promise<void>((r) => srv.close(() => r()));
    return port;
}

/** The environment a Prefect client or server on this machine gets: the caller's, minus any PREFECT_* setting, plus `extra`. */
export function prefectEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("PREFECT_")) env[k] = v;
    const noProxy = [process.env.NO_PROXY, "127.0.0.1", "localhost"].filter(Boolean).join(",");
    return { ...env, NO_PROXY: noProxy, no_proxy: noProxy, DO_NOT_TRACK: "1", PYTHONUNBUFFERED: "1", ...extra };
}

/**
 * Starts `prefect server start` from the repo's .venv on a free loopback port,
 * with a throwaway PREFECT_HOME (SQLite inside it unless `env` sets
 * PREFECT_API_DATABASE_CONNECTION_URL), analytics off and the UI
 * URL set (the `ui_url` template filter needs it). One process, in its own
 * process group so stop() ends everything it may have spawned. Resolves once
 * /api/health answers.
 */
export async function startPrefectServer(opts: StartOptions = {}): Promise<PrefectServer> {
    const prefect = join(ROOT, ".venv", "bin", "prefect");
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const home = opts.home ?? mkdtempSync(join(tmpdir(), "prefect-e2e-"));
    mkdirSync(LOG_DIR, { recursive: true });
    const logFile = join(LOG_DIR, `prefect-server-${opts.label ?? port}.log`);
    const log = openSync(logFile, "w");
    const child = spawn(prefect, ["server", "start", "--host", "127.0.0.1", "--port", String(port)], {
        cwd: home,
        detached: true, // own process group: kill(-pid) reaches every descendant
        stdio: ["ignore", log, log],
        env: prefectEnv({
            PREFECT_HOME: home,
            PREFECT_UI_URL: url,
            PREFECT_SERVER_ANALYTICS_ENABLED: "false",
            ...E2E_SERVER_SETTINGS,
            ...opts.env,
        }),
    });
    closeSync(log);
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${prefect}: run bash scripts/e2e/ensure-venv.sh`);
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    const guard = killGroupOnExit(pid);

    let stopped = false;
    const stop = async () => {
        if (stopped) return;
        stopped = true;
        await stopGroup(pid, child, exited);
        guard.dispose();
        if (!opts.home) rmSync(home, { recursive: true, force: true });
    };

    try {
        await waitHealthy(`${url}/api/health`, child, opts.healthTimeoutMs ?? 120_000);
    } catch (e) {
        await stop();
        throw new Error(`${(e as Error).message}\n--- ${logFile} (tail) ---\n${tail(logFile, 40)}`, { cause: e });
    }
    return { url, apiUrl: `${url}/api`, home, logFile, pid, stop };
}

async function waitHealthy(healthUrl: string, child: ChildProcess, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (child.exitCode !== null || child.signalCode !== null)
            throw new Error(`prefect server exited (${child.exitCode ?? child.signalCode}) before it was healthy`);
        try {
            const res = await fetch(healthUrl, { signal: AbortSignal.timeout(2000) });
            if (res.ok) return;
        } catch {
            // not listening yet
        }
        await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`prefect server not healthy after ${timeoutMs} ms at ${healthUrl}`);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
    try {
        process.kill(-pid, signal);
    } catch {
        // group already gone
    }
}

/** Sends `first` to the group, waits up to 10 s for the leader to exit, then SIGKILLs whatever is left. */
export async function stopGroup(pid: number, child: ChildProcess, exited: Promise<void>, first: NodeJS.Signals = "SIGTERM"): Promise<void> {
    signalGroup(pid, first);
    const done = child.exitCode !== null || child.signalCode !== null;
    const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), done ? 0 : 10_000)),
    ]);
    // Whatever is left of the group (the server after a timeout, or a stray child) goes now.
    signalGroup(pid, "SIGKILL");
    if (timedOut) await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
}

/**
 * Last-resort cleanup: if this Node process exits or is told to stop before
 * stop() ran, kill the server's process group synchronously.
 */
export function killGroupOnExit(pid: number): { dispose(): void } {
    const onExit = () => signalGroup(pid, "SIGKILL");
    const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
    const onSignal = (signal: NodeJS.Signals) => {
        onExit();
        dispose();
        // Nobody else handles it: behave as the default action would.
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    const dispose = () => {
        process.off("exit", onExit);
        for (const s of signals) process.off(s, onSignal);
    };
    process.on("exit", onExit);
    for (const s of signals) process.on(s, onSignal);
    return { dispose };
}

export function tail(file: string, lines: number): string {
    try {
        return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
    } catch {
        return "(no log)";
    }
}
