/** Reading Web API arguments and answering with Slack's errors: what every method handler shares. */
import type { WebAPICallResult } from "@slack/web-api";

/** A Slack API error answered as `{ ok: false, error, ...extra }` with HTTP 200. */
export class SlackApiError extends Error {
  readonly code: string;
  readonly extra: Record<string, unknown>;
  constructor(code: string, extra: Record<string, unknown> = {}) {
    super(code);
    this.code = code;
    this.extra = extra;
  }
}

/** Uniform access to arguments sent form-encoded (strings, nested values as JSON) or as a JSON body. */
export class Args {
  readonly raw: Record<string, unknown>;
  constructor(raw: Record<string, unknown>) {
    this.raw = raw;
  }

  string(name: string): string | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    throw new SlackApiError("invalid_arguments", { detail: `${name} must be a string` });
  }

  /** A non-empty string, else `error` (Slack uses e.g. channel_not_found for a missing channel). */
  required(name: string, error = "invalid_arguments"): string {
    const value = this.string(name);
    if (value === undefined || value === "") {
      throw new SlackApiError(error, { detail: `${name} is required` });
    }
    return value;
  }

  bool(name: string): boolean | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null || value === "") return undefined;
    return value === true || value === "true" || value === "1" || value === 1;
  }

  int(name: string): number | undefined {
    const value = this.string(name);
    if (value === undefined || value === "") return undefined;
    const parsed = Number(value);
    if (!Number.isInteger(parsed)) {
      throw new SlackApiError("invalid_arguments", { detail: `${name}: integer` });
    }
    return parsed;
  }

  /** Nested value: already decoded in a JSON body, a JSON string in a form body. */
  json(name: string, error = "invalid_arguments"): unknown {
    const value = this.raw[name];
    if (typeof value !== "string") return value ?? undefined;
    if (value === "") return undefined;
    try {
      return JSON.parse(value);
    } catch {
      throw new SlackApiError(error, { detail: `${name} is not valid JSON` });
    }
  }

  /** A list given as an array, a JSON array string or a comma-separated string. */
  list(name: string): string[] | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null || value === "") return undefined;
    let items: unknown = value;
    if (typeof value === "string") items = value.trim().startsWith("[") ? this.json(name) : value.split(",");
    if (!Array.isArray(items)) {
      throw new SlackApiError("invalid_arguments", { detail: `${name} must be a list` });
    }
    return items.map((item) => String(item).trim()).filter((item) => item !== "");
  }
}

export type MethodHandler = (args: Args) => WebAPICallResult;

/**
 * @slack/web-api generates its nested response types (blocks, files) from samples, with enums for every
 * `type` field; what the app sent is stored as plain JSON and passed back through this one explicit cast.
 */
export function asApiShape<T>(value: unknown): T {
  return value as T;
}

const CHANNEL_NAME_MAX = 80;

/** Slack's conversations.create name check; returns the error code or undefined when the name is valid. */
export function channelNameError(name: string): string | undefined {
  if (name.length === 0) return "invalid_name_required";
  if (name.length > CHANNEL_NAME_MAX) return "invalid_name_maxlength";
  if (!/^[a-z0-9_-]+$/.test(name)) return "invalid_name_specials";
  if (/^[-_]+$/.test(name)) return "invalid_name_punctuation";
  return undefined;
}

/** A deliberately simple check: Slack rejects obvious garbage (`invalid_email`), not RFC edge cases. */
export function isValidEmail(email: string): boolean {
  return /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/.test(email);
}

/** Slack ts ("1700000000.000100") as integer microseconds, for ordering and range filters. */
export function tsToMicros(ts: string): number {
  const [sec = "0", micro = "0"] = ts.split(".");
  return Number(sec) * 1_000_000 + Number(micro.padEnd(6, "0").slice(0, 6));
}

export function microsToTs(micros: number): string {
  return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, "0")}`;
}

/** tz_label and tz_offset (seconds) like users.info; throws on an unknown IANA zone. */
export function tzInfo(tz: string, now: number): { label: string; offset: number } {
  const date = new Date(now);
  const part = (style: "long" | "longOffset") =>
    new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: style })
      .formatToParts(date)
      .find((p) => p.type === "timeZoneName")?.value ?? "";
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(part("longOffset"));
  const offset = match ? (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 3600 + Number(match[3]) * 60) : 0;
  return { label: part("long"), offset };
}

/** Cursor pagination over an in-memory list; cursors are opaque base64 like Slack's. */
export function paginate<T>(
  items: T[],
  args: Args,
  defaultLimit: number,
  maxLimit: number,
): { page: T[]; nextCursor: string } {
  const limit = Math.min(Math.max(args.int("limit") || defaultLimit, 1), maxLimit);
  const cursor = args.string("cursor");
  let offset = 0;
  if (cursor) {
    const match = /^next:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
    if (!match?.[1]) throw new SlackApiError("invalid_cursor");
    offset = Number(match[1]);
  }
  const page = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? Buffer.from(`next:${offset + limit}`).toString("base64") : "";
  return { page, nextCursor: next };
}

/** `oldest`/`latest` filter of history and replies (exclusive unless `inclusive`). */
export function timeRange(args: Args, nowSec: number): (ts: string) => boolean {
  const oldest = tsToMicros(args.string("oldest") || "0");
  const latest = tsToMicros(args.string("latest") || String(nowSec + 1));
  const inclusive = args.bool("inclusive") ?? false;
  return (ts) => {
    const t = tsToMicros(ts);
    return inclusive ? t >= oldest && t <= latest : t > oldest && t < latest;
  };
}

export function maxChars(errors: string[], value: string | undefined, max: number, at: string): void {
  if (value !== undefined && value.length > max) {
    errors.push(`must be less than ${max + 1} characters [json-pointer:${at}]`);
  }
}

export function textOf(textObject: unknown): string | undefined {
  return isRecord(textObject) ? stringOrUndefined(textObject.text) : undefined;
}

export function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
