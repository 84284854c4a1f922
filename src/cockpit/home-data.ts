/**
 * The rep's overview: one page of onboardings with everything the Home tab shows, in a fixed number of
 * indexed queries however many onboardings exist (50,000 in the benchmark).
 */

import { computeProgress, type ItemState } from "../checklist/progress.ts";
import { getTemplate } from "../checklist/template-registry.ts";
import type { AppContext } from "../context.ts";
import { type DeadLetter, listDeadLetters } from "../intake/store.ts";

/** Whose onboardings the Home tab lists. */
export type HomeScope = "mine" | "all";

/** One onboarding as the Home tab shows it. */
export interface HomeRow {
  id: string;
  company: string;
  channelId: string | null;
  ownerUserId: string;
  callAt: Date | null;
  timeZone: string;
  stepsDone: number;
  stepsTotal: number;
  customerStepsOpen: number;
  connection: "none" | "connected" | "verified" | "broken" | "pending";
  missingPermissions: number;
  /** `email`: HR admins who work by email (private page), issue 23. */
  invites: { sent: number; accepted: number; failed: number; declined: number; left: number; email?: number };
  lastActivityAt: Date | null;
  stalled: boolean;
  atRiskTomorrow: boolean;
}

/** A delivery the intake gave up on (src/intake), as reps see it with its Retry button. */
export type HomeDeadLetter = DeadLetter;

/** A page of rows plus the paging facts; reps also get the dead letters (`null` for everyone else). */
export interface HomePage {
  rows: HomeRow[];
  page: number;
  pageSize: number;
  total: number;
  scope: HomeScope;
  deadLetters?: { total: number; items: HomeDeadLetter[] } | null;
}

/** How many dead letters the Home tab lists (newest first); the rest are counted. */
export const HOME_DEAD_LETTERS = 5;

/** The newest dead letters, for a rep's Home tab. */
export async function loadDeadLetters(ctx: AppContext): Promise<NonNullable<HomePage["deadLetters"]>> {
  return listDeadLetters(ctx, HOME_DEAD_LETTERS);
}

export const HOME_PAGE_SIZE = 10;

/** Loads one page of active onboardings, sorted by next call (none last), then newest. */
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
      invites: { select: { status: true } },
      steps: true,
      verifications: { orderBy: { createdAt: "desc" }, take: 1, select: { outcome: true } },
    },
  });
  const now = ctx.clock.now().getTime();
  const stallMs = ctx.config.thresholds.stallAfterDays * 86_400_000;
  const rows = onboardings.map((o): HomeRow => {
    const template = getTemplate(o.providerId);
    const state = new Map<string, ItemState>(
      o.steps.map((s) => [s.itemKey, { done: s.done, source: s.source === "finch" ? "finch" : "slack" }]),
    );
    const progress = computeProgress(template, state);
    const count = (status: string) => o.invites.filter((i) => i.status === status).length;
    const lastActivityAt = o.lastCustomerActivityAt;
    const since = (lastActivityAt ?? o.createdAt).getTime();
    const callIn = o.callAt ? o.callAt.getTime() - now : null;
    const missing = missingCount(o.verifications[0]?.outcome);
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
      connection: connectionState(o.connection),
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
      stalled: !progress.customerStepsDone && now - since > stallMs,
      atRiskTomorrow:
        callIn !== null &&
        callIn > 0 &&
        callIn < 48 * 3_600_000 &&
        (!progress.customerStepsDone || connectionState(o.connection) !== "verified"),
    };
  });
  return { rows, page, pageSize: HOME_PAGE_SIZE, total, scope: input.scope };
}

function connectionState(c: { status: string; verifiedAt: Date | null } | null): HomeRow["connection"] {
  if (!c) return "none";
  if (["reauth", "error_no_account_setup", "disconnected", "error_permissions"].includes(c.status))
    return "broken";
  if (c.status === "connected") return c.verifiedAt ? "verified" : "connected";
  return "pending";
}

function missingCount(outcome: unknown): number {
  const permissions = (outcome as { permissions?: Array<{ status?: string }> } | null)?.permissions;
  return Array.isArray(permissions) ? permissions.filter((p) => p?.status === "missing").length : 0;
}
