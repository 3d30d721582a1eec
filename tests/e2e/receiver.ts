import { IncomingHttpHeaders, createServer, IncomingMessage, Server } from "node:http";
import { AddressInfo } from "node:net";

/** One request as the receiver got it. */
export interface Received {
    /** Path without the query, e.g. `/alerts`. */
    path: string;
    method: string;
    /** Parsed JSON body (the custom-webhook block sends {subject, body, name}); undefined if not JSON. */
    json?: { subject?: string; body?: string; name?: string; [key: string]: unknown };
    raw: string;
    /** Request headers (lower-case names), e.g. an e-mail API's `authorization`. */
    headers: IncomingHttpHeaders;
    /** Arrival time, ms since the epoch (same clock as the Prefect server on this machine). */
    at: number;
    /** The HTTP status the receiver answered. */
    status?: number;
}

/** How the receiver answers one request: a status and a JSON body (a stand-in service's own answer). */
export interface Reply {
    status: number;
    body: string;
}

/**
 * A loopback HTTP server standing in for Slack and PagerDuty: answers 200 to
 * everything (or a path's `status`) and records each request. Channels are told apart by path.
 */
export class Receiver {
    readonly requests: Received[] = [];
    /** HTTP status to answer on a path (e.g. 500 for a broken channel); every other path gets 200. */
    readonly status = new Map<string, number>();
    /** A path's own answer, per request (e.g. PagerDuty's 202 with the dedup key); it wins over `status`. */
    readonly replies = new Map<string, (r: Received) => Reply>();
    private waiters: (() => void)[] = [];

    private constructor(
        private readonly server: Server,
        readonly url: string,
    ) {}

    static async start(): Promise<Receiver> {
        // The handler runs only once the server listens, by then `receiver` below is set.
        const server = createServer((req, res) => {
            readBody(req).then((raw) => {
                const at = Date.now();
                let json: Received["json"];
                try {
                    json = JSON.parse(raw);
                } catch {
                    json = undefined;
                }
                const path = (req.url ?? "/").split("?")[0];
                const received: Received = { path, method: req.method ?? "", json, raw, headers: req.headers, at };
                const status = receiver.status.get(path) ?? 200;
                const reply = receiver.replies.get(path)?.(received) ?? { status, body: status < 300 ? '{"ok":true}' : '{"ok":false}' };
                received.status = reply.status;
                receiver.record(received);
                res.writeHead(reply.status, { "content-type": "application/json" }).end(reply.body);
            });
        });
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(0, "127.0.0.1", () => resolve());
        });
        const receiver = new Receiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
        return receiver;
    }

    private record(r: Received): void {
        this.requests.push(r);
        for (const wake of this.waiters.splice(0)) wake();
    }

    /** Requests on one path whose subject or body contains `text` (all of them without `text`). */
    on(path: string, text?: string): Received[] {
        return this.requests.filter((r) => r.path === path && (text === undefined || mentions(r, text)));
    }

    /** Every request, on any path, whose subject or body contains `text`. */
    mentioning(text: string): Received[] {
        return this.requests.filter((r) => mentions(r, text));
    }

    /** Resolves with what `pick` returns once it has at least `count` items (re-checked on each request); rejects after `timeoutMs`. */
    async waitFor<T = Received>(pick: () => T[], count = 1, timeoutMs = 60_000, what = "requests"): Promise<T[]> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const found = pick();
            if (found.length >= count) return found;
            const left = deadline - Date.now();
            if (left <= 0)
                throw new Error(
                    `timed out after ${timeoutMs} ms waiting for ${count} ${what}; got ${found.length}. All received:\n${this.dump()}`,
                );
            await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, Math.min(left, 1000));
                this.waiters.push(() => {
                    clearTimeout(timer);
                    resolve();
                });
            });
        }
    }

    dump(): string {
        return this.requests
            .map((r) => `${new Date(r.at).toISOString()} ${r.method} ${r.path} ${r.json?.subject ?? r.raw.slice(0, 200)}`)
            .join("\n");
    }

    async close(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
}

function mentions(r: Received, text: string): boolean {
    return `${r.json?.subject ?? ""}\n${r.json?.body ?? ""}`.includes(text);
}

function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        req.on("error", () => resolve(Buffer.concat(chunks).toString("utf8")));
    });
}
