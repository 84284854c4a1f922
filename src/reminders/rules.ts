/**
 * Scheduling rules of reminders, digests and nudges: which local moment, which dedupe key, which window.
 * Pure functions over instants and IANA zones (luxon does the zone and daylight-saving math), so every
 * rule is unit-tested without a database or Slack.
 */
import { DateTime } from "luxon";
import { localTimeOnDayBefore } from "../time.ts";

/** The kinds of scheduled messages this module sends (the `reminder.kind` column). */
export const ReminderKind = {
  dayBefore: "day_before",
  repDigest: "rep_digest",
  nudge: "nudge",
  /** The email copies of a day-before reminder already posted in Slack, tried again (issue 22 point 10). */
  dayBeforeEmail: "day_before_email",
  /** The email copies of a nudge already posted in Slack, tried again. */
  nudgeEmail: "nudge_email",
} as const;
/** One reminder kind. */
export type ReminderKindValue = (typeof ReminderKind)[keyof typeof ReminderKind];

/** Nudges only go out Monday–Friday in this local-hour range [start, end) of the customer's zone. */
export const NUDGE_HOURS = { start: 9, end: 18 } as const;

/** A morning digest planned later than this after its local time is skipped (no "morning" DM at 3 pm). */
export const DIGEST_GRACE_HOURS = 3;

/** One reminder per call instant: moving the call makes a new key, moving it back revives the old one. */
export function dayBeforeDedupeKey(onboardingId: string, callAt: Date): string {
  return `${ReminderKind.dayBefore}:${onboardingId}:${callAt.toISOString()}`;
}

/** One digest per rep and local day. */
export function repDigestDedupeKey(userId: string, localDate: string): string {
  return `${ReminderKind.repDigest}:${userId}:${localDate}`;
}

/** At most one nudge per onboarding and local day. */
export function nudgeDedupeKey(onboardingId: string, localDate: string): string {
  return `${ReminderKind.nudge}:${onboardingId}:${localDate}`;
}

/** The kinds whose message also goes by email, and the kind that retries those emails. */
export const EMAIL_RETRY_KIND = {
  [ReminderKind.dayBefore]: ReminderKind.dayBeforeEmail,
  [ReminderKind.nudge]: ReminderKind.nudgeEmail,
} as const;

/** One email retry per reminder; its key names the reminder whose copies it sends. */
export function emailRetryDedupeKey(reminderId: string): string {
  return `email_retry:${reminderId}`;
}

/** The reminder an email retry sends the copies of (from {@link emailRetryDedupeKey}). */
export function reminderIdOfEmailRetry(dedupeKey: string): string {
  return dedupeKey.slice("email_retry:".length);
}

/** When the day-before reminder of a call is due: `hhmm` on the previous local calendar day in `zone`. */
export function dayBeforeDueAt(callAt: Date, zone: string, hhmm: string): Date {
  return localTimeOnDayBefore(callAt, zone, hhmm);
}

/** The local calendar day (YYYY-MM-DD) of an instant in a zone. */
export function localDateOf(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toISODate() ?? "";
}

/** The day after a local calendar day (YYYY-MM-DD). */
export function nextLocalDate(localDate: string): string {
  return DateTime.fromISO(localDate, { zone: "UTC" }).plus({ days: 1 }).toISODate() ?? "";
}

/** The instants where a local calendar day starts and ends in a zone (23, 24 or 25 hours apart). */
export function localDayBounds(localDate: string, zone: string): { start: Date; end: Date } {
  const start = DateTime.fromISO(localDate, { zone }).startOf("day");
  return { start: start.toJSDate(), end: start.plus({ days: 1 }).toJSDate() };
}

/** The instant of local time `hhmm` on a local day (a time inside a DST gap moves forward, as clocks do). */
export function localTimeOn(localDate: string, zone: string, hhmm: string): Date {
  const [hour, minute] = hhmm.split(":").map(Number) as [number, number];
  return DateTime.fromISO(localDate, { zone }).set({ hour, minute, second: 0, millisecond: 0 }).toJSDate();
}

/** The wall-clock text (`YYYY-MM-DDTHH:mm`) of an instant in a zone: re-reads a typed time in another zone. */
export function wallTimeOf(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");
}

