/**
 * One builder for the App Home's lists of things a rep can Retry or Discard (dead letters, spool files set
 * aside): a heading, each item with Retry beside it and a confirmed Discard below, and paging when there is
 * more than a page. The lists differ only in words and ids, which their callers pass in.
 */
import type { Button, KnownBlock } from "@slack/types";

/** What one list says and which ids its blocks and buttons carry. */
export interface RetryList {
  /** The heading section (how many, why, what to do), with an optional button beside it (Retry all). */
  heading: { blockId: string; text: string; accessory?: Button };
  /** One page of items: the text shown, and the value both buttons carry. */
  items: Array<{ text: string; value: string }>;
  ids: {
    /** block_id prefixes of an item's section and of its Discard row (`<prefix>:<index>`). */
    itemBlock: string;
    discardBlock: string;
    retryAction: string;
    discardAction: string;
  };
  /** The Discard confirmation's text. */
  discardConfirm: string;
  paging: {
    page: number;
    total: number;
    pageSize: number;
    /** Action id prefix (`<prefix>:newer` / `<prefix>:older`) and the key of the page in the button's value. */
    actionPrefix: string;
    valueKey: string;
    /** The two buttons' words, back then forward. */
    labels: [string, string];
    /** Names the list in "<name>: page 2 of 3". */
    name: string;
    blockId: string;
  };
}

/** The list's blocks, starting with a divider. */
export function retryListBlocks(list: RetryList): KnownBlock[] {
  const pages = Math.max(1, Math.ceil(list.paging.total / list.paging.pageSize));
  const blocks: KnownBlock[] = [
    { type: "divider" },
    {
      type: "section",
      block_id: list.heading.blockId,
      text: { type: "mrkdwn", text: list.heading.text },
      ...(list.heading.accessory ? { accessory: list.heading.accessory } : {}),
    },
  ];
  list.items.forEach((item, i) => {
    blocks.push(...itemBlocks(list, item, i));
  });
  if (pages > 1) blocks.push(...pagingBlocks(list.paging, pages));
  return blocks;
}

function itemBlocks(list: RetryList, item: RetryList["items"][number], index: number): KnownBlock[] {
  return [
    {
      type: "section",
      // By position: values can be longer than a block_id, and two cut short would collide (invalid_blocks).
      block_id: `${list.ids.itemBlock}:${index}`,
      text: { type: "mrkdwn", text: item.text },
      accessory: {
        type: "button",
        action_id: list.ids.retryAction,
        text: { type: "plain_text", text: "Retry" },
        value: item.value,
      },
    },
    {
      type: "actions",
      block_id: `${list.ids.discardBlock}:${index}`,
      elements: [
        {
          type: "button",
          action_id: list.ids.discardAction,
          text: { type: "plain_text", text: "Discard" },
          style: "danger",
          value: item.value,
          confirm: {
            title: { type: "plain_text", text: "Discard this delivery?" },
            text: { type: "plain_text", text: list.discardConfirm },
            confirm: { type: "plain_text", text: "Discard" },
            deny: { type: "plain_text", text: "Keep" },
          },
        },
      ],
    },
  ];
}

function pagingBlocks(paging: RetryList["paging"], pages: number): KnownBlock[] {
  const button = (text: string, direction: "newer" | "older", to: number): Button => ({
    type: "button",
    action_id: `${paging.actionPrefix}:${direction}`,
    text: { type: "plain_text", text },
    value: JSON.stringify({ [paging.valueKey]: to }),
  });
  const nav: Button[] = [];
  if (paging.page > 0) nav.push(button(paging.labels[0], "newer", paging.page - 1));
  if (paging.page < pages - 1) nav.push(button(paging.labels[1], "older", paging.page + 1));
  return [
    {
      type: "context",
      elements: [{ type: "mrkdwn", text: `${paging.name}: page ${paging.page + 1} of ${pages}` }],
    },
    { type: "actions", block_id: paging.blockId, elements: nav },
  ];
}
