/**
 * Non-idempotent Slack calls made once although Slack may have done the work and lost the answer (a 5xx, a
 * timeout, a dropped connection). Such calls are never retried blindly: the message is looked up by its
 * metadata first and adopted when it is there.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type ChatPostMessageArguments,
  ErrorCode,
  type WebAPIHTTPError,
  type WebAPIPlatformError,
  type WebAPIRateLimitedError,
  WebClient,
} from "@slack/web-api";
import type { AppContext } from "../context.ts";
import { webClientOptions } from "./client-options.ts";
import { deliveryEffectKey, mayHaveRunBefore } from "./delivery-scope.ts";
import { MetadataEventType } from "./ids.ts";

type SlackCtx = Pick<AppContext, "slack" | "config" | "logger">;

const nonRetrying = new WeakMap<WebClient, WebClient>();

/**
 * `ctx.slack`'s twin that never repeats a call on its own (`retries: 0`; the library has no per-call retry
 * setting) and hands 429s back to the caller, for calls that must not happen twice. A test's fake client
 * (not a WebClient) is used as it is.
 */
export function nonRetryingClient(ctx: SlackCtx): WebClient {
  if (!(ctx.slack instanceof WebClient)) return ctx.slack;
  let client = nonRetrying.get(ctx.slack);
  if (!client) {
    client = new WebClient(ctx.slack.token, {
      ...webClientOptions(ctx.config, ctx.logger),
      slackApiUrl: ctx.slack.slackApiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
    nonRetrying.set(ctx.slack, client);
  }
  return client;
}

/** Platform errors after which Slack may still have done the work. */
const MAYBE_DONE_CODES = new Set(["internal_error", "fatal_error", "request_timeout", "service_unavailable"]);

/** Did the call fail in a way that leaves unknown whether Slack did the work (5xx, timeout, dropped)? */
export function isAnswerLost(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === ErrorCode.RequestError) return true;
  if (code === ErrorCode.HTTPError) return ((err as WebAPIHTTPError).statusCode ?? 0) >= 500;
  if (code === ErrorCode.PlatformError) return MAYBE_DONE_CODES.has((err as WebAPIPlatformError).data.error);
  return false;
}

function isRateLimited(err: unknown): err is WebAPIRateLimitedError {
  return (err as { code?: unknown } | null)?.code === ErrorCode.RateLimitedError;
}

/** A message whose metadata identifies it (the idempotency key is added to `event_payload` when absent). */
export type OncePostArguments = ChatPostMessageArguments & {
  metadata: { event_type: string; event_payload: Record<string, unknown> };
};

/** What {@link postOnce} did: posted, or adopted the message an earlier, unanswered attempt had posted. */
export interface PostedOnce {
  ts: string;
  channel: string;
  adopted: boolean;
}

const MAX_RATE_LIMIT_WAITS = 5;

/**
 * `chat.postMessage` exactly once: no automatic retry; after a lost answer the channel (or thread) is searched
 * for our message carrying the same `event_type` and `idempotency_key`, which is adopted; only when it is
 * absent is the message posted again (at most `SLACK_API_RETRIES` more times). Rate limits are waited out.
 */
export async function postOnce(
  ctx: SlackCtx,
  args: OncePostArguments,
  options: { lookFirst?: boolean } = {},
): Promise<PostedOnce> {
  const payload = args.metadata.event_payload;
  const key = typeof payload.idempotency_key === "string" ? payload.idempotency_key : roleKey(args);
  const message = {
    ...args,
    metadata: { ...args.metadata, event_payload: { ...payload, idempotency_key: key } },
  } as ChatPostMessageArguments;
  const client = nonRetryingClient(ctx);
  const attempts = Math.max(1, ctx.config.slack.retries) + 1;
  // A retry of the delivery (or a caller whose key names one logical message) may find its post there.
  let mayHavePosted = options.lookFirst === true || mayHaveRunBefore();
  let rateLimitWaits = 0;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; ) {
    try {
      if (mayHavePosted) {
        const found = await findOwnPost(client, args, key).catch((err: unknown) => {
          if (isAnswerLost(err) || isRateLimited(err)) throw err;
          // A history we may not read (a refused lookup) must not stop the post itself.
          ctx.logger.warn({ channel: args.channel, err }, "could not look for an earlier post; posting");
          return null;
        });
        if (found) return { ...found, adopted: true };
      }
      const res = await client.chat.postMessage(message);
      if (!res.ts) throw new Error("chat.postMessage returned no ts");
      return { ts: res.ts, channel: res.channel ?? String(args.channel), adopted: false };
    } catch (err) {
      lastError = err;
      if (isRateLimited(err) && rateLimitWaits++ < MAX_RATE_LIMIT_WAITS) {
        await sleep(Math.max(1, err.retryAfter) * 1000);
        continue;
      }
      if (!isAnswerLost(err)) throw err;
      mayHavePosted = true;
      attempt += 1;
      ctx.logger.warn(
        { channel: args.channel, eventType: args.metadata.event_type, attempt, err },
        "Slack lost the answer to a post; looking for it before posting again",
      );
      if (attempt < attempts) await sleep(Math.min(5_000, 250 * 2 ** attempt));
    }
  }
  throw lastError;
}

