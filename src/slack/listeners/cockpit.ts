/**
 * The reps' cockpit in Slack: App Home (open, toggle, paging, row buttons), the invite lifecycle beyond
 * acceptance (HR admins leaving), `/fleet history`, `/fleet done`, `/fleet owner`.
 */
import type { App, BlockAction, ButtonAction, StaticSelectAction } from "@slack/bolt";
import { describeEntry, historyCsv, latestHistory } from "../../cockpit/history.ts";
import { publishHome, refreshHomeSoon } from "../../cockpit/home.ts";
import type { AppContext } from "../../context.ts";
import { verifyConnection } from "../../finch/verify.ts";
import type { Actor } from "../../onboarding/actor.ts";
import { audit } from "../../onboarding/audit.ts";
import { closeOnboarding, handOver, resendInvites } from "../../onboarding/close.ts";
import { resolveOnboarding } from "../../onboarding/lookup.ts";
import { getTemplate, templateIds } from "../../onboarding/template.ts";
import { ActionId } from "../../slack-gateway/ids.ts";
import { interactionActor, isRep, refusalFor } from "../actors.ts";
import { buildOnboardModal } from "../views/onboard-modal.ts";
import { addSubcommand } from "./commands/index.ts";

/** Registers the cockpit's listeners and subcommands. */
export function registerCockpit(app: App, ctx: AppContext): void {
  app.event("app_home_opened", async ({ event }) => {
    if (event.tab !== "home") return;
    await publishHome(ctx, event.user);
  });

  app.event("member_left_channel", async ({ event }) => {
    const onboarding = await ctx.db.prisma.onboarding.findUnique({
      where: { channelId: event.channel },
      include: { customer: true },
    });
    if (!onboarding) return;
    const invite = await ctx.db.prisma.invite.findFirst({
      where: { onboardingId: onboarding.id, slackUserId: event.user },
    });
    if (!invite) return;
    await ctx.db.prisma.invite.update({ where: { id: invite.id }, data: { status: "left" } });
    await audit(ctx, { onboardingId: onboarding.id, action: "invite.left", detail: { email: invite.email } });
    await ctx.slack.chat.postMessage({
      channel: onboarding.ownerUserId,
      text: `:door: ${invite.email} (<@${event.user}>) left <#${event.channel}> — *${onboarding.customer.name}* may need another HR admin. Re-send the invitation from the App Home.`,
    });
    refreshHomeSoon(ctx, onboarding.ownerUserId);
  });

  /** Runs a rep-only button: refuses (and logs) anyone else, and unknown onboarding ids. */
  const repButton = (
    actionId: string,
    run: (actor: Actor, onboardingId: string, triggerId: string) => Promise<string | null>,
  ) =>
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action }) => {
      await ack();
      const actor = interactionActor(ctx, body);
      const reply = async (text: string) => {
        if (body.channel?.id)
          await ctx.slack.chat.postEphemeral({ channel: body.channel.id, user: actor.userId, text });
        else await ctx.slack.chat.postMessage({ channel: actor.userId, text });
      };
      if (!(await isRep(ctx, actor))) {
        ctx.logger.warn({ user: actor.userId, team: actor.teamId, action: actionId }, "rep action refused");
        await audit(ctx, { action: `${actionId}.refused`, actor });
        return reply(refusalFor(actor));
      }
      const exists = await ctx.db.prisma.onboarding.findUnique({
        where: { id: asUuid(action.value) },
        select: { id: true },
      });
      if (!exists) {
        ctx.logger.warn({ user: actor.userId, action: actionId }, "action on an unknown onboarding refused");
        return reply("That onboarding does not exist (any more).");
      }
      const text = await run(actor, exists.id, body.trigger_id);
      if (text) await reply(text);
    });

  repButton(ActionId.homeResendInvite, (actor, id) => resendInvites(ctx, id, actor));
  repButton(ActionId.reinvite, (actor, id) => resendInvites(ctx, id, actor));
  repButton(ActionId.homeRecheck, async (actor, id) => {
    const connected = await ctx.db.prisma.finchConnection.findUnique({
      where: { onboardingId: id },
      select: { id: true },
    });
    if (!connected) return "Finch is not connected yet for this customer.";
    await audit(ctx, { onboardingId: id, action: "finch.recheck", actor });
    await verifyConnection(ctx, id, { trigger: "button", actor, announce: "always" });
    return ":mag: Re-checked — the result is in the checklist's thread.";
  });

  app.action(ActionId.homeOpenChannel, async ({ ack }) => {
    await ack();
  });

  app.action<BlockAction<StaticSelectAction>>(ActionId.homeScope, async ({ ack, body, action }) => {
    await ack();
    const scope = action.selected_option.value === "all" ? "all" : "mine";
    await publishHome(ctx, body.user.id, { scope, page: 0 });
  });

  app.action<BlockAction<ButtonAction>>(
    new RegExp(`^${ActionId.homePage}:`),
    async ({ ack, body, action }) => {
      await ack();
      const { page, scope } = safeJson(action.value) as { page?: number; scope?: string };
      await publishHome(ctx, body.user.id, {
        scope: scope === "all" ? "all" : "mine",
        page: Number(page) || 0,
      });
    },
  );

  app.action<BlockAction<ButtonAction>>(ActionId.homeNewOnboarding, async ({ ack, body }) => {
    await ack();
    const actor = interactionActor(ctx, body);
    if (!(await isRep(ctx, actor))) return;
    await ctx.slack.views.open({
      trigger_id: body.trigger_id,
      view: buildOnboardModal({
        providers: templateIds().map((id) => ({ id, name: getTemplate(id).displayName })),
        defaultTimeZone: ctx.config.defaultTimeZone,
        ownerUserId: actor.userId,
      }),
    });
  });

  addSubcommand("history", async ({ cmd, command, respond }) => {
    const found = await resolveOnboarding(ctx, cmd.company, command.channel_id);
    if (!found.ok) return void (await respond({ response_type: "ephemeral", text: found.message }));
    const entries = await latestHistory(ctx, found.onboarding.id);
    await respond({
      response_type: "ephemeral",
      text: `History of ${found.onboarding.customer.name}`,
      blocks: [
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: `*History of ${found.onboarding.customer.name}* (latest ${entries.length})`,
          },
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
              value: found.onboarding.id,
            },
          ],
        },
      ],
    });
  });

  repButton(ActionId.historyCsv, async (actor, id) => {
    const o = await ctx.db.prisma.onboarding.findUniqueOrThrow({
      where: { id },
      include: { customer: true },
    });
    const dm = await ctx.slack.conversations.open({ users: actor.userId });
    const channelId = dm.channel?.id;
    if (!channelId) return "Could not open a direct message to send the file.";
    await ctx.slack.filesUploadV2({
      channel_id: channelId,
      filename: `${o.customer.name.replace(/[^\w.-]+/g, "_")}-history.csv`,
      title: `${o.customer.name} — onboarding history`,
      content: await historyCsv(ctx, id),
      initial_comment: `Full history of *${o.customer.name}*.`,
    });
    await audit(ctx, { onboardingId: id, action: "history.exported", actor });
    return null;
  });

  addSubcommand("done", async ({ cmd, command, actor, respond }) => {
    const found = await resolveOnboarding(ctx, cmd.company, command.channel_id);
    if (!found.ok) return void (await respond({ response_type: "ephemeral", text: found.message }));
    await respond({
      response_type: "ephemeral",
      text: await closeOnboarding(ctx, found.onboarding.id, actor),
    });
    refreshHomeSoon(ctx, found.onboarding.ownerUserId);
  });

  addSubcommand("owner", async ({ cmd, command, actor, respond }) => {
    const found = await resolveOnboarding(ctx, cmd.company, command.channel_id);
    if (!found.ok) return void (await respond({ response_type: "ephemeral", text: found.message }));
    await respond({
      response_type: "ephemeral",
      text: await handOver(ctx, found.onboarding.id, cmd.newOwnerUserId, actor),
    });
    refreshHomeSoon(ctx, found.onboarding.ownerUserId);
    refreshHomeSoon(ctx, cmd.newOwnerUserId);
  });
}

function asUuid(value: string | undefined): string {
  return value && /^[0-9a-f-]{36}$/i.test(value) ? value : "00000000-0000-0000-0000-000000000000";
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? "{}");
  } catch {
    return {};
  }
}
