/**
 * Planning, the first half of a tick: brings the queue in line with the onboardings (day-before
 * reminders), then queues the reps' digests and the customers' nudges that are due.
 */
import { planNudges, planRepDigests, reconcileCallReminders } from "../schedule.ts";
import type { SchedulerRuntime } from "./runtime.ts";

/** Writes what is due into the reminder queue (idempotently: replicas may plan at once). */
export async function planDue(rt: SchedulerRuntime, now: Date): Promise<void> {
  await reconcileCallReminders(rt.ctx, now);
  if (!rt.limits.planDaily) return;
  await planRepDigests(rt.ctx, now, (userId) => rt.repZones.get(userId));
  await planNudges(rt.ctx, now);
}