/**
 * The key of a message that names none: the delivery being applied and the message's role (its kind and
 * where it goes), so the delivery's retry derives the same key; outside a delivery, a fresh one.
 */
function roleKey(args: OncePostArguments): string {
  const thread = "thread_ts" in args && args.thread_ts ? `:${args.thread_ts}` : "";
  return deliveryEffectKey(`${args.metadata.event_type}:${String(args.channel)}${thread}`) ?? randomUUID();
}

/** Pages read when looking for our post: 10 × 200 messages of a thread, 10 × 100 of a channel. */
const MAX_LOOKUP_PAGES = 10;

type LookupPage = {
  messages?: Array<{ ts?: string; metadata?: { event_type?: string; event_payload?: unknown } }>;
  response_metadata?: { next_cursor?: string };
};

/** Our message with this idempotency key in the channel's recent history (or the thread it went to). */
async function findOwnPost(
  client: WebClient,
  args: OncePostArguments,
  key: string,
): Promise<{ ts: string; channel: string } | null> {
  let channel = String(args.channel);
  // A direct message addressed by user id lives in the IM channel.
  if (/^[UW]/.test(channel)) {
    const opened = await client.conversations.open({ users: channel });
    channel = opened.channel?.id ?? channel;
  }
  const threadTs = "thread_ts" in args && !args.reply_broadcast ? args.thread_ts : undefined;
  // A thread comes oldest first and a recent reply can be on its last page: follow the cursor (Slack pages
  // conversations.replies and .history; https://api.slack.com/methods/conversations.replies).
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LOOKUP_PAGES; page++) {
    const paging = { include_all_metadata: true, ...(cursor ? { cursor } : {}) };
    const res: LookupPage = threadTs
      ? await client.conversations.replies({ channel, ts: threadTs, limit: 200, ...paging })
      : await client.conversations.history({ channel, limit: 100, ...paging });
    const mine = res.messages?.find(
      (m) =>
        m.metadata?.event_type === args.metadata.event_type &&
        (m.metadata?.event_payload as Record<string, unknown> | undefined)?.idempotency_key === key,
    );
    if (mine?.ts) return { ts: mine.ts, channel };
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) return null;
  }
  return null;
}

/**
 * Metadata of a plain note (a DM, a thread note): `key` names the event (e.g. `close:<onboarding>`), so a note
 * whose answer was lost is found again instead of being posted twice. Within a delivery the note's key is the
 * delivery's and `key`'s, the same on every retry; outside one (a job), it is made unique.
 */
export function noteMetadata(key: string): OncePostArguments["metadata"] {
  const idempotencyKey = deliveryEffectKey(`note:${key}`) ?? `${key}:${randomUUID()}`;
  return { event_type: MetadataEventType.note, event_payload: { idempotency_key: idempotencyKey } };
}
