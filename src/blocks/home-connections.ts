/** The App Home section "Connections needing action" (pure; declares its own input type). */
import type { KnownBlock } from "@slack/types";
import { escapeMrkdwn as esc } from "./mrkdwn.ts";

/** One connection with a health problem after go-live. */
export interface HomeConnectionInput {
  company: string;
  channelId: string | null;
  ownerUserId: string;
  problem: string;
  detail: string | null;
  since: Date | null;
}

const LABELS: Record<string, string> = {
  reauth: "needs a reconnect (Finch cannot sign in)",
  disconnected: "was disconnected",
  lost_access: "lost access",
  stale_sync: "has not synced",
};

/** Header plus one line per connection; nothing when there are none. */
export function connectionsNeedingActionBlocks(items: readonly HomeConnectionInput[]): KnownBlock[] {
  if (items.length === 0) return [];
  const lines = items.map((c) => {
    const what = LABELS[c.problem] ?? c.problem;
    const detail = c.detail ? ` (${esc(c.detail)})` : "";
    const since = c.since
      ? ` since <!date^${Math.floor(c.since.getTime() / 1000)}^{date_short}|${c.since.toISOString().slice(0, 10)}>`
      : "";
    const where = c.channelId ? ` — <#${c.channelId}>` : "";
    return `• *${esc(c.company)}* ${what}${detail}${since}${where} · owner <@${c.ownerUserId}>`;
  });
  return [
    { type: "divider" },
    {
      type: "section",
      block_id: "home_connections",
      text: {
        type: "mrkdwn",
        text: `:rotating_light: *Connections needing action* — the customer got the fix and a Reconnect button in their channel\n${lines.join("\n")}`.slice(
          0,
          3000,
        ),
      },
    },
  ];
}
