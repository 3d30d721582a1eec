import { spawn, spawnSync } from "node:child_process";
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOG_DIR, ROOT, freePort, killGroupOnExit, stopGroup, tail } from "./prefectServer";

const SCRIPT = join(ROOT, "scripts", "pg", "postgres.sh");

/** Which database the e2e suite's Prefect server uses: PostgreSQL (as in production) unless E2E_DB=sqlite. */
export type E2eDatabase = "postgres" | "sqlite";

export function e2eDatabase(value: string | undefined): E2eDatabase {
    if (value === undefined || value === "" || value === "postgres") return "postgres";
    if (value === "sqlite") return "sqlite";
    throw new Error(`E2E_DB must be "postgres" (the default) or "sqlite", got "${value}"`);
}

export interface Postgres {
    /** For PREFECT_API_DATABASE_CONNECTION_URL: postgresql+asyncpg://prefect@127.0.0.1:<port>/prefect */
    connectionUrl: string;
    port: number;
    logFile: string;
    stop(): Promise<void>;
}

export interface PostgresOptions {
    /** Names the log file, `.e2e/postgres-<label>.log`. */
    label?: string;
    /** Extra `-c name=value` server settings. */
    settings?: Record<string, string>;
}

/**
 * Starts a throwaway PostgreSQL through scripts/pg/postgres.sh (which finds or
 * installs the binaries and runs the server as an unprivileged user when we are
 * root): a fresh data directory under the temp dir, 127.0.0.1 on a free port,
 * database "prefect". The server runs in its own process group; stop() ends it
 * (fast shutdown) and removes the data directory.
 */
export async function startPostgres(opts: PostgresOptions = {}): Promise<Postgres> {
    const base = mkdtempSync(join(tmpdir(), "prefect-e2e-pg-"));
    chmodSync(base, 0o711);
    const dir = join(base, "data");
    const init = spawnSync("bash", [SCRIPT, "init", dir], { encoding: "utf8" });
    if (init.status !== 0) {
        rmSync(base, { recursive: true, force: true });
        throw new Error(`initdb failed (${init.status}):\n${init.stderr}`);
    }
    const port = await freePort();
    mkdirSync(LOG_DIR, { recursive: true });
    const logFile = join(LOG_DIR, `postgres-${opts.label ?? port}.log`);
    const log = openSync(logFile, "w");
    const settings = Object.entries(opts.settings ?? {}).flatMap(([k, v]) => ["-c", `${k}=${v}`]);
    const child = spawn("bash", [SCRIPT, "run", dir, String(port), ...settings], { detached: true, stdio: ["ignore", log, log] });
    closeSync(log);
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${SCRIPT}`);
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    const guard = killGroupOnExit(pid);
    let stopped = false;
    const stop = async () => {
        if (stopped) return;
        stopped = true;
        // SIGINT is PostgreSQL's fast shutdown: open sessions are ended, nothing waits for clients.
        await stopGroup(pid, child, exited, "SIGINT");
        guard.dispose();
        rmSync(base, { recursive: true, force: true });
    };
    const ready = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const p = spawn("bash", [SCRIPT, "ready", String(port), "120"], { stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        p.stderr.on("data", (d) => (stderr += d));
        p.once("exit", (status) => resolve({ status, stderr }));
    });
    if (ready.status !== 0) {
        await stop();
        throw new Error(`PostgreSQL did not come up: ${ready.stderr}\n--- ${logFile} (tail) ---\n${tail(logFile, 30)}`);
    }
    return { connectionUrl: `postgresql+asyncpg://prefect@127.0.0.1:${port}/prefect`, port, logFile, stop };
}
