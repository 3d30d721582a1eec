import { randomUUID } from "node:crypto";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";

/**
 * A loopback stand-in for an external heartbeat monitor (healthchecks.io's model): a check with a ping URL, a
 * period and a grace time. It is "new" until the first ping, "up" after each ping, and "down" (a missing ping,
 * what would page someone) once no ping arrived for period + grace.
 */
export type CheckState = "new" | "up" | "down";

/** The check's state at `now`, from the ping times so far (ms since the epoch). */
export function checkState(pings: readonly number[], now: number, periodMs: number, graceMs: number): CheckState {
    const last = pings.filter((t) => t <= now).at(-1);
    if (last === undefined) return "new";
    return now - last > periodMs + graceMs ? "down" : "up";
}

export interface Request {
    path: string;
    method: string;
    body: string;
    at: number;
}

export class HeartbeatMonitor {
    /** Every request, on any path (only the ping path counts as a ping). */
    readonly requests: Request[] = [];
    /** Each change of state and when the monitor saw it (it looks every 250 ms, as a monitor's own loop would). */
    readonly transitions: { state: CheckState; at: number }[] = [];
    private readonly timer: NodeJS.Timeout;
    readonly pingPath = `/ping/${randomUUID()}`;

    private constructor(
        private readonly server: Server,
        readonly url: string,
        readonly periodMs: number,
        readonly graceMs: number,
    ) {
        this.timer = setInterval(() => this.look(), 250);
    }

    static async start(periodMs: number, graceMs: number): Promise<HeartbeatMonitor> {
        const server = createServer((req, res) => {
            let body = "";
            req.on("data", (c) => (body += c));
            req.on("end", () => {
                monitor.requests.push({ path: (req.url ?? "/").split("?")[0], method: req.method ?? "", body, at: Date.now() });
                monitor.look();
                res.writeHead(200, { "content-type": "text/plain" }).end("OK");
            });
        });
        await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", () => resolve()));
        const monitor = new HeartbeatMonitor(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, periodMs, graceMs);
        return monitor;
    }

    /** The ping URL the check hands out (the secret the stack is given). */
    get pingUrl(): string {
        return `${this.url}${this.pingPath}`;
    }

    /** Arrival times of the pings, in order. */
    pings(): number[] {
        return this.requests.filter((r) => r.path === this.pingPath).map((r) => r.at);
    }

    state(now = Date.now()): CheckState {
        return checkState(this.pings(), now, this.periodMs, this.graceMs);
    }

    private look(): void {
        const state = this.state();
        if (this.transitions.at(-1)?.state !== state && state !== "new") this.transitions.push({ state, at: Date.now() });
    }

    /** Resolves once `done()` holds (checked every 250 ms); rejects after `timeoutMs`, saying what it waited for. */
    async until(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        while (!done()) {
            if (Date.now() > deadline)
                throw new Error(
                    `timed out after ${timeoutMs} ms waiting for ${what}; pings at ${this.pings()
                        .map((t) => new Date(t).toISOString())
                        .join(", ")}`,
                );
            await new Promise((r) => setTimeout(r, 250));
        }
    }

    async close(): Promise<void> {
        clearInterval(this.timer);
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
}
