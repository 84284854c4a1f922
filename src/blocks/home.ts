/** The App Home tab: a rep's cockpit (pure builder), and the neutral view external users get. */
import type { Button, KnownBlock, View } from "@slack/types";
import { progressBar } from "../checklist/progress.ts";
import { ActionId } from "../slack-gateway/ids.ts";
import { slackDate } from "../time.ts";
import { connectionsNeedingActionBlocks } from "./home-connections.ts";
import { deadLetterBlocks } from "./home-dead-letters.ts";
import type { HomePage, HomeRow } from "./home-input.ts";
import { setAsideBlocks } from "./home-set-aside.ts";
import { flagTexts, waitingText } from "./home-waiting.ts";
import { escapeMrkdwn, plural } from "./mrkdwn.ts";
import { failedReminderBlocks } from "./reminder-failures.ts";

const CONNECTION_TEXT: Record<HomeRow["connection"], string> = {
  none: ":white_circle: Finch not connected",
  pending: ":hourglass_flowing_sand: Finch connecting",
  connected: ":large_blue_circle: Finch connected, not verified",
  verified: ":large_green_circle: Finch verified",
  broken: ":red_circle: Finch connection broken",
};

/** Builds the Home view for an internal user. `teamId` makes channel links open in the right workspace. */
export function buildHomeView(page: HomePage, input: { teamId: string }): View {
  const blocks: KnownBlock[] = [
    { type: "header", text: { type: "plain_text", text: "Customer onboardings" } },
    {
      type: "actions",
      block_id: "home_controls",
      elements: [
        {
          type: "button",
          action_id: ActionId.homeNewOnboarding,
          text: { type: "plain_text", text: "New onboarding" },
          style: "primary",
        },
        {
          type: "static_select",
          action_id: ActionId.homeScope,
          initial_option: scopeOption(page.scope),
          options: [scopeOption("mine"), scopeOption("all")],
        },
      ],
    },
    {
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text:
            page.total === 0
              ? "No active onboardings. Start one with `/fleet onboard` or the button above."
              : `${page.total}${page.more ? "+" : ""} active · most at risk first, then by next call · page ${page.page + 1} of ${Math.ceil(page.total / page.pageSize)}${page.more ? "+" : ""}`,
        },
      ],
    },
  ];
  blocks.push(...failedReminderBlocks(page.failedReminders ?? []));
  blocks.push(...deadLetterBlocks(page.deadLetters));
  blocks.push(...setAsideBlocks(page.setAside));
  blocks.push(...connectionsNeedingActionBlocks(page.connections ?? []));
  for (const row of page.rows) blocks.push({ type: "divider" }, ...rowBlocks(row, input.teamId));
  const pages = Math.ceil(page.total / page.pageSize);
  if (pages > 1 || page.more) {
    const nav: Button[] = [];
    if (page.page > 0) nav.push(pageButton("← Previous", "prev", page.page - 1, page.scope));
    if (page.page < pages - 1 || page.more) nav.push(pageButton("Next →", "next", page.page + 1, page.scope));
    blocks.push({ type: "divider" }, { type: "actions", block_id: "home_paging", elements: nav });
  }
  return {
    type: "home",
    private_metadata: JSON.stringify({ scope: page.scope, page: page.page }),
    blocks,
  };
}

function rowBlocks(row: HomeRow, teamId: string): KnownBlock[] {
  const flags = flagTexts(row);
  const invites = [
    row.invites.accepted ? `${row.invites.accepted} joined` : "",
    row.invites.sent ? `${plural(row.invites.sent, "invite")} pending` : "",
    row.invites.failed ? `${row.invites.failed} failed` : "",
    row.invites.declined ? `${row.invites.declined} declined` : "",
    row.invites.left ? `${row.invites.left} left` : "",
    row.invites.email ? `:email: ${row.invites.email} by email (private page)` : "",
  ].filter(Boolean);
  const lines = [
    `*${escapeMrkdwn(row.company)}*`,
    ...flags,
    waitingText(row),
    `${progressBar(row.stepsDone, row.stepsTotal)}  ${row.stepsDone} of ${row.stepsTotal} steps · ${CONNECTION_TEXT[row.connection]}${row.missingPermissions ? ` (${plural(row.missingPermissions, "permission")} missing)` : ""}`,
    `Call: ${row.callAt ? slackDate(row.callAt, row.timeZone) : "not booked"} · Invites: ${invites.join(", ") || "none"} · Last customer activity: ${row.lastActivityAt ? slackDate(row.lastActivityAt, row.timeZone, "{date_short_pretty}") : "none yet"} · Owner <@${row.ownerUserId}>`,
  ];
  const buttons: Button[] = [];
  if (row.channelId) {
    buttons.push({
      type: "button",
      action_id: ActionId.homeOpenChannel,
      text: { type: "plain_text", text: "Open channel" },
      url: `https://slack.com/app_redirect?channel=${row.channelId}&team=${teamId}`,
      value: row.id,
    });
  }
  if (row.invites.sent + row.invites.failed + row.invites.declined + row.invites.left > 0) {
    buttons.push({
      type: "button",
      action_id: ActionId.homeResendInvite,
      text: { type: "plain_text", text: "Re-send invites" },
      value: row.id,
    });
  }
  if (row.connection !== "none") {
    buttons.push({
      type: "button",
      action_id: ActionId.homeRecheck,
      text: { type: "plain_text", text: "Re-check connection" },
      value: row.id,
    });
  }
  if (row.invites.email) buttons.push(revokePortalButton(row.id));
  buttons.push({
    type: "button",
    action_id: ActionId.homeReschedule,
    text: { type: "plain_text", text: "Reschedule" },
    value: row.id,
  });
  return [
    { type: "section", block_id: `row:${row.id}`, text: { type: "mrkdwn", text: lines.join("\n") } },
    { type: "actions", block_id: `row_actions:${row.id}`, elements: buttons },
  ];
}

/** Revokes every private-page link of the onboarding (rep-only in its listener), after a confirm dialog. */
function revokePortalButton(onboardingId: string): Button {
  return {
    type: "button",
    action_id: ActionId.homeRevokePortal,
    text: { type: "plain_text", text: "Revoke private page links" },
    value: onboardingId,
    style: "danger",
    confirm: {
      title: { type: "plain_text", text: "Revoke the links?" },
      text: {
        type: "plain_text",
        text: "The private page links sent by email stop working at once. A fresh email sends a new link.",
      },
      confirm: { type: "plain_text", text: "Revoke" },
      deny: { type: "plain_text", text: "Cancel" },
      style: "danger",
    },
  };
}

/** What someone outside our workspace sees: nothing internal. */
export function buildExternalHomeView(): View {
  return {
    type: "home",
    blocks: [
      { type: "header", text: { type: "plain_text", text: "Fleet Concierge" } },
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: "Hi! I help you connect your HR system to Fleet. Your setup checklist is pinned in the channel Fleet shared with you — tick the steps there, and ask your Fleet rep anything right in that channel.",
        },
      },
    ],
  };
}

function scopeOption(scope: "mine" | "all") {
  return {
    text: {
      type: "plain_text" as const,
      text: scope === "mine" ? "My onboardings" : "Everyone's onboardings",
    },
    value: scope,
  };
}

/** Paging buttons share a prefix (one listener) but need distinct action_ids within their block. */
function pageButton(text: string, direction: "prev" | "next", page: number, scope: string): Button {
  return {
    type: "button",
    action_id: `${ActionId.homePage}:${direction}`,
    text: { type: "plain_text", text },
    value: JSON.stringify({ page, scope }),
  };
}
