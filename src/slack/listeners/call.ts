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
import { callChangeReply } from "../../blocks/call-change.ts";
import { listenerText } from "../../blocks/listener-answers.ts";
import { buildRescheduleModal, RescheduleField, readRescheduleModal } from "../../blocks/reschedule-modal.ts";
import type { AppContext } from "../../context.ts";
import { onboardingByChannel, onboardingById, onboardingIdFrom } from "../../onboarding/lookup.ts";
import { rescheduleCall, validateCallChange } from "../../reminders/call.ts";
import { ActionId, CallbackId } from "../../slack-gateway/ids.ts";
import { noteMetadata, postOnce } from "../../slack-gateway/post-once.ts";
import { parseLocalDateTime } from "../../time.ts";
import { interactionActor } from "../actors.ts";
import { USAGE } from "../commands/parse.ts";
import { aboutOnboarding, type SubcommandsOf } from "./fleet-command.ts";
import { allowRep } from "./guards.ts";
import { openModalInTime } from "./open-modal.ts";

type CallCommandInput = Parameters<Parameters<typeof aboutOnboarding<"call">>[1]>[0];

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

/** `/fleet call`. */
export function subcommands(ctx: AppContext) {
  return { call: { run: aboutOnboarding(ctx, callCommand(ctx)) } } satisfies SubcommandsOf<"call">;
}

function callCommand(ctx: AppContext) {
  return async ({ cmd, onboarding, actor, respond }: CallCommandInput) => {
    // Without tz= the wall time belongs to the onboarding's own zone (it may not exist there).
    const timeZone = cmd.timeZone ?? onboarding.timeZone;
    const parsed = parseLocalDateTime(cmd.wallTime, timeZone);
    if (!parsed.ok) {
      return void (await respond({
        response_type: "ephemeral",
        text: listenerText.callTimeInvalid(parsed.reason, USAGE.call),
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
      text: result.ok
        ? replyText(result, ctx.clock.now())
        : result.field === "overtaken"
          ? result.message
          : `${result.message}\n\n${USAGE.call}`,
    });
  };
}

/** The Reschedule button: checks the rep and the onboarding, then opens the modal in time. */
function openRescheduleModal(ctx: AppContext) {
  return async ({ ack, body, action, client }: ButtonArgs) => {
    await ack();
    const actor = interactionActor(ctx, body);
    const channelId = body.container?.channel_id ?? body.channel?.id;
    const tell = async (text: string) => {
      if (channelId) await client.chat.postEphemeral({ channel: channelId, user: actor.userId, text });
    };
    const allowed = await allowRep(ctx, actor, {
      log: "rep action refused",
      fields: { action: action.action_id },
      audit: `${action.action_id}.refused`,
      tell,
    });
    if (!allowed) return;
    const onboardingId =
      onboardingIdFrom(action.value) ??
      (channelId ? (await onboardingByChannel(ctx, channelId))?.id : undefined);
    const onboarding = await onboardingById(ctx, onboardingId ?? null);
    if (!onboarding) return void (await tell(listenerText.noSuchOnboarding));
    if (onboarding.status !== "active") {
      return void (await tell(listenerText.noCallToMove(onboarding.customer.name, onboarding.status)));
    }
    const tellSomewhere = async (text: string) =>
      channelId ? tell(text) : client.chat.postMessage({ channel: actor.userId, text });
    const again = listenerText.rescheduleButton;
    await openModalInTime(ctx, { client, triggerId: body.trigger_id, tell: tellSomewhere, again }, () =>
      buildRescheduleModal({
        onboardingId: onboarding.id,
        companyName: onboarding.customer.name,
        callAt: onboarding.callAt,
        timeZone: onboarding.timeZone,
        now: ctx.clock.now(),
        reminderLocalTime: ctx.config.reminderLocalTime,
      }),
    );
  };
}

/** Registers the Reschedule buttons and the reschedule modal. */
export function register(app: App, ctx: AppContext): void {
  // The same modal from the rep digest's button and from the App Home's.
  const openModal = openRescheduleModal(ctx);
  app.action<BlockAction<ButtonAction>>(ActionId.reschedule, openModal);
  app.action<BlockAction<ButtonAction>>(ActionId.homeReschedule, openModal);

  app.view(CallbackId.rescheduleModal, async ({ ack, body, view }) => {
    const actor = interactionActor(ctx, body);
    const allowed = await allowRep(ctx, actor, {
      tell: (text) =>
        ack({ response_action: "errors", errors: { [RescheduleField.call]: text.slice(0, 150) } }),
    });
    if (!allowed) return;
    const input = readRescheduleModal(view.state.values as never);
    const onboardingId = onboardingIdFrom(view.private_metadata);
    if (!onboardingId) {
      await ack({
        response_action: "errors",
        errors: { [RescheduleField.call]: listenerText.formOutOfDate },
      });
      return;
    }
    if (!input.callAt) {
      await ack({ response_action: "errors", errors: { [RescheduleField.call]: listenerText.pickDateTime } });
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
      onboardingId,
      callAt: input.callAt,
      timeZone: input.timeZone,
      actor,
      via: "modal",
    });
    // The modal is closed by now: the rep hears back in a DM (the channel gets the note as well).
    await postOnce(ctx, {
      channel: actor.userId,
      metadata: noteMetadata(`reschedule-reply:${onboardingId}`),
      text: result.ok ? replyText(result, ctx.clock.now()) : `:x: ${result.message}`,
    });
  });
}
