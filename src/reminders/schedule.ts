/**
 * What should be in the reminder queue: the day-before reminder of every active onboarding's call, the
 * reps' morning digests and the customers' nudges. Everything here only writes rows (idempotently, keyed
 * by `dedupe_key`); src/reminders/scheduler/ sends them.
 *
 * Call changes schedule at once through {@link syncCallReminder}; every scheduler tick also reconciles the
 * queue with the onboardings, so a change made by a code path that forgot the hook still ends up right.
 */
import type { AppContext } from "../context.ts";
import type { Prisma, PrismaClient } from "../db/generated/client.ts";
import { everyRow } from "../db/paging.ts";
import { loadForReminders, nudgeFactsOf } from "./facts.ts";
import {
  dayBeforeDedupeKey,
  dayBeforeDueAt,
  digestDue,
  isNudgeWindow,
  localDateOf,
  localDayBounds,
  nudgeDedupeKey,
  ReminderKind,
  repDigestDedupeKey,
} from "./rules.ts";

type Db = PrismaClient | Prisma.TransactionClient;

/** The day-before reminder now scheduled for an onboarding's call (null: none, e.g. no call ahead). */
export interface ScheduledCallReminder {
  callAt: Date;
  dueAt: Date;
}

/**
 * Makes the onboarding's day-before reminder match its current call: cancels a pending one for another
 * call (or for a closed onboarding) and creates — or revives — the one for the current call instant.
 * Runs inside the caller's transaction when given one.
 */
export async function syncCallReminder(
  ctx: Pick<AppContext, "config" | "clock">,
  db: Db,
  onboardingId: string,
): Promise<ScheduledCallReminder | null> {
  const now = ctx.clock.now();
  const o = await db.onboarding.findUnique({
    where: { id: onboardingId },
    select: { status: true, callAt: true, timeZone: true },
  });
  const wanted =
    o?.status === "active" && o.callAt && o.callAt.getTime() > now.getTime()
      ? {
          callAt: o.callAt,
          dedupeKey: dayBeforeDedupeKey(onboardingId, o.callAt),
          dueAt: dayBeforeDueAt(o.callAt, o.timeZone, ctx.config.reminderLocalTime),
        }
      : null;
  // A reminder already being sent is left alone: the sender re-checks the call right before posting.
  await db.reminder.updateMany({
    where: {
      onboardingId,
      kind: ReminderKind.dayBefore,
      status: "pending",
      ...(wanted ? { NOT: { dedupeKey: wanted.dedupeKey } } : {}),
    },
    data: {
      status: "cancelled",
      leaseUntil: null,
      lastError: wanted ? "the call moved" : "no call ahead, or the onboarding is closed",
    },
  });
  if (!wanted) return null;
  // ON CONFLICT DO NOTHING: two replicas scheduling the same call at once both succeed, one row results.
  await db.reminder.createMany({
    data: [
      {
        onboardingId,
        kind: ReminderKind.dayBefore,
        dedupeKey: wanted.dedupeKey,
        dueAt: wanted.dueAt,
        callAt: wanted.callAt,
      },
    ],
    skipDuplicates: true,
  });
  // The call moved back to an earlier booking, or its zone changed: revive / re-time the existing row.
  // A reminder already sent for this very call instant stays sent: exactly once per call.
  await db.reminder.updateMany({
    where: { dedupeKey: wanted.dedupeKey, status: { in: ["pending", "cancelled"] } },
    data: { status: "pending", dueAt: wanted.dueAt, leaseUntil: null, lastError: null },
  });
  return { callAt: wanted.callAt, dueAt: wanted.dueAt };
}

/**
 * {@link syncCallReminder} for hooks such as onboarding creation: never throws (the next scheduler tick
 * reconciles anyway), so a reminder problem cannot break the flow that called it.
 */
export async function scheduleCallReminder(ctx: AppContext, onboardingId: string): Promise<void> {
  try {
    await syncCallReminder(ctx, ctx.db.prisma, onboardingId);
  } catch (err) {
    ctx.logger.error({ err, onboardingId }, "could not schedule the call reminder; the scheduler retries");
  }
}

