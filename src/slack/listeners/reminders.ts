/**
 * Booking and moving the onboarding call from Slack: `/fleet call [company] <YYYY-MM-DDTHH:mm> [tz=…]`,
 * the Reschedule button (rep digest) and its modal. Reps only; every handler acks first.
 */
import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
} from "@slack/bolt";
import type { AppContext } from "../../context.ts";
import { audit } from "../../onboarding/audit.ts";
import { onboardingByChannel, resolveOnboarding } from "../../onboarding/lookup.ts";
import { rescheduleCall, validateCallChange } from "../../reminders/call.ts";
import { ActionId, CallbackId } from "../../slack-gateway/ids.ts";
import { parseLocalDateTime } from "../../time.ts";
import { interactionActor, isRep, refusalFor } from "../actors.ts";
import { USAGE } from "../commands/parse.ts";
import { callChangeReply } from "../views/call-change.ts";
import { buildRescheduleModal, RescheduleField, readRescheduleModal } from "../views/reschedule-modal.ts";
import { addSubcommand } from "./commands/index.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** The rep's answer after a successful change, with any Slack follow-up that failed. */
function replyText(
  result: Extract<Awaited<ReturnType<typeof rescheduleCall>>, { ok: true }>,
  now: Date,
): string {
  const lines = [callChangeReply({ ...result, now })];
  for (const warning of result.warnings) lines.push(`:warning: ${warning}`);
  return lines.join("\n");
}

/** Registers `/fleet call`, the Reschedule button and the reschedule modal. */
export function registerReminderListeners(app: App, ctx: AppContext): void {
  addSubcommand("call", async ({ ctx, cmd, command, actor, respond }) => {
    const found = await resolveOnboarding(ctx, cmd.company, command.channel_id);
    if (!found.ok) return void (await respond({ response_type: "ephemeral", text: found.message }));
    const onboarding = found.onboarding;
    // Without tz= the wall time belongs to the onboarding's own zone (it may not exist there).
    const timeZone = cmd.timeZone ?? onboarding.timeZone;
    const parsed = parseLocalDateTime(cmd.wallTime, timeZone);
    if (!parsed.ok) {
      return void (await respond({
        response_type: "ephemeral",
        text: `The call time: ${parsed.reason}.\n\n${USAGE.call}`,
      }));
    }
    const callAt = parsed.instant;
    const result = await rescheduleCall(ctx, {
      onboardingId: onboarding.id,
      callAt,
      timeZone,
      actor,
      via: "command",
    });
    await respond({
      response_type: "ephemeral",
      text: result.ok ? replyText(result, ctx.clock.now()) : `${result.message}\n\n${USAGE.call}`,
    });
  });

  // The same modal from the rep digest's button and from the App Home's.
  const openModal = async ({ ack, body, action, client }: ButtonArgs) => {
    await ack();
    const actor = interactionActor(ctx, body);
    const channelId = body.container?.channel_id ?? body.channel?.id;
    const tell = async (text: string) => {
      if (channelId) await client.chat.postEphemeral({ channel: channelId, user: actor.userId, text });
    };
    if (!(await isRep(ctx, actor))) {
      ctx.logger.warn(
        { user: actor.userId, team: actor.teamId, action: action.action_id },
        "rep action refused",
      );
      await audit(ctx, { action: `${action.action_id}.refused`, actor });
      return void (await tell(refusalFor(actor)));
    }
    const onboardingId =
      action.value && UUID.test(action.value)
        ? action.value
        : channelId
          ? (await onboardingByChannel(ctx, channelId))?.id
          : undefined;
    const onboarding = onboardingId
      ? await ctx.db.prisma.onboarding.findUnique({
          where: { id: onboardingId },
          include: { customer: true },
        })
      : null;
    if (!onboarding) return void (await tell("That onboarding no longer exists."));
    if (onboarding.status !== "active") {
      return void (await tell(
        `${onboarding.customer.name}'s onboarding is ${onboarding.status}: no call to move.`,
      ));
    }
    await client.views.open({
      trigger_id: body.trigger_id,
      view: buildRescheduleModal({
        onboardingId: onboarding.id,
        companyName: onboarding.customer.name,
        callAt: onboarding.callAt,
        timeZone: onboarding.timeZone,
        now: ctx.clock.now(),
        reminderLocalTime: ctx.config.reminderLocalTime,
      }),
    });
  };
  app.action<BlockAction<ButtonAction>>(ActionId.reschedule, openModal);
  app.action<BlockAction<ButtonAction>>(ActionId.homeReschedule, openModal);

  app.view(CallbackId.rescheduleModal, async ({ ack, body, view, client }) => {
    const actor = interactionActor(ctx, body);
    if (!(await isRep(ctx, actor))) {
      await ack({
        response_action: "errors",
        errors: { [RescheduleField.call]: refusalFor(actor).slice(0, 150) },
      });
      return;
    }
    const input = readRescheduleModal(view.state.values as never);
    if (!UUID.test(view.private_metadata)) {
      await ack({
        response_action: "errors",
        errors: { [RescheduleField.call]: "This form is out of date: close it and try again." },
      });
      return;
    }
    if (!input.callAt) {
      await ack({ response_action: "errors", errors: { [RescheduleField.call]: "Pick a date and time." } });
      return;
    }
    const valid = validateCallChange({ callAt: input.callAt, timeZone: input.timeZone }, ctx.clock.now());
    if (!valid.ok) {
      const field = valid.field === "timeZone" ? RescheduleField.timeZone : RescheduleField.call;
      await ack({ response_action: "errors", errors: { [field]: valid.message.slice(0, 150) } });
      return;
    }
    await ack();
    const result = await rescheduleCall(ctx, {
      onboardingId: view.private_metadata,
      callAt: input.callAt,
      timeZone: input.timeZone,
      actor,
      via: "modal",
    });
    // The modal is closed by now: the rep hears back in a DM (the channel gets the note as well).
    await client.chat.postMessage({
      channel: actor.userId,
      text: result.ok ? replyText(result, ctx.clock.now()) : `:x: ${result.message}`,
    });
  });
}
