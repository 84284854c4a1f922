/**
 * The rep's overview: one page of onboardings with everything the Home tab shows, in a fixed number of
 * indexed queries however many onboardings exist (50,000 in the benchmark).
 */

import { computeProgress, type ItemState } from "../checklist/progress.ts";
import { getTemplate } from "../checklist/template-registry.ts";
import type { AppContext } from "../context.ts";
import { type DeadLetter, listDeadLetters } from "../intake/store.ts";
import type { FailedReminderView } from "../slack/views/reminder-failures.ts";
import type { ConnectionNeedingAction } from "./connections-needing-action.ts";
import { compareRows, type HomeConnection, type HomeFlag, type HomeWaiting, judgeRow } from "./home-rows.ts";
import type { SetAsidePage } from "./set-aside.ts";

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
  connection: HomeConnection;
  missingPermissions: number;
  /** `email`: HR admins who work by email (private page), issue 23. */
  invites: { sent: number; accepted: number; failed: number; declined: number; left: number; email?: number };
  lastActivityAt: Date | null;
  stalled: boolean;
  atRiskTomorrow: boolean;
  createdAt: Date;
  /** What the onboarding waits on and who acts. */
  waiting: HomeWaiting;
  /** Flags with the facts of their reason. */
  flags: HomeFlag[];
  /** 0 = most at risk (the order of the list). */
  risk: number;
  /** Whole days without customer activity (since the start when there was none). */
  idleDays: number;
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
  deadLetters?: { total: number; items: HomeDeadLetter[]; page: number; pageSize: number } | null;
  /** Spool files this process set aside (reps only; src/cockpit/set-aside.ts). */
  setAside?: SetAsidePage | null;
  /** The viewer's reminders, nudges and digests of the last week that could not be sent. */
  failedReminders?: FailedReminderView[];
  /** Closed onboardings whose connection needs action (src/finch/health-check.ts). */
  connections?: ConnectionNeedingAction[];
}

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
    const template = getTemplate(o.providerId);
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
