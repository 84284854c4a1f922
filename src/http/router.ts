/**
 * A small router for the non-Slack HTTP routes (health, Finch callback and webhooks, connect links, the
 * sandbox page). node:http is enough for a handful of routes; a framework would add a second request
 * pipeline beside Bolt's.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ONE_MEGABYTE } from "../limits.ts";

/** A request as route handlers see it. */
export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  /** Reads the raw body, refusing more than `limit` bytes (413). */
  body(limit?: number): Promise<Buffer>;
}

export type RouteHandler = (request: RouteRequest) => Promise<void> | void;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: RouteHandler;
}

/** Thrown by {@link readBody} when a body is larger than allowed. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
  }
}

/** Reads a request body up to `limit` bytes. */
export async function readBody(req: IncomingMessage, limit = ONE_MEGABYTE): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Method + path router with `:param` segments. */
export class Router {
  private readonly routes: Route[] = [];

  /** Registers a handler; `path` may contain `:name` segments. */
  on(method: string, path: string, handler: RouteHandler): this {
    const keys: string[] = [];
    const source = path
      .split("/")
      .map((seg) => {
        if (seg.startsWith(":")) {
          keys.push(seg.slice(1));
          return "([^/]+)";
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`), keys, handler });
    return this;
  }

  /** Finds the handler for a request, or reports whether the path exists with another method. */
  match(
    method: string,
    pathname: string,
  ): { handler: RouteHandler; params: Record<string, string> } | "wrong-method" | null {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(pathname);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method && !(route.method === "GET" && method === "HEAD")) continue;
      const params: Record<string, string> = {};
      for (const [i, key] of route.keys.entries()) {
        try {
          params[key] = decodeURIComponent(m[i + 1] ?? "");
        } catch {
          return null; // malformed percent-encoding: no such resource
        }
      }
      return { handler: route.handler, params };
    }
    return pathMatched ? "wrong-method" : null;
  }
}

/** Sends a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(text);
}

/** Sends a plain-text response (used for 4xx reasons). */
export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
  res.end(text);
}

/** Sends an HTML page. */
export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  });
  res.end(html);
}

/** A minimal, friendly page (Finch callback results, 404s): src/html/simple-page.ts. */
export { simplePage } from "../html/simple-page.ts";
