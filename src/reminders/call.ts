/**
 * Booking or moving the onboarding call (`/fleet call` and the Reschedule modal): the call is stored as an
 * instant plus its IANA zone, the day-before reminder follows it in the same transaction, and only then —
 * with no transaction open — Slack is told: the pinned checklist is re-rendered and a note is posted.
 */

import type { Actor } from "../audit/actor.ts";
import { audit } from "../audit/audit.ts";
import { buildCallChangeMessage, callChangeNote, callChangeText } from "../blocks/call-change.ts";
import { overtakenText } from "../blocks/onboarding-notes.ts";
import type { AppContext } from "../context.ts";
import { callCalendarLink, shareCallCalendar } from "../onboarding/call-calendar.ts";
import { refreshChecklist } from "../onboarding/checklist-service.ts";
import { emailCallChange } from "../onboarding/email-updates.ts";
import { changedNow, fieldChange, isOvertaken, notOvertaken } from "../onboarding/field-changes.ts";
import { markOvertaken } from "../slack-gateway/delivery-scope.ts";
import { slackErrorCode } from "../slack-gateway/errors.ts";
import { noteMetadata, postOnce } from "../slack-gateway/post-once.ts";
import { isValidTimeZone } from "../time.ts";
import { NOT_A_ZONE } from "../time-zones.ts";
import { syncCallReminder } from "./schedule.ts";

/** A request to book or move the call. */
export interface CallChange {
  onboardingId: string;
  callAt: Date;
  timeZone: string;
  actor: Actor;
  via: "command" | "modal" | "onboard";
}

/** The outcome: what is booked now, or why nothing changed. */
export type CallChangeResult =
  | {
      ok: true;
      changed: boolean;
      companyName: string;
      callAt: Date;
      timeZone: string;
      previousCallAt: Date | null;
      previousTimeZone: string;
      reminderAt: Date | null;
      /** Slack follow-ups that failed (the call itself is stored). */
      warnings: string[];
    }
  | { ok: false; field: "call" | "timeZone" | "onboarding"; message: string }
  /** A newer change of the call was applied after this one happened (a late replay or Retry): nothing changed. */
  | { ok: false; field: "overtaken"; message: string };

/** Checks a call change without touching anything: zone known, call ahead. */
export function validateCallChange(
  input: { callAt: Date; timeZone: string },
  now: Date,
): { ok: true } | { ok: false; field: "call" | "timeZone"; message: string } {
  if (!isValidTimeZone(input.timeZone)) {
    return {
      ok: false,
      field: "timeZone",
      message: `"${input.timeZone.slice(0, 40)}" ${NOT_A_ZONE}.`,
    };
  }
  if (Number.isNaN(input.callAt.getTime()))
    return { ok: false, field: "call", message: callChangeText.pickDateTime };
  if (input.callAt.getTime() <= now.getTime()) {
    return { ok: false, field: "call", message: callChangeText.inThePast };
  }
  return { ok: true };
}

