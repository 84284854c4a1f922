/**
 * The Slack Connect invitation's lifecycle (accepted / approved / declined, members leaving, new channel ids),
 * and the reps' "Resend invite" buttons (invite alert, App Home).
 */
import type { App } from "@slack/bolt";
import type { AppContext } from "../../context.ts";
import { moveChannelId } from "../../onboarding/channel-id.ts";
import { resendInvites } from "../../onboarding/close.ts";
import { settleInvite } from "../../onboarding/invite-queue.ts";
import { recordMemberLeft, type SharedInviteEvent } from "../../onboarding/invites.ts";
import { ActionId } from "../../slack-gateway/ids.ts";
import { repButton } from "./rep-button.ts";

/** Registers the invitation events and the Resend buttons. */
export function register(app: App, ctx: AppContext): void {
  app.event("shared_channel_invite_accepted", async ({ event }) =>
    settleInvite(ctx, event as SharedInviteEvent, "accepted"),
  );
  app.event("shared_channel_invite_approved", async ({ event }) =>
    settleInvite(ctx, event as SharedInviteEvent, "approved"),
  );
  app.event("shared_channel_invite_declined", async ({ event }) =>
    settleInvite(ctx, event as SharedInviteEvent, "declined"),
  );
  app.event("member_left_channel", async ({ event }) => recordMemberLeft(ctx, event.channel, event.user));
  app.event("channel_id_changed", async ({ event }) =>
    moveChannelId(ctx, event.old_channel_id, event.new_channel_id),
  );
  repButton(app, ctx, ActionId.homeResendInvite, (actor, id) => resendInvites(ctx, id, actor));
  repButton(app, ctx, ActionId.reinvite, (actor, id) => resendInvites(ctx, id, actor));
}
