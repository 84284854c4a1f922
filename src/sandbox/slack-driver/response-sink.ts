/**
 * The local stand-in for Slack's response_url links: a small server on 127.0.0.1 that keeps what the app
 * posts to each link, and lets callers wait for it. Like Slack, a link takes 5 posts within 30 minutes of
 * being issued; after that it answers 404 `used_url` or `expired_url`
 * (https://api.slack.com/interactivity/handling#message_responses).
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sinkKey } from "./payload-helpers.ts";
import type { SinkEntry } from "./types.ts";

/** Slack: "You can use a response_url five times within 30 minutes". */
export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_LIFETIME_MS = 30 * 60_000;

interface SinkWaiter {
  count: number;
  resolve: (body: unknown) => void;
}

/** Collects what an app posts to response_url links; the {@link SlackDriver} hands those links out. */
export class ResponseSink {
  /** Everything posted to the sink, in arrival order. */
  readonly responseLog: SinkEntry[] = [];
  /** Emits "response" for every body posted to the sink (the sandbox page shows them live). */
  readonly events = new EventEmitter<{ response: [SinkEntry] }>();

  protected readonly now: () => number;
  /** The clock a link's 30 minutes run on (the sandbox clock; default: the timestamps' clock). */
  private readonly urlNow: () => number;
  private readonly sinkResponses = new Map<string, unknown[]>();
  private readonly issuedAt = new Map<string, number>();
  private readonly waiters = new Map<string, SinkWaiter[]>();
  private server: Server | undefined;
  private sinkOrigin: string | undefined;
  private counter = 0;

  constructor(now: () => number, urlNow: () => number = now) {
    this.now = now;
    this.urlNow = urlNow;
  }

  /** Starts the response_url sink on 127.0.0.1. */
  async start(): Promise<this> {
    if (this.server) return this;
    const server = createServer((req, res) => {
      void this.receive(req).then(
        (status) => {
          if (typeof status === "string") {
            // Slack's webhook-style errors are a plain-text code with the HTTP status.
            res.writeHead(404, { "content-type": "text/plain" });
            res.end(status);
            return;
          }
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(status === 200 ? { ok: true } : { ok: false, error: "no_service" }));
        },
        () => {
          res.writeHead(400, { "content-type": "application/json" });
          res.end(JSON.stringify({ ok: false, error: "invalid_payload" }));
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    this.sinkOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  /** Stops the sink. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** JSON bodies the app posted to a response_url, in order. */
  responses(responseUrl: string): unknown[] {
    return [...(this.sinkResponses.get(sinkKey(responseUrl)) ?? [])];
  }

  /** Resolves with the `count`-th body posted to `responseUrl` (1 = first); rejects after the timeout. */
  waitForResponse(responseUrl: string, timeoutMs = 2000, count = 1): Promise<unknown> {
    const key = sinkKey(responseUrl);
    const already = this.sinkResponses.get(key)?.[count - 1];
    if (already !== undefined) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const waiter: SinkWaiter = {
        count,
        resolve: (body) => {
          clearTimeout(timer);
          resolve(body);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.set(
          key,
          (this.waiters.get(key) ?? []).filter((w) => w !== waiter),
        );
        reject(new Error(`no response #${count} at ${responseUrl} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(key, [...(this.waiters.get(key) ?? []), waiter]);
    });
  }

  /** A response_url on the sink, shaped like Slack's hooks.slack.com/{kind}/{team}/{id}/{secret}. */
  newResponseUrl(kind: string, teamId: string): string {
    if (!this.sinkOrigin) {
      throw new Error("SlackDriver: call start() first, the response_url sink is not running");
    }
    const secret = this.uniqueSuffix(24).toLowerCase();
    const path = `/${kind}/${teamId}/${Math.floor(this.now())}${this.counter}/${secret}`;
    this.sinkResponses.set(path, []);
    this.issuedAt.set(path, this.urlNow());
    return `${this.sinkOrigin}${path}`;
  }

  /** The HTTP status of a post, or the error code of a link past its window. */
  private async receive(req: IncomingMessage): Promise<number | "expired_url" | "used_url"> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const key = sinkKey(`http://127.0.0.1${req.url ?? "/"}`);
    const list = this.sinkResponses.get(key);
    if (req.method !== "POST" || !list) return 404;
    if (this.urlNow() - (this.issuedAt.get(key) ?? 0) > RESPONSE_URL_LIFETIME_MS) return "expired_url";
    if (list.length >= RESPONSE_URL_MAX_USES) return "used_url";
    const text = Buffer.concat(chunks).toString("utf8");
    const body: unknown = JSON.parse(text);
    list.push(body);
    const entry: SinkEntry = { url: `${this.sinkOrigin ?? ""}${key}`, body, at: this.now() };
    this.responseLog.push(entry);
    this.events.emit("response", entry);
    const waiting = this.waiters.get(key) ?? [];
    const ready = waiting.filter((w) => w.count <= list.length);
    this.waiters.set(
      key,
      waiting.filter((w) => w.count > list.length),
    );
    for (const waiter of ready) waiter.resolve(list[waiter.count - 1]);
    return 200;
  }

  protected uniqueSuffix(length: number): string {
    this.counter += 1;
    const random = randomBytes(length).toString("hex").toUpperCase();
    return `${this.counter.toString(36).toUpperCase()}${random}`.slice(0, length);
  }
}
