/**
 * Draining, the second half of a tick: claims due reminders in small batches with a lease and delivers
 * them with up to `concurrency` reminders in progress at once.
 */
import { ReminderKind } from "../rules.ts";
import { type ClaimedReminder, claimDueReminders, releaseReminder } from "../store.ts";
import { deliverSafely } from "./deliver.ts";
import { type KnownOnboardings, readBatch } from "./prepare.ts";
import { isStopping, type SchedulerRuntime } from "./runtime.ts";

/** The reminder kinds this scheduler sends (other features may queue kinds of their own). */
const KINDS: readonly string[] = Object.values(ReminderKind);

/**
 * Claims batches and delivers them; resolves with the number of reminders sent. The next batch is claimed
 * only when a worker finds nothing left to start: claimed reminders never wait long (their leases run from
 * the claim), and what this replica has not claimed stays free for the others.
 */
export async function drain(rt: SchedulerRuntime): Promise<number> {
  const { ctx, owner, limits, log } = rt;
  const claimed: ClaimedReminder[] = [];
  // What each claimed reminder's message is built from, read for its whole batch at once.
  const known = new Map<string, KnownOnboardings>();
  let batches = 0;
  let exhausted = false;
  // The first unexpected error (database trouble): no new work starts, and the tick rejects with it.
  const failures: unknown[] = [];
  let claiming: Promise<void> | null = null;
  let sent = 0;

  async function claimBatch(): Promise<void> {
    batches++;
    const now = ctx.clock.now();
    const batch = await claimDueReminders(ctx.db, {
      owner,
      now,
      leaseUntil: new Date(now.getTime() + limits.leaseMs),
      limit: limits.batchSize,
      kinds: KINDS,
    });
    if (batch.length === 0) exhausted = true;
    try {
      const read = await readBatch(rt, batch);
      for (const r of batch) known.set(r.id, read);
    } catch (err) {
      // Each reminder then reads its own onboarding (and meets the trouble itself, if it lasts).
      log.warn({ err }, "could not read a batch of reminders' onboardings; reading them one by one");
    }
    // Only now: a worker that comes for work meanwhile must not start a reminder before its batch is read.
    claimed.push(...batch);
  }

  /** The next claimed reminder to work on, claiming a batch when none is left (one claim at a time). */
  async function next(): Promise<ClaimedReminder | undefined> {
    while (!isStopping(rt) && failures.length === 0) {
      const reminder = claimed.shift();
      if (reminder) return reminder;
      if (exhausted || batches >= limits.maxBatchesPerTick) return undefined;
      claiming ??= claimBatch()
        .catch((err: unknown) => {
          failures.push(err);
        })
        .finally(() => {
          claiming = null;
        });
      await claiming;
    }
    return undefined;
  }

  async function worker(): Promise<void> {
    for (let r = await next(); r; r = await next()) {
      try {
        const read = known.get(r.id);
        known.delete(r.id);
        if ((await deliverSafely(rt, r, read)) === "sent") sent++;
      } catch (err) {
        // E.g. the database went away: start nothing new; posts in flight in other workers finish.
        failures.push(err);
      }
    }
  }

  await Promise.all(Array.from({ length: limits.concurrency }, worker));
  // Claimed but not started (stop() or a failure): hand them back at once, so another replica (or our
  // restart) takes them without waiting for the lease to run out.
  known.clear();
  for (const rest of claimed.splice(0)) {
    await releaseReminder(ctx.db, { id: rest.id, owner, notBefore: null }).catch((err: unknown) =>
      log.error({ err, reminderId: rest.id }, "could not hand a reminder back; its lease will run out"),
    );
  }
  if (failures.length > 0) throw failures[0];
  return sent;
}
