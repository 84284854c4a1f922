/**
 * `fetch` wrappers handed to the Slack WebClient and the Finch SDK (both take a `fetch` option): every HTTP
 * attempt, retries included, is counted by method and outcome. Labels stay few: Slack's method name, Finch's
 * HTTP method and path with ids replaced, and a handful of outcomes.
 */
import { finchCalls, slackCalls } from "./instruments.ts";

type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Slack's JSON answers start with `{"ok":true` or `{"ok":false`: read that, parse only what does not. */
const OK_FIRST = /^\s*\{\s*"ok"\s*:\s*(true|false)\b/;

/** What a Slack answer's body means: `ok`, `error` (ok: false) or `unreadable` (not JSON). */
export function slackBodyOutcome(text: string): string {
  const first = OK_FIRST.exec(text);
  if (first) return first[1] === "true" ? "ok" : "error";
  try {
    return (JSON.parse(text) as { ok?: unknown }).ok === true ? "ok" : "error";
  } catch {
    return "unreadable";
  }
}

/**
 * Counts a Slack answer: `rate_limited` (429), `http_<status>`, else from its body. The body is read once,
 * here, and the same Response is handed on with `text`/`json`/`arrayBuffer` answering from that read: no
 * `clone()` (a body tee) and no second JSON parse per call. @slack/web-api reads only `status`, `statusText`,
 * `headers`, `url` and `text()` (`arrayBuffer()` for gzip, left unread here) — WebClient.makeRequest/buildResult.
 */
async function countSlackAnswer(response: Response): Promise<{ outcome: string; response: Response }> {
  if (response.status === 429) return { outcome: "rate_limited", response };
  if (response.status !== 200) return { outcome: `http_${response.status}`, response };
  if (response.headers.get("content-type") === "application/gzip") return { outcome: "unreadable", response };
  const text = await response.text();
  Object.defineProperties(response, {
    text: { value: async () => text },
    json: { value: async () => JSON.parse(text) },
    arrayBuffer: { value: async () => new TextEncoder().encode(text).buffer },
  });
  return { outcome: slackBodyOutcome(text), response };
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
      const { outcome, response } = await countSlackAnswer(await inner(input, init));
      slackCalls.inc({ method, outcome });
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
