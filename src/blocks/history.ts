/** `/fleet history`: the latest audit entries of one onboarding, with a button to export them all. Pure. */
import type { KnownBlock } from "@slack/types";
import { ActionId } from "../slack-gateway/ids.ts";
import { escapeMrkdwn } from "./mrkdwn.ts";

/** One audit entry as shown to a rep. */
export interface HistoryEntry {
  at: Date;
  action: string;
  actorUserId: string | null;
  actorTeamId: string | null;
  external: boolean;
  detail: unknown;
}

/** A short human line per entry (mrkdwn). */
export function describeEntry(e: HistoryEntry): string {
  const who = !e.actorUserId
    ? "Fleet Concierge"
    : e.actorUserId.startsWith("email:")
      ? `${escapeMrkdwn(e.actorUserId.slice(6))} (customer, private page)`
      : `<@${e.actorUserId}>${e.external ? " (customer)" : ""}`;
  const detail =
    e.detail && typeof e.detail === "object"
      ? Object.entries(e.detail as Record<string, unknown>)
          .map(([k, v]) => `${k}: ${String(v)}`)
          .join(", ")
      : "";
  return `<!date^${Math.floor(e.at.getTime() / 1000)}^{date_short} {time}|${e.at.toISOString()}> · ${who} · *${e.action}*${detail ? ` — ${detail}` : ""}`;
}

/** The ephemeral history message. */
export function buildHistoryMessage(input: {
  onboardingId: string;
  companyName: string;
  entries: readonly HistoryEntry[];
}): { text: string; blocks: KnownBlock[] } {
  const { companyName, entries } = input;
  return {
    text: `History of ${companyName}`,
    blocks: [
      {
        type: "section",
        text: { type: "mrkdwn", text: `*History of ${companyName}* (latest ${entries.length})` },
      },
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: entries.map(describeEntry).join("\n").slice(0, 2900) || "Nothing yet.",
        },
      },
      {
        type: "actions",
        elements: [
          {
            type: "button",
            action_id: ActionId.historyCsv,
            text: { type: "plain_text", text: "Export full history (CSV)" },
            value: input.onboardingId,
          },
        ],
      },
    ],
  };
}
