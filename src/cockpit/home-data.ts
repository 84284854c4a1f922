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
 * Active onboardings counted at most (more show as "1000+"): at 500,000 onboardings the exact count of every
 * active one (scope "all": 333,334) cost more than the page itself; the page and its neighbours need no more.
 */
export const HOME_COUNT_CAP = 1000;

/**
 * Loads one page of active onboardings: pages follow the next call (none last), then newest; within a page
 * the most at-risk come first ({@link compareRows}).
 */
export async function loadHomePage(
  ctx: AppContext,
  input: { userId: string; scope: HomeScope; page: number },
): Promise<HomePage> {
  const where = { status: "active", ...(input.scope === "mine" ? { ownerUserId: input.userId } : {}) };
  const wanted = Math.max(0, Math.floor(input.page));
  // Counted up to the cap, or past the page asked for (one more row tells whether there are more).
  const cap = Math.max(HOME_COUNT_CAP, (wanted + 1) * HOME_PAGE_SIZE);
  const counted = await countActive(ctx, input.scope === "mine" ? input.userId : null, cap + 1);
  const total = Math.min(counted, cap);
  const lastPage = Math.max(0, Math.ceil(total / HOME_PAGE_SIZE) - 1);
  const page = Math.min(wanted, lastPage);
  const onboardings = await loadRows(ctx, where, page);
  const now = ctx.clock.now();
  const rows = onboardings.map((o) => homeRow(ctx, o, now));
  rows.sort(compareRows);
  return { rows, page, pageSize: HOME_PAGE_SIZE, total, more: counted > cap, scope: input.scope };
}

/**
 * Active onboardings (of `owner`, or everyone's), counted up to `limit`. Through the driver: Prisma's
 * `count({ take })` selects the id in its subquery, which turns the index-only count into a table read.
 */
async function countActive(ctx: AppContext, owner: string | null, limit: number): Promise<number> {
  const [row] = (await ctx.db.sql.query(
    owner === null
      ? "select count(*)::int as n from (select 1 from onboarding where status = 'active' limit $1::int) s"
      : `select count(*)::int as n from (select 1 from onboarding
          where owner_user_id = $2::text and status = 'active' limit $1::int) s`,
    owner === null ? [limit] : [limit, owner],
  )) as Array<{ n: number }>;
  return Number(row?.n ?? 0);
}

/** The columns of one onboarding that the Home shows (the select of loadRows). */
type HomeOnboarding = Awaited<ReturnType<typeof loadRows>>[number];

function loadRows(ctx: AppContext, where: { status: string; ownerUserId?: string }, page: number) {
  return ctx.db.prisma.onboarding.findMany({
    where,
    orderBy: [{ callAt: { sort: "asc", nulls: "last" } }, { createdAt: "desc" }],
    skip: page * HOME_PAGE_SIZE,
    take: HOME_PAGE_SIZE,
    // Only what the Home shows (not every column of the onboarding and its steps).
    select: {
      id: true,
      providerId: true,
      ownerUserId: true,
      channelId: true,
      callAt: true,
      timeZone: true,
      lastCustomerActivityAt: true,
      createdAt: true,
      customer: { select: { name: true } },
      connection: { select: { status: true, verifiedAt: true } },
      invites: { select: { status: true, email: true, slackUserId: true } },
      steps: { select: { itemKey: true, done: true, source: true } },
      verifications: { orderBy: { createdAt: "desc" }, take: 1, select: { outcome: true } },
    },
  });
}

function homeRow(ctx: AppContext, o: HomeOnboarding, now: Date): HomeRow {
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
    now: now,
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