/** Cancels every reminder of an onboarding not sent yet (call `/fleet done` and cancellations here). */
export async function cancelRemindersFor(
  ctx: Pick<AppContext, "db">,
  onboardingId: string,
  reason: string,
): Promise<number> {
  const res = await ctx.db.prisma.reminder.updateMany({
    where: { onboardingId, status: "pending" },
    data: { status: "cancelled", leaseUntil: null, lastError: reason },
  });
  return res.count;
}

/**
 * Brings the queue in line with the onboardings: cancels pending reminders of closed onboardings and
 * day-before reminders of calls that moved, and schedules calls that have none. Returns how many calls
 * were (re)scheduled.
 */
export async function reconcileCallReminders(ctx: AppContext, now: Date): Promise<number> {
  // Through the driver, not Prisma: this runs every tick, and Prisma's WebAssembly query compiler costs a pass
  // per statement — for a 1,000-row createMany 0.3–0.8 s of CPU in a loaded profile (docs/bench/2026-12-07-analysis.md, "hR").
  const { sql } = ctx.db;
  await sql.query(
    `UPDATE reminder AS r
    SET status = 'cancelled', lease_until = NULL,
        last_error = CASE WHEN o.status <> 'active' THEN 'the onboarding is closed' ELSE 'the call moved' END
    FROM onboarding AS o
    WHERE r.onboarding_id = o.id
      AND r.status = 'pending'
      AND (o.status <> 'active' OR (r.kind = $1::text AND o.call_at IS DISTINCT FROM r.call_at))`,
    [ReminderKind.dayBefore],
  );
  // Set-based (one read, one insert, one update for up to 1,000 calls): a fan-out of thousands of calls is
  // planned in a tick or two, and replicas reconciling at once each do a few statements, not 4 per call.
  const missing = (await sql.query(
    `SELECT o.id::text AS id, o.call_at AS "callAt", o.time_zone AS "timeZone"
    FROM onboarding AS o
    WHERE o.status = 'active' AND o.call_at > $1::timestamptz
      AND NOT EXISTS (
        SELECT 1 FROM reminder AS r
        WHERE r.onboarding_id = o.id AND r.kind = $2::text
          AND r.call_at = o.call_at AND r.status <> 'cancelled')
    ORDER BY o.id
    LIMIT 1000`,
    [now, ReminderKind.dayBefore],
  )) as Array<{ id: string; callAt: Date; timeZone: string }>;
  if (missing.length === 0) return 0;
  const ids = missing.map((o) => o.id);
  const callAts = missing.map((o) => o.callAt.toISOString());
  const keys = missing.map((o) => dayBeforeDedupeKey(o.id, o.callAt));
  const dueAts = missing.map((o) =>
    dayBeforeDueAt(o.callAt, o.timeZone, ctx.config.reminderLocalTime).toISOString(),
  );
  // As in syncCallReminder: ON CONFLICT DO NOTHING, and a row cancelled for this very call instant (the call
  // moved away and back without the hook) is revived and re-timed. None of them is pending or sent, or the
  // call would not be missing; other calls' pending rows were cancelled by the statement above.
  await sql.query(
    `INSERT INTO reminder (id, onboarding_id, kind, dedupe_key, due_at, call_at)
    SELECT gen_random_uuid(), v.onboarding_id, $1::text, v.dedupe_key, v.due_at::timestamptz, v.call_at::timestamptz
    FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) AS v(onboarding_id, dedupe_key, due_at, call_at)
    ON CONFLICT DO NOTHING`,
    [ReminderKind.dayBefore, ids, keys, dueAts, callAts],
  );
  await sql.query(
    `UPDATE reminder AS r
    SET status = 'pending', due_at = v.due_at::timestamptz, lease_until = NULL, last_error = NULL
    FROM unnest($1::text[], $2::text[]) AS v(dedupe_key, due_at)
    WHERE r.dedupe_key = v.dedupe_key AND r.status = 'cancelled'`,
    [keys, dueAts],
  );
  return missing.length;
}

