/** The rep's private "are you sure?" for `/fleet disconnect` (a Finch message, kept apart from the report). */
import type { Button, KnownBlock } from "@slack/types";
import { ActionId } from "../slack-gateway/ids.ts";
import { clipText, escapeMrkdwn } from "./mrkdwn.ts";

const esc = escapeMrkdwn;

/** The rep's private "are you sure?" for `/fleet disconnect`. */
export function buildDisconnectConfirmation(input: {
  onboardingId: string;
  companyName: string;
  providerName: string;
}): { text: string; blocks: KnownBlock[] } {
  const provider = esc(input.providerName);
  const company = esc(clipText(input.companyName.trim(), 100));
  const button: Button = {
    type: "button",
    action_id: ActionId.confirmDisconnect,
    text: { type: "plain_text", text: "Disconnect", emoji: true },
    value: input.onboardingId,
    style: "danger",
    confirm: {
      title: { type: "plain_text", text: "Disconnect Finch?" },
      text: {
        type: "plain_text",
        // plain_text only (Slack's confirmation dialog object): the names go in unescaped.
        text: clipText(
          `Fleet stops reading ${input.providerName} for ${input.companyName.trim()} and deletes the stored access token.`,
          300,
        ),
      },
      confirm: { type: "plain_text", text: "Disconnect" },
      deny: { type: "plain_text", text: "Cancel" },
      style: "danger",
    },
  };
  return {
    text: `Disconnect ${input.providerName} for ${clipText(input.companyName.trim(), 100)}?`,
    blocks: [
      {
        type: "section",
        block_id: "disconnect:body",
        text: {
          type: "mrkdwn",
          text: `:electric_plug: *Disconnect ${provider} for ${company}?*\nFinch's connection is closed, the stored access token is deleted and the checklist shows the connection as open again. The customer can reconnect later with the Connect button.`,
        },
      },
      { type: "actions", block_id: "disconnect:actions", elements: [button] },
    ],
  };
}
