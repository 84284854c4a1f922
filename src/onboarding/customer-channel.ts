/**
 * The customer's private channel: created once, or adopted when a create we never heard back from (a crash,
 * a lost answer) already made it. Part of the onboarding saga (start-onboarding.ts).
 */
import { onboardText } from "../blocks/onboard-report-lines.ts";
import type { AppContext } from "../context.ts";
import { createPrivateChannel, listChannels } from "../slack-gateway/channels.ts";
import { adviceFor, slackErrorCode } from "../slack-gateway/errors.ts";
import { isAnswerLost, nonRetryingClient } from "../slack-gateway/post-once.ts";
import { channelNameFor } from "./names.ts";
import type { OnboardReport } from "./start-onboarding.ts";

/** Creates (or adopts) the onboarding's channel and stores it; null with the problem in the report. */
export async function createChannel(
  ctx: AppContext,
  onboardingId: string,
  company: string,
  report: OnboardReport,
) {
  const planned = (await ctx.db.prisma.onboarding.findUniqueOrThrow({ where: { id: onboardingId } }))
    .channelName;
  // A crash between Slack creating the channel and us storing its id leaves a channel named as planned,
  // with the app inside: adopt it instead of creating a second one.
  if (planned) {
    const adopted = await findAdoptableChannel(ctx, onboardingId, planned);
    if (adopted) return storeChannel(ctx, onboardingId, adopted, planned, report);
  }
  // Never retried blindly: a create whose answer was lost may have made the channel, and a retry would then
  // meet `name_taken` and open `-2`.
  const slack = nonRetryingClient(ctx);
  let lost = 0;
  const unanswered = new Set<string>();
  for (let suffix = 0; suffix < 20; ) {
    const name = channelNameFor(company, suffix === 0 ? undefined : suffix + 1);
    await ctx.db.prisma.onboarding.update({ where: { id: onboardingId }, data: { channelName: name } });
    try {
      const res = await createPrivateChannel(slack, name);
      const id = res.channel?.id;
      if (!id) throw new Error("conversations.create returned no channel id");
      return storeChannel(ctx, onboardingId, id, name, report);
    } catch (err) {
      const code = slackErrorCode(err);
      // Only a name our own unanswered create asked for is adopted; any other `name_taken` (an older
      // customer's channel, a person's) means the next suffix.
      if (isAnswerLost(err) || (code === "name_taken" && unanswered.has(name))) {
        const adopted = await findAdoptableChannel(ctx, onboardingId, name).catch(() => null);
        if (adopted) return storeChannel(ctx, onboardingId, adopted, name, report);
      }
      if (code === "name_taken") {
        suffix += 1;
        continue;
      }
      if (isAnswerLost(err)) unanswered.add(name);
      if (isAnswerLost(err) && ++lost <= Math.max(1, ctx.config.slack.retries)) continue; // not made: again
      report.problems.push(onboardText.creatingChannel(adviceFor(code)));
      return null;
    }
  }
  report.problems.push(onboardText.everyNameTaken);
  return null;
}

async function storeChannel(
  ctx: AppContext,
  onboardingId: string,
  channelId: string,
  name: string,
  report: OnboardReport,
) {
  await ctx.db.prisma.onboarding.update({
    where: { id: onboardingId },
    data: { channelId, channelName: name, setupStage: "channel" },
  });
  report.lines.push(onboardText.channelCreated(channelId));
  return channelId;
}

/**
 * A private channel called `name` that our bot created (Slack's `creator`) and no other onboarding owns (the
 * name may have been another customer's, later renamed): what a create we never heard back from left behind.
 */
async function findAdoptableChannel(
  ctx: AppContext,
  onboardingId: string,
  name: string,
): Promise<string | null> {
  const found = await findOwnChannelByName(ctx, name);
  if (!found) return null;
  if (found.creator && found.creator !== ctx.identity.botUserId) return null;
  const owner = await ctx.db.prisma.onboarding.findUnique({
    where: { channelId: found.id },
    select: { id: true },
  });
  return !owner || owner.id === onboardingId ? found.id : null;
}

async function findOwnChannelByName(
  ctx: AppContext,
  name: string,
): Promise<{ id: string; creator: string | undefined } | null> {
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const res = await listChannels(ctx.slack, {
      types: "private_channel",
      exclude_archived: true,
      limit: 200,
      cursor,
    });
    const found = res.channels?.find((c) => c.name === name);
    if (found?.id) return { id: found.id, creator: found.creator };
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) return null;
  }
  return null;
}