/**
 * Plans today's morning digest for every rep who has calls tomorrow (in the rep's own zone), once it is
 * their digest time. Returns how many digests were newly queued.
 */
export async function planRepDigests(
  ctx: AppContext,
  now: Date,
  repTimeZone: (userId: string) => Promise<string>,
): Promise<number> {
  // Tomorrow ends at most ~49 hours from now in any zone; three days is a safe superset.
  const calls = await ctx.db.prisma.onboarding.findMany({
    where: { status: "active", callAt: { gt: now, lt: new Date(now.getTime() + 3 * 86_400_000) } },
    select: { ownerUserId: true, callAt: true },
  });
  const byOwner = new Map<string, Date[]>();
  for (const c of calls) {
    if (c.callAt) byOwner.set(c.ownerUserId, [...(byOwner.get(c.ownerUserId) ?? []), c.callAt]);
  }
  const rows: Prisma.ReminderCreateManyInput[] = [];
  for (const [userId, callTimes] of byOwner) {
    const zone = await repTimeZone(userId);
    const due = digestDue(now, zone, ctx.config.repDigestLocalTime);
    if (!due) continue;
    const { start, end } = localDayBounds(due.tomorrow, zone);
    if (!callTimes.some((t) => t >= start && t < end)) continue;
    rows.push({
      kind: ReminderKind.repDigest,
      dedupeKey: repDigestDedupeKey(userId, due.localDate),
      dueAt: due.dueAt,
      userId,
      localDate: due.localDate,
    });
  }
  if (rows.length === 0) return 0;
  return (await ctx.db.prisma.reminder.createMany({ data: rows, skipDuplicates: true })).count;
}

/**
 * Plans nudges: customer steps untouched for NUDGE_AFTER_DAYS, at most one per onboarding and local day,
 * only Monday–Friday 09:00–18:00 in the customer's zone. Returns how many were newly queued.
 */
export async function planNudges(ctx: AppContext, now: Date): Promise<number> {
  const days = ctx.config.thresholds.nudgeAfterDays;
  const threshold = new Date(now.getTime() - days * 86_400_000);
  // Cheap pre-filter in SQL; the exact rules (zone, window, per-step activity) are checked below.
  // Every page: candidates nudged already today (or outside their window) must not hide the rest.
  const candidates = everyRow(
    (after, take) =>
      ctx.db.prisma.onboarding.findMany({
        where: {
          status: "active",
          channelId: { not: null },
          checklistTs: { not: null },
          customerStepsDoneAt: null,
          createdAt: { lte: threshold },
          OR: [{ lastCustomerActivityAt: null }, { lastCustomerActivityAt: { lte: threshold } }],
          ...(after ? { id: { gt: after } } : {}),
        },
        select: { id: true, timeZone: true, lastNudgeAt: true },
        orderBy: { id: "asc" },
        take,
      }),
    500,
  );
  const rows: Prisma.ReminderCreateManyInput[] = [];
  // The exact rules need each candidate's items and invites: read for up to 200 candidates at once.
  let waiting: Array<{ id: string; today: string }> = [];
  const judge = async () => {
    const read = await loadForReminders(
      ctx,
      waiting.map((c) => c.id),
    );
    for (const c of waiting) {
      const o = read.get(c.id);
      if (!o || !nudgeFactsOf(ctx, o, now).eligible) continue;
      rows.push({
        kind: ReminderKind.nudge,
        onboardingId: c.id,
        dedupeKey: nudgeDedupeKey(c.id, c.today),
        dueAt: now,
        localDate: c.today,
      });
    }
    waiting = [];
  };
  for await (const c of candidates) {
    if (!isNudgeWindow(now, c.timeZone)) continue;
    const today = localDateOf(now, c.timeZone);
    if (c.lastNudgeAt && localDateOf(c.lastNudgeAt, c.timeZone) === today) continue;
    waiting.push({ id: c.id, today });
    if (waiting.length >= 200) await judge();
  }
  await judge();
  if (rows.length === 0) return 0;
  return (await ctx.db.prisma.reminder.createMany({ data: rows, skipDuplicates: true })).count;
}
