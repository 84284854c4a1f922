/** Posting a bot message that must be found again later (link, verification, reconnect …). */
import type { KnownBlock } from "@slack/types";
import type { ChatPostMessageArguments } from "@slack/web-api";
import type { AppContext } from "../context.ts";
import { postOnce } from "./post-once.ts";

/** A built message: fallback text, blocks and its metadata. */
export interface BuiltMessage {
  text: string;
  blocks: KnownBlock[];
  metadata: { event_type: string; event_payload: Record<string, unknown> };
}

/**
 * Posts `message` (optionally in a thread, optionally broadcast to the channel) and records it in
 * `slack_message` under `kind`. Returns the message ts.
 */
export async function postTracked(
  ctx: AppContext,
  input: {
    onboardingId: string;
    kind: string;
    channelId: string;
    threadTs?: string | null;
    broadcast?: boolean;
    message: BuiltMessage;
  },
): Promise<string | null> {
  const thread = input.threadTs
    ? { thread_ts: input.threadTs, ...(input.broadcast ? { reply_broadcast: true } : {}) }
    : {};
  // Once: a post whose answer was lost is looked up by its metadata before it is sent again.
  const res = await postOnce(ctx, {
    channel: input.channelId,
    ...thread,
    text: input.message.text,
    blocks: input.message.blocks,
    metadata: input.message.metadata,
    unfurl_links: false,
  } as ChatPostMessageArguments & { metadata: BuiltMessage["metadata"] });
  await ctx.db.prisma.slackMessage.create({
    data: {
      onboardingId: input.onboardingId,
      kind: input.kind,
      channelId: input.channelId,
      ts: res.ts,
      threadTs: input.threadTs ?? null,
    },
  });
  return res.ts;
}
