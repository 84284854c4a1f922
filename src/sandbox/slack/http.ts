/** HTTP plumbing of the Slack stand-in: bodies in, replies out, rate-limit buckets. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { WebAPICallResult } from "@slack/web-api";
import { isRecord, SlackApiError } from "./web-api-args.ts";

export const MAX_API_BODY = 10 * 1024 * 1024;

export const MAX_UPLOAD_BODY = 100 * 1024 * 1024;

export interface Reply {
  status: number;
  body: WebAPICallResult | string;
  headers?: Record<string, string>;
}

export function okFalse(error: string): Reply {
  return { status: 200, body: { ok: false, error } as WebAPICallResult };
}

export function rateLimited(retryAfterSeconds: number): Reply {
  return {
    status: 429,
    body: { ok: false, error: "ratelimited" } as WebAPICallResult,
    headers: { "retry-after": String(retryAfterSeconds) },
  };
}

export function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": contentType, ...headers });
  res.end(body);
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  return match?.[1];
}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new SlackApiError("request_too_large");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Form-encoded, JSON and multipart bodies, as Slack accepts them. */
export async function parseBody(
  contentType: string | undefined,
  body: Buffer,
): Promise<Record<string, unknown>> {
  const type = (contentType ?? "").toLowerCase();
  if (body.length === 0) return {};
  if (type.includes("application/json")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      throw new SlackApiError("invalid_json");
    }
    if (!isRecord(parsed)) throw new SlackApiError("invalid_json");
    return parsed;
  }
  if (type.includes("multipart/form-data")) {
    const form = await new Response(new Uint8Array(body), { headers: { "content-type": type } }).formData();
    const result: Record<string, unknown> = {};
    for (const [key, value] of form.entries()) {
      result[key] = typeof value === "string" ? value : Buffer.from(await value.arrayBuffer());
    }
    return result;
  }
  return Object.fromEntries(new URLSearchParams(body.toString("utf8")));
}

export async function firstFormFile(contentType: string, body: Buffer): Promise<Buffer> {
  const form = await new Response(new Uint8Array(body), {
    headers: { "content-type": contentType },
  }).formData();
  for (const value of form.values()) {
    return typeof value === "string" ? Buffer.from(value) : Buffer.from(await value.arrayBuffer());
  }
  return Buffer.alloc(0);
}

const JSON_ARGS = new Set(["blocks", "attachments", "metadata", "view", "files", "emails", "user_ids"]);

/** Call arguments for the log: no token, nested JSON decoded so tests can assert on structure. */
export function recordableArgs(params: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === "token") continue;
    if (JSON_ARGS.has(key) && typeof value === "string") {
      try {
        result[key] = JSON.parse(value);
        continue;
      } catch {
        // kept as sent: the method itself reports the malformed argument
      }
    }
    result[key] = Buffer.isBuffer(value) ? `<${value.length} bytes>` : value;
  }
  return result;
}

const MIME_TYPES: Record<string, string> = {
  csv: "text/csv",
  json: "application/json",
  md: "text/markdown",
  pdf: "application/pdf",
  png: "image/png",
  txt: "text/plain",
};

export function mimeType(name: string): string {
  const extension = name.split(".").at(-1)?.toLowerCase() ?? "";
  return MIME_TYPES[extension] ?? "application/octet-stream";
}

/** Token bucket: `capacity` requests at once, refilled at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly capacity: number;
  private readonly perSecond: number;

  constructor(capacity: number, perSecond: number, now: number) {
    this.capacity = capacity;
    this.perSecond = perSecond;
    this.tokens = capacity;
    this.last = now;
  }

  /** The seconds to wait before a token is free (0: one is free now), without taking it. */
  wait(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - this.tokens) / this.perSecond));
  }

  private refill(now: number): void {
    const elapsedSec = Math.max(0, now - this.last) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsedSec * this.perSecond);
    this.last = now;
  }

  /** Takes a token; returns 0 when allowed, else the seconds to wait (what Retry-After says). */
  take(now: number): number {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.perSecond));
  }
}
