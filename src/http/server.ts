/**
 * The one HTTP server: Slack's requests go to Bolt's own HTTPReceiver (its signature check), everything
 * else to the router. In front of Bolt sit two checks Bolt lacks: timestamps from the future are refused,
 * and bodies over 1 MB are refused before they are read.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "../logger.ts";
import { BodyTooLargeError, ONE_MEGABYTE, type Router, readBody, sendText } from "./router.ts";

/** Path of Slack's request URL (commands, interactivity, events). */
export const SLACK_EVENTS_PATH = "/slack/events";
/** Slack's allowed clock skew in seconds. */
export const SLACK_MAX_SKEW_SECONDS = 300;

/** Options of {@link createHttpServer}. */
export interface HttpServerOptions {
  router: Router;
  logger: Logger;
  /** Bolt's request listener (HTTP mode); absent in Socket Mode. */
  slackListener?: (req: IncomingMessage, res: ServerResponse) => void;
  now?: () => number;
}

/** Builds the HTTP server (not yet listening). */
export function createHttpServer(options: HttpServerOptions): Server {
  const now = options.now ?? Date.now;
  const log = options.logger.child({ component: "http" });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === SLACK_EVENTS_PATH && options.slackListener) {
      handleSlack(req, res, options.slackListener, now, log);
      return;
    }
    const found = options.router.match(req.method ?? "GET", url.pathname);
    if (found === null) return sendText(res, 404, "Not found");
    if (found === "wrong-method") return sendText(res, 405, "Method not allowed");
    Promise.resolve(
      found.handler({ req, res, url, params: found.params, body: (limit) => readBody(req, limit) }),
    ).catch((err: unknown) => {
      if (err instanceof BodyTooLargeError) {
        if (!res.headersSent) sendText(res, 413, "Request body too large");
        req.resume();
        return;
      }
      log.error({ err, path: url.pathname }, "route failed");
      if (!res.headersSent) sendText(res, 500, "Something went wrong on our side; it has been logged.");
      else res.end();
    });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  return server;
}

function handleSlack(
  req: IncomingMessage,
  res: ServerResponse,
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  now: () => number,
  log: Logger,
): void {
  if (req.method !== "POST") {
    sendText(res, 405, "Method not allowed");
    return;
  }
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > ONE_MEGABYTE) {
    log.warn({ bytes: declared }, "slack request refused: body over 1 MB");
    res.setHeader("connection", "close");
    sendText(res, 413, "Request body too large");
    req.resume();
    return;
  }
  const ts = Number(req.headers["x-slack-request-timestamp"]);
  // Bolt refuses stale timestamps but accepts any timestamp in the future; a captured request replayed
  // with a forged future timestamp would have no signature, but a clock-skewed sender must be refused too.
  if (Number.isFinite(ts) && ts > Math.floor(now() / 1000) + SLACK_MAX_SKEW_SECONDS) {
    log.warn("slack request refused: timestamp in the future");
    sendText(res, 401, "Request timestamp is in the future");
    req.resume();
    return;
  }
  listener(req, res);
}

/** Starts listening; resolves with the bound port. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}

/** Stops accepting connections and waits for in-flight requests (idle keep-alive sockets are closed). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
