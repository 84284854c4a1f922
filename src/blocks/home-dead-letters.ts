/**
 * The intake's dead letters in a rep's App Home: what was acknowledged but could not be applied, a page at a
 * time, each with Retry and Discard, and Retry all for every one of them (the buttons are rep-only in their
 * listeners too).
 */
import type { KnownBlock } from "@slack/types";
import { ActionId } from "../slack-gateway/ids.ts";
import { slackDate } from "../time.ts";
import type { HomePage } from "./home-input.ts";
import { retryListBlocks } from "./home-retry-list.ts";
import { escapeMrkdwn } from "./mrkdwn.ts";

/** The section; nothing when there is no dead letter. */
export function deadLetterBlocks(dead: HomePage["deadLetters"]): KnownBlock[] {
  if (!dead || dead.total === 0) return [];
  return retryListBlocks({
    heading: {
      blockId: "dead_letters",
      text:
        `:warning: *${dead.total} ${dead.total === 1 ? "delivery" : "deliveries"} could not be applied.* ` +
        "Fleet acknowledged them and tried several times. Retry once the cause (see the error) is fixed, or " +
        "discard what is no longer wanted; the person who made each one was told privately.",
      accessory: {
        type: "button",
        action_id: ActionId.deadLetterRetryAll,
        text: { type: "plain_text", text: "Retry all" },
        value: String(dead.total),
        confirm: {
          title: { type: "plain_text", text: "Retry every dead letter?" },
          text: { type: "plain_text", text: `All ${dead.total} will be applied again within a minute.` },
          confirm: { type: "plain_text", text: "Retry all" },
          deny: { type: "plain_text", text: "Cancel" },
        },
      },
    },
    items: dead.items.map((item) => {
      const who = [
        item.userId ? `by <@${item.userId}>` : "",
        item.channelId ? `in <#${item.channelId}>` : "",
        slackDate(item.receivedAt, "UTC"),
        `tried ${item.attempts}×`,
      ].filter(Boolean);
      return {
        text: `*${escapeMrkdwn(item.summary)}* ${who.join(" · ")}\n_${escapeMrkdwn(item.lastError ?? "no error recorded").slice(0, 300)}_`,
        value: item.key.slice(0, 2000),
      };
    }),
    ids: {
      itemBlock: "dead",
      discardBlock: "dead_discard",
      retryAction: ActionId.deadLetterRetry,
      discardAction: ActionId.deadLetterDiscard,
    },
    discardConfirm: "It will not be applied. This cannot be undone.",
    paging: {
      page: dead.page,
      total: dead.total,
      pageSize: dead.pageSize,
      actionPrefix: ActionId.deadLetterPage,
      valueKey: "deadPage",
      labels: ["← Newer", "Older →"],
      name: "Dead letters",
      blockId: "dead_letters_paging",
    },
  });
}
