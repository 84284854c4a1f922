/**
 * `fetch` wrappers handed to the Slack WebClient and the Finch SDK (both take a `fetch` option): every HTTP
 * attempt, retries included, is counted by method and outcome. Labels stay few: Slack's method name, Finch's
 * HTTP method and path with ids replaced, and a handful of outcomes.
 */
import { finchCalls, slackCalls } from "./instruments.ts";

type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** What a Slack answer means: `ok`, `error` (ok: false), `rate_limited` (429), `http_<status>`. */
async function slackOutcome(response: Response): Promise<string> {
  if (response.status === 429) return "rate_limited";
  if (response.status !== 200) return `http_${response.status}`;
  try {
    const body = (await response.clone().json()) as { ok?: unknown };
    return body.ok === true ? "ok" : "error";
  } catch {
    return "unreadable";
  }
}

/** A Finch answer's outcome: `ok` (2xx), `rate_limited` (429), `client_error` (4xx), `server_error` (5xx). */
function finchOutcome(status: number): string {
  if (status < 300) return "ok";
  if (status === 429) return "rate_limited";
  return status < 500 ? "client_error" : "server_error";
}

const urlOf = (input: string | URL | Request): URL =>
  new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);

/** Slack's method is the last path segment of `…/api/chat.postMessage`. */
export function slackMethodOf(input: string | URL | Request): string {
  const segments = urlOf(input).pathname.split("/").filter(Boolean);
  const last = segments.at(-1) ?? "unknown";
  return /^[a-zA-Z]+(\.[a-zA-Z]+)+$/.test(last) ? last : "unknown";
}

/** `GET /employer/individual`: ids (uuids, digits, long tokens) become `:id`, so labels stay bounded. */
export function finchMethodOf(input: string | URL | Request, init?: RequestInit): string {
  const verb = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
  const path = urlOf(input)
    .pathname.split("/")
    .map((seg) => (/^[a-z_-]*$/.test(seg) ? seg : ":id"))
    .join("/");
  return `${verb} ${path || "/"}`;
}

/** A fetch for the Slack WebClient that counts each attempt. */
export function slackCountingFetch(inner: FetchLike = globalThis.fetch): FetchLike {
  return async (input, init) => {
    const method = slackMethodOf(input);
    try {
      const response = await inner(input, init);
      slackCalls.inc({ method, outcome: await slackOutcome(response) });
      return response;
    } catch (err) {
      slackCalls.inc({ method, outcome: "network_error" });
      throw err;
    }
  };
}

/** A fetch for the Finch SDK that counts each attempt. */
export function finchCountingFetch(inner: FetchLike = globalThis.fetch): FetchLike {
  return async (input, init) => {
    const method = finchMethodOf(input, init);
    try {
      const response = await inner(input, init);
      finchCalls.inc({ method, outcome: finchOutcome(response.status) });
      return response;
    } catch (err) {
      finchCalls.inc({ method, outcome: "network_error" });
      throw err;
    }
  };
}
