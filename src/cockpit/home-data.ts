/**
 * The rep's overview: one page of onboardings with everything the Home tab shows, in a fixed number of
 * indexed queries however many onboardings exist (50,000 in the benchmark).
 */

import type { HomeDeadLetter, HomePage, HomeRow, HomeScope } from "../blocks/home-input.ts";
import { computeProgress, type ItemState } from "../checklist/progress.ts";
import { providerCatalogue } from "../checklist/provider-catalogue.ts";
import type { AppContext } from "../context.ts";
import { listDeadLetters } from "../intake/store.ts";
import { compareRows, judgeRow } from "./home-rows.ts";

export type { HomeDeadLetter, HomePage, HomeRow, HomeScope };

/** How many dead letters the Home tab lists per page (newest first); the rest are paged through. */
export const HOME_DEAD_LETTERS = 5;

/** One page of dead letters, newest first, for a rep's Home tab (a page past the end shows the last one). */
export async function loadDeadLetters(
  ctx: AppContext,
  page = 0,
): Promise<NonNullable<HomePage["deadLetters"]>> {
  const wanted = Math.max(0, Math.floor(page));
  let found = await listDeadLetters(ctx, HOME_DEAD_LETTERS, wanted * HOME_DEAD_LETTERS);
  const lastPage = Math.max(0, Math.ceil(found.total / HOME_DEAD_LETTERS) - 1);
  if (wanted > lastPage) found = await listDeadLetters(ctx, HOME_DEAD_LETTERS, lastPage * HOME_DEAD_LETTERS);
  return { ...found, page: Math.min(wanted, lastPage), pageSize: HOME_DEAD_LETTERS };
}

export const HOME_PAGE_SIZE = 10;

/**
 * Loads one page of active onboardings: pages follow the next call (none last), then newest; within a page
 * the most at-risk come first ({@link compareRows}).
 */
export async function loadHomePage(
  ctx: AppContext,
  input: { userId: string; scope: HomeScope; page: number },
): Promise<HomePage> {
  const where = { status: "active", ...(input.scope === "mine" ? { ownerUserId: input.userId } : {}) };
  const total = await ctx.db.prisma.onboarding.count({ where });
  const lastPage = Math.max(0, Math.ceil(total / HOME_PAGE_SIZE) - 1);
  const page = Math.min(Math.max(0, Math.floor(input.page)), lastPage);
  const onboardings = await ctx.db.prisma.onboarding.findMany({
    where,
    orderBy: [{ callAt: { sort: "asc", nulls: "last" } }, { createdAt: "desc" }],
    skip: page * HOME_PAGE_SIZE,
    take: HOME_PAGE_SIZE,
    include: {
      customer: { select: { name: true } },
      connection: { select: { status: true, verifiedAt: true } },
      invites: { select: { status: true, email: true, slackUserId: true } },
      steps: true,
      verifications: { orderBy: { createdAt: "desc" }, take: 1, select: { outcome: true } },
    },
  });
  const now = ctx.clock.now().getTime();
  const rows = onboardings.map((o): HomeRow => {
    const template = providerCatalogue(ctx).template(o.providerId);
    const state = new Map<string, ItemState>(
      o.steps.map((s) => [s.itemKey, { done: s.done, source: s.source === "finch" ? "finch" : "slack" }]),
    );
    const progress = computeProgress(template, state);
    const count = (status: string) => o.invites.filter((i) => i.status === status).length;
    const lastActivityAt = o.lastCustomerActivityAt;
    const connection = connectionState(o.connection);
    const missing = missingCount(o.verifications[0]?.outcome);
    const judged = judgeRow({
      now: new Date(now),
      callAt: o.callAt,
      createdAt: o.createdAt,
      lastActivityAt,
      progress,
      connection,
      missingPermissions: missing,
      missingKeys: missingKeys(o.verifications[0]?.outcome),
      hrInChannel: o.invites.flatMap((i) =>
        i.slackUserId && IN_CHANNEL.includes(i.status) ? [i.slackUserId] : [],
      ),
      hrNotJoined: o.invites.filter((i) => NOT_JOINED.includes(i.status)).map((i) => i.email),
      ownerUserId: o.ownerUserId,
      stallAfterDays: ctx.config.thresholds.stallAfterDays,
    });
    return {
      id: o.id,
      company: o.customer.name,
      channelId: o.channelId,
      ownerUserId: o.ownerUserId,
      callAt: o.callAt,
      timeZone: o.timeZone,
      stepsDone: progress.stepsDone,
      stepsTotal: progress.stepsTotal,
      customerStepsOpen: progress.openByOwner.customer.length,
      connection,
      missingPermissions: missing,
      invites: {
        sent: count("sent") + count("pending"),
        accepted: count("accepted") + count("approved"),
        failed: count("failed"),
        declined: count("declined"),
        left: count("left"),
        email: count("email"),
      },
      lastActivityAt,
      stalled: judged.flags.some((f) => f.kind === "stalled" || f.kind === "not_started"),
      atRiskTomorrow: judged.flags.some((f) => f.kind === "call_risk"),
      createdAt: o.createdAt,
      ...judged,
    };
  });
  rows.sort(compareRows);
  return { rows, page, pageSize: HOME_PAGE_SIZE, total, scope: input.scope };
}

/** Invitation states: in the customer's channel, or invited and not (yet) there. */
const IN_CHANNEL = ["accepted", "approved"];
const NOT_JOINED = ["pending", "sending", "sent", "failed"];

function connectionState(c: { status: string; verifiedAt: Date | null } | null): HomeRow["connection"] {
  if (!c) return "none";
  if (["reauth", "error_no_account_setup", "disconnected", "error_permissions"].includes(c.status))
    return "broken";
  if (c.status === "connected") return c.verifiedAt ? "verified" : "connected";
  return "pending";
}

function missingCount(outcome: unknown): number {
  return missingKeys(outcome).length;
}

/** Keys of the permissions the last verification found missing (stored outcome; tolerant of old rows). */
function missingKeys(outcome: unknown): string[] {
  const permissions = (outcome as { permissions?: Array<{ status?: string; key?: unknown }> } | null)
    ?.permissions;
  if (!Array.isArray(permissions)) return [];
  return permissions
    .filter((p) => p?.status === "missing")
    .map((p) => (typeof p.key === "string" ? p.key : ""));
}
