/**
 * postOnce against the Slack stand-in through the real WebClient: one post per logical message. A lost answer
 * is looked up (paging through a long thread), and a retry of the same delivery adopts the first post.
 */
import { WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Config } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { manifestBotScopes, SlackStandIn } from "../../src/sandbox/slack/index.ts";
import { type DeliveryScope, inDelivery } from "../../src/slack-gateway/delivery-scope.ts";
import { noteMetadata, type OncePostArguments, postOnce } from "../../src/slack-gateway/post-once.ts";

const TOKEN = "xoxb-post-once-test";
let standIn: SlackStandIn;
let ctx: Parameters<typeof postOnce>[0];
let channel: string;

beforeEach(async () => {
  standIn = await SlackStandIn.start({
    scopes: manifestBotScopes(),
    botToken: TOKEN,
    homeTeam: { id: "T0HOME", name: "Fleet", domain: "fleet" },
    botUserId: "U0BOT",
    botId: "B0BOT",
    postMessagePerChannelPerSecond: Number.POSITIVE_INFINITY,
    postMessageWorkspacePerSecond: Number.POSITIVE_INFINITY,
  });
  standIn.addUser({ id: "U0REP", teamId: "T0HOME", name: "rita", email: "rita@fleet.example" });
  const config = { slack: { apiUrl: standIn.url, retries: 2, timeoutMs: 2_000 } } as Config;
  const logger = createLogger({ level: "silent" });
  const slack = new WebClient(TOKEN, { slackApiUrl: standIn.url, retryConfig: { retries: 0 } });
  ctx = { slack, config, logger };
  channel =
    (await slack.conversations.create({ name: "fleet-long-thread", is_private: true })).channel?.id ?? "";
});

afterEach(async () => {
  await standIn.stop();
});

const note = (text: string, key?: string, threadTs?: string): OncePostArguments =>
  ({
    channel,
    text,
    ...(threadTs ? { thread_ts: threadTs } : {}),
    metadata: { event_type: "fleet_note", event_payload: key ? { idempotency_key: key } : {} },
  }) as OncePostArguments;

const withKey = (key: string) =>
  standIn
    .messages(channel)
    .filter(
      (m) => (m.metadata?.event_payload as Record<string, unknown> | undefined)?.idempotency_key === key,
    );

describe("postOnce", () => {
  it("finds its reply in a 250-message thread after a lost answer, paging conversations.replies", async () => {
    const parent = await ctx.slack.chat.postMessage({ channel, text: "the thread" });
    const threadTs = parent.ts ?? "";
    for (let i = 0; i < 250; i++) {
      await ctx.slack.chat.postMessage({ channel, thread_ts: threadTs, text: `reply ${i}` });
    }
    // Slack posts the 251st reply, then the answer is lost.
    standIn.injectFault({ method: "chat.postMessage", after: "5xx" });
    const posted = await postOnce(ctx, note("the verification note", "verify:1", threadTs));
    expect(posted.adopted).toBe(true);
    expect(withKey("verify:1")).toHaveLength(1);
    expect(posted.ts).toBe(withKey("verify:1")[0]?.ts);
    // The stand-in pages like Slack: 200 at a time, then a cursor to the rest.
    const pages = standIn.callsTo("conversations.replies");
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(pages[1]?.args.cursor).toBeTruthy();
  });

  it("a retry of the same delivery adopts the first post; another delivery posts its own", async () => {
    const attempt = (key: string, n: number, replay = false): DeliveryScope => ({
      key,
      attempt: n,
      receivedAt: new Date(),
      replay,
    });
    const first = await inDelivery(attempt("cmd:T1", 1), () => postOnce(ctx, note("Connect link")));
    const retried = await inDelivery(attempt("cmd:T1", 2), () => postOnce(ctx, note("Connect link")));
    const replayed = await inDelivery(attempt("cmd:T1", 1, true), () => postOnce(ctx, note("Connect link")));
    expect(retried).toEqual({ ...first, adopted: true });
    expect(replayed).toEqual({ ...first, adopted: true });
    const other = await inDelivery(attempt("cmd:T2", 1), () => postOnce(ctx, note("Connect link")));
    expect(other.ts).not.toBe(first.ts);
    expect(standIn.messages(channel).filter((m) => m.text === "Connect link")).toHaveLength(2);
  });

  it("keys a delivery's notes by role: the same on a retry, distinct for a second note of the role", async () => {
    const scope = (n: number): DeliveryScope => ({
      key: "act:X",
      attempt: n,
      receivedAt: new Date(),
      replay: false,
    });
    const keys = (n: number) =>
      inDelivery(scope(n), async () => [
        noteMetadata("closed:o1"),
        noteMetadata("closed:o1"),
        noteMetadata("x"),
      ]);
    const once = (await keys(1)).map((m) => m.event_payload.idempotency_key);
    const again = (await keys(2)).map((m) => m.event_payload.idempotency_key);
    expect(again).toEqual(once);
    expect(new Set(once).size).toBe(3);
    // Outside a delivery (a job), every note is its own.
    expect(noteMetadata("closed:o1").event_payload.idempotency_key).not.toBe(
      noteMetadata("closed:o1").event_payload.idempotency_key,
    );
  });
});
