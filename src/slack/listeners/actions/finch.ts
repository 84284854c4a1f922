/** Finch buttons: "Re-check" on a verification message, and the rep's "Disconnect" confirmation. */
import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { AppContext } from "../../../context.ts";
import { disconnectFinch } from "../../../finch/disconnect.ts";
import { verifyConnection } from "../../../finch/verify.ts";
import { audit } from "../../../onboarding/audit.ts";
import { ActionId } from "../../../slack-gateway/ids.ts";
import { interactionActor, isRep, refusalFor } from "../../actors.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A re-check right after another one would only repeat it (and spend Finch's per-app rate limit). */
const RECHECK_COOLDOWN_MS = 10_000;

/** Registers the Finch action listeners. */
export function registerFinchActions(app: App, ctx: AppContext): void {
  app.action<BlockAction<ButtonAction>>(ActionId.recheck, async ({ ack, body, action, client }) => {
    await ack();
    const actor = interactionActor(ctx, body);
    const channelId = body.channel?.id ?? body.container?.channel_id;
    const tell = async (text: string) => {
      if (channelId) await client.chat.postEphemeral({ channel: channelId, user: actor.userId, text });
    };
    const onboardingId = UUID.test(action.value ?? "") ? (action.value as string) : null;
    const onboarding = onboardingId
      ? await ctx.db.prisma.onboarding.findUnique({
          where: { id: onboardingId },
          include: { invites: { select: { slackTeamId: true } }, connection: { select: { id: true } } },
        })
      : null;
    // The button lives in the customer's channel: only Fleet and that customer's own team may press it.
    const customerTeams = new Set(onboarding?.invites.map((i) => i.slackTeamId).filter(Boolean));
    const allowed =
      !!onboarding &&
      (actor.internal || customerTeams.has(actor.teamId)) &&
      (actor.internal || onboarding.channelId === channelId);
    if (!onboarding || !allowed) {
      ctx.logger.warn({ user: actor.userId, team: actor.teamId }, "finch re-check refused");
      await audit(ctx, { onboardingId: onboarding?.id ?? null, action: "finch.recheck_refused", actor });
      return tell("Only Fleet and this customer's team can re-check this connection.");
    }
    if (!onboarding.connection) return tell("Finch is not connected yet — use the Connect button first.");
    const last = await ctx.db.prisma.verification.findFirst({
      where: { onboardingId: onboarding.id },
      orderBy: { createdAt: "desc" },
      select: { createdAt: true },
    });
    if (last && ctx.clock.now().getTime() - last.createdAt.getTime() < RECHECK_COOLDOWN_MS) {
      return tell(
        "Just checked a moment ago — the latest result is in the thread. Try again in a few seconds.",
      );
    }
    await audit(ctx, { onboardingId: onboarding.id, action: "finch.recheck", actor });
    await verifyConnection(ctx, onboarding.id, { trigger: "button", actor, announce: "always" });
  });

  app.action<BlockAction<ButtonAction>>(
    ActionId.confirmDisconnect,
    async ({ ack, body, action, respond }) => {
      await ack();
      const actor = interactionActor(ctx, body);
      // The value came back from Slack's client: check who clicked and what it names again.
      if (!(await isRep(ctx, actor))) {
        ctx.logger.warn({ user: actor.userId, team: actor.teamId }, "finch disconnect refused");
        await audit(ctx, { action: "finch.disconnect_refused", actor });
        return void (await respond({
          response_type: "ephemeral",
          replace_original: false,
          text: refusalFor(actor),
        }));
      }
      const onboardingId = UUID.test(action.value ?? "") ? (action.value as string) : null;
      const exists = onboardingId
        ? await ctx.db.prisma.onboarding.findUnique({ where: { id: onboardingId }, select: { id: true } })
        : null;
      if (!onboardingId || !exists) {
        return void (await respond({
          response_type: "ephemeral",
          replace_original: true,
          text: "That onboarding no longer exists; nothing was disconnected.",
        }));
      }
      const result = await disconnectFinch(ctx, onboardingId, actor);
      await respond({ response_type: "ephemeral", replace_original: true, text: result.message });
    },
  );
}
