/**
 * The App Home's list of spool files set aside (rep-only): what could not be replayed into the database after
 * an outage, with Retry (put back in line) and Discard (deleted, confirmed) for each, paged like dead letters.
 */
import type { Button, KnownBlock } from "@slack/types";
import { ActionId } from "../slack-gateway/ids.ts";
import { slackDate } from "../time.ts";

/** One spool file set aside, as the Home shows it (the spool's SetAsideFile fills it). */
export interface SetAsideFile {
  name: string;
  reason: "unreadable" | "rejected";
  bytes: number;
  at: Date;
}

/** One page of set-aside files for a rep's Home tab (src/cockpit/set-aside.ts builds it). */
export interface SetAsidePage {
  total: number;
  items: SetAsideFile[];
  page: number;
  pageSize: number;
}

const WHY: Record<SetAsideFile["reason"], string> = {
  unreadable: "no current or previous key opens it (or it is half a file)",
  rejected: "the database refused it while taking everything else",
};

/** The section: how many, why, and each file with Retry and Discard; nothing when none is set aside. */
export function setAsideBlocks(page: SetAsidePage | null | undefined): KnownBlock[] {
  if (!page || page.total === 0) return [];
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  const blocks: KnownBlock[] = [
    { type: "divider" },
    {
      type: "section",
      block_id: "set_aside",
      text: {
        type: "mrkdwn",
        text:
          `:file_folder: *${page.total} saved ${page.total === 1 ? "delivery" : "deliveries"} could not be replayed.* ` +
          "Fleet kept them on this server's disk during a database outage. Retry once the cause is fixed " +
          "(a key put back, the database repaired), or discard what is no longer wanted.",
      },
    },
  ];
  page.items.forEach((file, i) => {
    blocks.push(...fileBlocks(file, i));
  });
  if (pages > 1) blocks.push(...paging(page.page, pages));
  return blocks;
}

function fileBlocks(file: SetAsideFile, index: number): KnownBlock[] {
  return [
    {
      type: "section",
      block_id: `set_aside:${index}`,
      text: {
        type: "mrkdwn",
        text: `*\`${file.name}\`* · ${slackDate(file.at, "UTC")} · ${file.bytes} bytes\n_${WHY[file.reason]}_`,
      },
      accessory: {
        type: "button",
        action_id: ActionId.setAsideRetry,
        text: { type: "plain_text", text: "Retry" },
        value: file.name,
      },
    },
    {
      type: "actions",
      block_id: `set_aside_discard:${index}`,
      elements: [
        {
          type: "button",
          action_id: ActionId.setAsideDiscard,
          text: { type: "plain_text", text: "Discard" },
          style: "danger",
          value: file.name,
          confirm: {
            title: { type: "plain_text", text: "Discard this delivery?" },
            text: {
              type: "plain_text",
              text: "Its file is deleted and it will not be applied. This cannot be undone.",
            },
            confirm: { type: "plain_text", text: "Discard" },
            deny: { type: "plain_text", text: "Keep" },
          },
        },
      ],
    },
  ];
}

function paging(page: number, pages: number): KnownBlock[] {
  const button = (text: string, direction: "newer" | "older", to: number): Button => ({
    type: "button",
    action_id: `${ActionId.setAsidePage}:${direction}`,
    text: { type: "plain_text", text },
    value: JSON.stringify({ setAsidePage: to }),
  });
  const nav: Button[] = [];
  if (page > 0) nav.push(button("← Earlier", "newer", page - 1));
  if (page < pages - 1) nav.push(button("Later →", "older", page + 1));
  return [
    { type: "context", elements: [{ type: "mrkdwn", text: `Set aside: page ${page + 1} of ${pages}` }] },
    { type: "actions", block_id: "set_aside_paging", elements: nav },
  ];
}
