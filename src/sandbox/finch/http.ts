/** HTTP plumbing of the Finch stand-in: bodies, replies, auth headers, hashed keys. */
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { finchError, invalidRequest } from "./records.ts";
import type { CallRecord } from "./types.ts";

const MAX_BODY_BYTES = 1_000_000;

/** What a Connect page handler answers: an HTML page or a redirect. */
export type PageReply = { status: number; html: string } | { location: string };

export function authKind(header: string | undefined): CallRecord["auth"] {
  if (header === undefined) return "none";
  if (/^basic\s/i.test(header)) return "basic";
  if (/^bearer\s/i.test(header)) return "bearer";
  return "none";
}

export function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

export async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw finchError(413, "bad_request", "Request body too large", "invalid_request");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readText(req);
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidRequest("Request body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw invalidRequest("Request body must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendPage(res: ServerResponse, reply: PageReply): void {
  if ("location" in reply) {
    res.writeHead(302, { Location: reply.location, "Cache-Control": "no-store" }).end();
    return;
  }
  res.writeHead(reply.status, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
  res.end(reply.html);
}

export function withQuery(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}

export function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

export function hashKey(secret: string): string {
  return sha256(secret).toString("hex");
}

export function shortId(): string {
  return randomBytes(4).toString("hex");
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