/** Is `now` inside the nudge window: Monday–Friday, 09:00–18:00 local time in `zone`? */
export function isNudgeWindow(now: Date, zone: string): boolean {
  const local = DateTime.fromJSDate(now, { zone });
  return local.weekday <= 5 && local.hour >= NUDGE_HOURS.start && local.hour < NUDGE_HOURS.end;
}

/**
 * The rep's digest for today, if it is time for it: from `hhmm` local time until {@link DIGEST_GRACE_HOURS}
 * later (a scheduler that was down for a while still sends the morning's digest, but not in the evening).
 */
export function digestDue(
  now: Date,
  zone: string,
  hhmm: string,
): { localDate: string; tomorrow: string; dueAt: Date } | null {
  const localDate = localDateOf(now, zone);
  const dueAt = localTimeOn(localDate, zone, hhmm);
  const age = now.getTime() - dueAt.getTime();
  if (age < 0 || age >= DIGEST_GRACE_HOURS * 3_600_000) return null;
  return { localDate, tomorrow: nextLocalDate(localDate), dueAt };
}

/** Has `lastTouch` been at least `days` whole days before `now` (the "untouched" rule of nudges)? */
export function untouchedFor(lastTouch: Date, now: Date, days: number): boolean {
  return now.getTime() - lastTouch.getTime() >= days * 86_400_000;
}

/** Backoff before retrying a failed send: 30 s, 1 min, 2 min … capped at 15 min. */
export function retryBackoffMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 15 * 60_000);
}

/** Is a nudge right for an onboarding now? Shared by the planner and the sender's last check. */
export function nudgeAllowed(input: {
  now: Date;
  timeZone: string;
  nudgeAfterDays: number;
  lastTouch: Date;
  lastNudgeAt: Date | null;
  callAt: Date | null;
  openCustomerSteps: readonly string[];
  customerInChannel: boolean;
}): { ok: true } | { ok: false; reason: string } {
  const { now, timeZone } = input;
  if (input.openCustomerSteps.length === 0) return { ok: false, reason: "the customer's steps are done" };
  if (!input.customerInChannel)
    return { ok: false, reason: "nobody from the customer is in the channel yet" };
  if (!isNudgeWindow(now, timeZone)) return { ok: false, reason: "outside Mon–Fri 09:00–18:00 local time" };
  const today = localDateOf(now, timeZone);
  if (input.lastNudgeAt && localDateOf(input.lastNudgeAt, timeZone) === today) {
    return { ok: false, reason: "already nudged today" };
  }
  if (!untouchedFor(input.lastTouch, now, input.nudgeAfterDays)) {
    return { ok: false, reason: "the customer worked on the checklist recently" };
  }
  // On the call day and the day before, the day-before reminder speaks; a nudge on top would be nagging.
  if (input.callAt && input.callAt > now) {
    const callDay = localDateOf(input.callAt, timeZone);
    if (callDay === today || callDay === nextLocalDate(today)) {
      return { ok: false, reason: "the call is today or tomorrow" };
    }
  }
  return { ok: true };
}

/** The customer's day-before reminder keeps being retried until this long before the call. */
export const DAY_BEFORE_LAST_TRY_BEFORE_CALL_MS = 2 * 3_600_000;

/**
 * After a failed post: when to try again, or give up. The customer's day-before reminder (in Slack and by
 * email alike) is worth trying until two hours before the call (its retries are brought forward to that moment, never past it); the
 * rest give up after `maxAttempts`.
 */
export function retryPlan(input: {
  kind: string;
  callAt: Date | null;
  attempts: number;
  maxAttempts: number;
  now: Date;
}): { giveUp: true } | { giveUp: false; notBefore: Date } {
  const now = input.now.getTime();
  const next = now + retryBackoffMs(input.attempts);
  const callBound = input.kind === ReminderKind.dayBefore || input.kind === ReminderKind.dayBeforeEmail;
  if (callBound && input.callAt) {
    const lastTry = input.callAt.getTime() - DAY_BEFORE_LAST_TRY_BEFORE_CALL_MS;
    if (now >= lastTry) return { giveUp: true };
    return { giveUp: false, notBefore: new Date(Math.min(next, lastTry)) };
  }
  if (input.attempts >= input.maxAttempts) return { giveUp: true };
  return { giveUp: false, notBefore: new Date(next) };
}