/** Books or moves the call of an active onboarding and reschedules its reminder. */
export async function rescheduleCall(ctx: AppContext, change: CallChange): Promise<CallChangeResult> {
  const now = ctx.clock.now();
  const valid = validateCallChange(change, now);
  if (!valid.ok) return valid;
  const before = await ctx.db.prisma.onboarding.findUnique({
    where: { id: change.onboardingId },
    include: { customer: { select: { name: true } } },
  });
  if (!before) return { ok: false, field: "onboarding", message: callChangeText.noSuchOnboarding };
  const companyName = before.customer.name;
  if (before.status !== "active") {
    return {
      ok: false,
      field: "onboarding",
      message: callChangeText.notActive(companyName, before.status),
    };
  }
  const moment = fieldChange("call");
  if (isOvertaken(before, moment)) return overtaken(change, companyName);
  const changed = before.callAt?.getTime() !== change.callAt.getTime() || before.timeZone !== change.timeZone;
  const result = {
    ok: true as const,
    changed,
    companyName,
    callAt: change.callAt,
    timeZone: change.timeZone,
    previousCallAt: before.callAt,
    previousTimeZone: before.timeZone,
    reminderAt: null as Date | null,
    warnings: [] as string[],
  };
  const scheduled = await ctx.db.prisma.$transaction(async (tx) => {
    // Conditional on "active": a `/fleet done` racing with this wins, and no reminder is scheduled. Conditional
    // on no newer change of the call: a racing newer one wins. Unchanged, the call still counts as set now, so
    // an older command replayed after this one cannot move it.
    const updated = await tx.onboarding.updateMany({
      where: { id: change.onboardingId, status: "active", ...notOvertaken(moment) },
      data: {
        ...changedNow(moment),
        ...(changed
          ? {
              callAt: change.callAt,
              timeZone: change.timeZone,
              checklistVersion: { increment: 1 },
              // A move is a new version of the same calendar entry (RFC 5545 SEQUENCE); a first booking is 0.
              ...(before.callAt ? { callSequence: { increment: 1 } } : {}),
            }
          : {}),
      },
    });
    if (updated.count === 0) {
      const now = await tx.onboarding.findUnique({
        where: { id: change.onboardingId },
        select: { status: true },
      });
      return now?.status === "active" ? ("overtaken" as const) : ("closed" as const);
    }
    return syncCallReminder(ctx, tx, change.onboardingId);
  });
  if (scheduled === "overtaken") return overtaken(change, companyName);
  if (scheduled === "closed") {
    return { ok: false, field: "onboarding", message: callChangeText.justClosed(companyName) };
  }
  result.reminderAt = scheduled?.dueAt ?? null;
  if (!changed) return result;

  await tellCallChange(ctx, change, { before, result, now });
  return result;
}

/**
 * Nothing changed: a newer change of the call was applied after this one happened. A command or form that only
 * moves the call is then recorded overtaken by the intake; an onboard re-run still applies its other parts.
 */
function overtaken(change: CallChange, companyName: string): CallChangeResult {
  if (change.via !== "onboard") markOvertaken();
  return { ok: false, field: "overtaken", message: overtakenText(companyName, "call") };
}

/** After a change: the audit, the re-rendered checklist, a note in the channel and the calendar file. */
async function tellCallChange(
  ctx: AppContext,
  change: CallChange,
  {
    before,
    result,
    now,
  }: {
    before: { callAt: Date | null; timeZone: string; channelId: string | null };
    result: Extract<CallChangeResult, { ok: true }>;
    now: Date;
  },
): Promise<void> {
  await audit(ctx, {
    onboardingId: change.onboardingId,
    action: before.callAt ? "call.moved" : "call.booked",
    actor: change.actor,
    detail: {
      from: before.callAt?.toISOString() ?? null,
      to: change.callAt.toISOString(),
      fromTimeZone: before.timeZone,
      timeZone: change.timeZone,
      via: change.via,
    },
  });
  try {
    await refreshChecklist(ctx, change.onboardingId);
  } catch (err) {
    ctx.logger.warn({ err, onboardingId: change.onboardingId }, "could not re-render the checklist");
    result.warnings.push(callChangeText.checklistShowsOldTime(slackErrorCode(err)));
  }
  if (before.channelId) {
    try {
      const calendarUrl = await callCalendarLink(ctx, change.onboardingId);
      const facts = { ...result, byUserId: change.actor.internal ? change.actor.userId : undefined, now };
      await postOnce(ctx, {
        channel: before.channelId,
        metadata: noteMetadata(`call:${change.onboardingId}`),
        ...(calendarUrl
          ? buildCallChangeMessage({ ...facts, calendarUrl })
          : { text: callChangeNote(facts) }),
        unfurl_links: false,
      });
    } catch (err) {
      ctx.logger.warn({ err, onboardingId: change.onboardingId }, "could not post the call note");
      result.warnings.push(callChangeText.noteNotPosted(before.channelId, slackErrorCode(err)));
    }
    result.warnings.push(
      ...(await shareCallCalendar(ctx, change.onboardingId, before.callAt ? "moved" : "booked")),
    );
  }
  // Those who work by email: the old entry cancelled (iMIP CANCEL), the new time as a REQUEST.
  if (before.callAt) {
    const problems = await emailCallChange(ctx, {
      onboardingId: change.onboardingId,
      change: "moved",
      previousCallAt: before.callAt,
    });
    if (problems.length > 0)
      result.warnings.push(`The moved call could not be emailed to ${problems.join("; ")}.`);
  }
}
