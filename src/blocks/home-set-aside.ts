/**
 * The App Home's list of spool files set aside (rep-only): what could not be replayed into the database after
 * an outage, every instance's, each with the instance that holds it, Retry (put back in line) and Discard
 * (deleted, confirmed), and a request made on another instance shown until its holder carries it out; paged
 * like dead letters.
 */
import type { KnownBlock } from "@slack/types";
import { ActionId } from "../slack-gateway/ids.ts";
import { slackDate } from "../time.ts";
import { retryListBlocks } from "./home-retry-list.ts";

/** One spool file set aside, as the Home shows it (src/cockpit/set-aside.ts fills it from the ledger). */
export interface SetAsideFile {
  name: string;
  reason: "unreadable" | "rejected";
  bytes: number;
  at: Date;
  /** The instance whose folder holds it (the only one that touches it). */
  instance: string;
  /** A Retry or Discard asked on another instance, waiting for the holder's next pass. */
  requested: { action: "retry" | "discard"; userId: string } | null;
  /** What its buttons carry (names the file and its holder). */
  value: string;
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
  return retryListBlocks({
    heading: {
      blockId: "set_aside",
      text:
        `:file_folder: *${page.total} saved ${page.total === 1 ? "delivery" : "deliveries"} could not be replayed.* ` +
        "Fleet kept them on an instance's disk during a database outage. Retry once the cause is fixed " +
        "(a key put back, the database repaired), or discard what is no longer wanted.",
    },
    items: page.items.map((file) => ({ text: fileText(file), value: file.value })),
    ids: {
      itemBlock: "set_aside",
      discardBlock: "set_aside_discard",
      retryAction: ActionId.setAsideRetry,
      discardAction: ActionId.setAsideDiscard,
    },
    discardConfirm: "Its file is deleted and it will not be applied. This cannot be undone.",
    paging: {
      page: page.page,
      total: page.total,
      pageSize: page.pageSize,
      actionPrefix: ActionId.setAsidePage,
      valueKey: "setAsidePage",
      labels: ["← Earlier", "Later →"],
      name: "Set aside",
      blockId: "set_aside_paging",
    },
  });
}

function fileText(file: SetAsideFile): string {
  const lines = [
    `*\`${file.name}\`* · ${slackDate(file.at, "UTC")} · ${file.bytes} bytes · held by \`${file.instance}\``,
    `_${WHY[file.reason]}_`,
  ];
  if (file.requested) {
    lines.push(
      `:hourglass_flowing_sand: ${file.requested.action === "retry" ? "Retry" : "Discard"} requested by ` +
        `<@${file.requested.userId}>; \`${file.instance}\` carries it out within seconds.`,
    );
  }
  return lines.join("\n");
}
