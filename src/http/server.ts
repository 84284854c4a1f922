/**
 * The one HTTP server: Slack's requests go to Bolt's own HTTPReceiver (its signature check), everything
 * else to the router. In front of Bolt sit two checks Bolt lacks: timestamps from the future are refused,
 * and bodies over 1 MB are refused before they are read.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { z } from "zod";
import { ONE_MEGABYTE } from "../limits.ts";
import type { Logger } from "../logger.ts";
import { BodyTooLargeError, type Router, readBody, sendText } from "./router.ts";

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
  /** Real time for Slack's replay window (tests may pass a fixed one). */
  now?: () => number;
  /** Idle keep-alive connections close after this long (default 65 s; HTTP_KEEP_ALIVE_MS). */
  keepAliveMs?: number;
}

/** Builds the HTTP server (not yet listening). */
export function createHttpServer(options: HttpServerOptions): Server {
  const now = options.now ?? Date.now;
  const log = options.logger.child({ component: "http" });
  const server = createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      return sendText(res, 400, "Malformed request URL");
    }
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
      // The route, not the path: a path may hold a link token (/connect/<token>, /p/<token>).
      log.error({ err, route: routeNameOf(url.pathname) }, "route failed");
      if (!res.headersSent) sendText(res, 500, "Something went wrong on our side; it has been logged.");
      else res.end();
    });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  // Longer than a load balancer's idle timeout (AWS ALB: 60 s): whoever closes an idle connection first must
  // be the balancer, or it may send the next request into a socket this server is closing and answer 502
  // (Node's default is 5 s). Slack's retries would cover it, late. headersTimeout still bounds slow headers:
  // it does not count a keep-alive connection's idle time (tried on Node 20: idle 4 s, headersTimeout 2 s, reused).
  server.keepAliveTimeout = options.keepAliveMs ?? 65_000;
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
  const ts = Number(req.headers["x-slack-request-timestamp"]);
  // Bolt refuses stale timestamps but accepts any timestamp in the future; Slack's rule is ±300 s.
  if (Number.isFinite(ts) && ts > Math.floor(now() / 1000) + SLACK_MAX_SKEW_SECONDS) {
    log.warn("slack request refused: timestamp in the future");
    sendText(res, 401, "Request timestamp is in the future");
    req.resume();
    return;
  }
  readBody(req, ONE_MEGABYTE).then(
    (raw) => {
      const problem = malformedSlackBody(raw, String(req.headers["content-type"] ?? ""));
      if (problem) {
        log.warn({ problem }, "slack request refused: malformed body");
        sendText(res, 400, `Malformed request: ${problem}`);
        return;
      }
      // Bolt re-uses an already buffered body (rawBody) and still verifies its signature itself.
      (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
      listener(req, res);
    },
    (err: unknown) => {
      if (err instanceof BodyTooLargeError) {
        log.warn("slack request refused: body over 1 MB");
        res.setHeader("connection", "close");
        sendText(res, 413, "Request body too large");
        req.resume();
        return;
      }
      log.warn({ err }, "slack request body could not be read");
      if (!res.headersSent) sendText(res, 400, "Request body could not be read");
    },
  );
}

const user = z.looseObject({ id: z.string() });
/** The least each kind of Slack request must carry for Bolt to route it without throwing. */
const PAYLOAD_SHAPES: Record<string, z.ZodType> = {
  block_actions: z.looseObject({ user, actions: z.array(z.looseObject({ action_id: z.string() })) }),
  view_submission: z.looseObject({ user, view: z.looseObject({ id: z.string().optional() }) }),
  view_closed: z.looseObject({ user, view: z.looseObject({}) }),
  shortcut: z.looseObject({ user, callback_id: z.string() }),
  message_action: z.looseObject({ user, callback_id: z.string() }),
  block_suggestion: z.looseObject({ user, action_id: z.string() }),
};
const EVENT_SHAPE = z.looseObject({ event: z.looseObject({ type: z.string() }) });

/**
 * Bolt (5.1) crashes or answers 500 on bodies like `payload=null` or a view_submission without a view.
 * Such requests are refused here with a 400 and a reason; Bolt still verifies the signature of the rest.
 */
export function malformedSlackBody(raw: Buffer, contentType: string): string | null {
  const text = raw.toString("utf8");
  try {
    if (contentType === "application/x-www-form-urlencoded") {
      const form = new URLSearchParams(text);
      const payload = form.get("payload");
      if (payload === null) return null; // a slash command or ssl_check
      const body: unknown = JSON.parse(payload);
      if (typeof body !== "object" || body === null || Array.isArray(body))
        return "payload is not a JSON object";
      const shape = PAYLOAD_SHAPES[String((body as { type?: unknown }).type)];
      // The app handles only these interaction types; anything else would only reach Bolt's error path.
      if (!shape) return "unsupported payload type";
      return shape.safeParse(body).success ? null : "payload is missing required fields";
    }
    const body: unknown = JSON.parse(text);
    if (typeof body !== "object" || body === null || Array.isArray(body)) return "body is not a JSON object";
    const type = (body as { type?: unknown }).type;
    if (type === "event_callback" && !EVENT_SHAPE.safeParse(body).success) return "event is missing";
    return null;
  } catch {
    return "body is not valid JSON";
  }
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

/**
 * Stops accepting connections and waits for in-flight requests. Keep-alive connections are closed as soon as
 * they are idle — also those that finish a request after the stop began (swept every 100 ms), or a client
 * holding one open would keep the process up for the whole keep-alive time (65 s) — and after `graceMs`
 * every connection is closed.
 */
export function closeServer(server: Server, graceMs = 15_000): Promise<void> {
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** A path's first segment (`/connect/:token` → `/connect`): what a log line may say of a request. */
export function routeNameOf(pathname: string): string {
  const first = pathname.split("/")[1] ?? "";
  return `/${/^[a-z0-9._-]{0,40}$/i.test(first) ? first : "…"}`;
}
