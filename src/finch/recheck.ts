/**
 * "Re-check" of a Finch connection from Slack: the button under a verification (Fleet and the customer's
 * own team, in the customer's channel) and the rep's button in the App Home.
 */

import type { Actor } from "../audit/actor.ts";
import { audit } from "../audit/audit.ts";
import { finchText } from "../blocks/finch-notes.ts";
import type { AppContext } from "../context.ts";
import { isCustomerTeam } from "../onboarding/customer-team.ts";
import { verifyConnection } from "./verify.ts";

/** A re-check right after another one would only repeat it (and spend Finch's per-app rate limit). */
export const RECHECK_COOLDOWN_MS = 10_000;

/**
 * Re-checks from the verification message in `channelId`. Returns what to tell the person privately, or
 * null when the result goes to the thread.
 */
export async function recheckFromChannel(
  ctx: AppContext,
  input: {
    onboardingId: string | null;
    actor: Actor;
    channelId: string | undefined;
    /** Whether the actor is one of Fleet's reps (the Slack surface decides: src/slack/actors.ts). */
    actorIsRep: boolean;
  },
): Promise<string | null> {
  const { actor, channelId } = input;
  const onboarding = input.onboardingId
    ? await ctx.db.prisma.onboarding.findUnique({
        where: { id: input.onboardingId },
        include: { invites: { select: { slackTeamId: true } }, connection: { select: { id: true } } },
      })
    : null;
  // The button lives in the customer's channel: only Fleet's reps and that customer's own team may press it
  // (not a guest or a colleague of ours who is no rep, not another customer's admin).
  const allowed =
    !!onboarding &&
    (input.actorIsRep ||
      (onboarding.channelId === channelId && (await isCustomerTeam(ctx, onboarding, actor.teamId))));
  if (!onboarding || !allowed) {
    ctx.logger.warn({ user: actor.userId, team: actor.teamId }, "finch re-check refused");
    await audit(ctx, { onboardingId: onboarding?.id ?? null, action: "finch.recheck_refused", actor });
    return finchText.recheckRefused;
  }
  if (!onboarding.connection) return finchText.recheckNotConnected;
  const last = await ctx.db.prisma.verification.findFirst({
    where: { onboardingId: onboarding.id },
    orderBy: { createdAt: "desc" },
    select: { createdAt: true },
  });
  if (last && ctx.clock.now().getTime() - last.createdAt.getTime() < RECHECK_COOLDOWN_MS) {
    return finchText.recheckTooSoon;
  }
  await audit(ctx, { onboardingId: onboarding.id, action: "finch.recheck", actor });
  await verifyConnection(ctx, onboarding.id, { trigger: "button", actor, announce: "always" });
  return null;
}

/** A rep's re-check from the App Home (the rep is already authorized). */
export async function recheckFromHome(ctx: AppContext, onboardingId: string, actor: Actor): Promise<string> {
  const connected = await ctx.db.prisma.finchConnection.findUnique({
    where: { onboardingId },
    select: { id: true },
  });
  if (!connected) return finchText.recheckNotConnectedForCustomer;
  await audit(ctx, { onboardingId, action: "finch.recheck", actor });
  await verifyConnection(ctx, onboardingId, { trigger: "button", actor, announce: "always" });
  return finchText.rechecked;
}

/**
 * Re-check from the customer's private page (issue 23): the same verification as Slack's button — the result
 * goes to the thread (when there is a channel) and the page shows it — with the same cooldown. Returns null when
 * it ran, else what the page says instead.
 */
export async function recheckFromPage(
  ctx: AppContext,
  onboardingId: string,
  actor: Actor,
): Promise<string | null> {
  const onboarding = await ctx.db.prisma.onboarding.findUnique({
    where: { id: onboardingId },
    select: { status: true, connection: { select: { id: true } } },
  });
  if (onboarding?.status !== "active") return "This onboarding is closed: there is nothing to re-check.";
  if (!onboarding.connection) return "Nothing to re-check yet: connect first with the Connect button.";
  const last = await ctx.db.prisma.verification.findFirst({
    where: { onboardingId },
    orderBy: { createdAt: "desc" },
    select: { createdAt: true },
  });
  if (last && ctx.clock.now().getTime() - last.createdAt.getTime() < RECHECK_COOLDOWN_MS) {
    return "Just checked a moment ago: the latest result is below. Try again in a few seconds.";
  }
  await audit(ctx, { onboardingId, action: "finch.recheck", actor, detail: { via: "page" } });
  await verifyConnection(ctx, onboardingId, { trigger: "button", actor, announce: "always" });
  return null;
}
