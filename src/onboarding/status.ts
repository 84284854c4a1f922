/** Gathers the facts of `/fleet status` for one onboarding. */

import { checklistItems } from "../checklist/items.ts";
import { type ChecklistProgress, computeProgress } from "../checklist/progress.ts";
import { itemStatesOf } from "../checklist/state.ts";
import { getTemplate } from "../checklist/template-registry.ts";
import type { AppContext } from "../context.ts";
import type { Actor } from "./actor.ts";
import { isCustomerTeam } from "./customer-team.ts";

/** Everything `/fleet status` shows about one onboarding. */
export interface StatusFacts {
  company: string;
  status: string;
  channelId: string | null;
  ownerUserId: string;
  progress: ChecklistProgress;
  ticks: Array<{ label: string; byUserId: string | null; source: string; at: Date }>;
  invites: Array<{ email: string; status: string; lastError: string | null }>;
  callAt: Date | null;
  timeZone: string;
  connection: { status: string; verifiedAt: Date | null } | null;
}

/** Reads everything the status summary shows (a few indexed queries). */
export async function statusFacts(ctx: AppContext, onboardingId: string): Promise<StatusFacts> {
  // One Prisma operation (each costs ~1 ms of CPU to plan): the onboarding with everything shown.
  const o = await ctx.db.prisma.onboarding.findUniqueOrThrow({
    where: { id: onboardingId },
    include: {
      customer: true,
      invites: { orderBy: { createdAt: "asc" } },
      connection: { select: { status: true, verifiedAt: true } },
      steps: true,
    },
  });
  const template = getTemplate(o.providerId);
  const states = itemStatesOf(o.steps);
  const labels = new Map(checklistItems(template).map((i) => [i.key, i.label]));
  const ticks = [...states.entries()]
    .filter(([, s]) => s.done)
    .map(([key, s]) => ({
      label: labels.get(key) ?? key,
      byUserId: s.byUserId ?? null,
      source: s.source,
      at: s.at ?? o.createdAt,
    }))
    .sort((a, b) => b.at.getTime() - a.at.getTime());
  return {
    company: o.customer.name,
    status: o.status,
    channelId: o.channelId,
    ownerUserId: o.ownerUserId,
    progress: computeProgress(template, states),
    ticks,
    invites: o.invites.map((i) => ({ email: i.email, status: i.status, lastError: i.lastError })),
    callAt: o.callAt,
    timeZone: o.timeZone,
    connection: o.connection,
  };
}

/**
 * The status behind a checklist's "Status" button: the onboarding of the channel the button is in (never the
 * button's value, which came back from Slack's client), for our people and the customer's own workspace.
 */
export async function statusFromChannel(
  ctx: AppContext,
  channelId: string | undefined,
  actor: Actor,
): Promise<{ ok: true; facts: StatusFacts } | { ok: false; message: string }> {
  const onboarding = channelId
    ? await ctx.db.prisma.onboarding.findUnique({
        where: { channelId },
        select: { id: true, channelId: true, invites: { select: { slackTeamId: true } } },
      })
    : null;
  if (!onboarding) return { ok: false, message: "This channel has no onboarding any more." };
  if (!actor.internal && !(await isCustomerTeam(ctx, onboarding, actor.teamId))) {
    return { ok: false, message: "The status of this onboarding is for Fleet and the customer's team." };
  }
  return { ok: true, facts: await statusFacts(ctx, onboarding.id) };
}
