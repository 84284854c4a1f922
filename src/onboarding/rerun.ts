/**
 * A second `/fleet onboard` (command or form) of a customer that already has an active onboarding: what
 * exists is reported, new HR admins are invited, a different call is moved through the same use case as
 * `/fleet call` (so the channel hears the new and the old time), and what the re-run does not change
 * (provider, owner) is named with the command that does. Pure planning here; the saga applies it.
 */

import type { Actor } from "../audit/actor.ts";
import type { ExistingOnboarding, RerunChange, RerunKept, RerunReport } from "../blocks/report-input.ts";
import { providerCatalogue } from "../checklist/provider-catalogue.ts";
import type { AppContext } from "../context.ts";
import type { CallCalendarChange } from "./call-calendar.ts";
import { confirmField, fieldChange } from "./field-changes.ts";
import type { OnboardRequest } from "./onboard-request.ts";
import type { OnboardingHooks } from "./start-onboarding.ts";

export type { ExistingOnboarding, RerunChange, RerunKept, RerunReport };

/** New emails, the call to move (if any) and the fields a re-run keeps. */
export function planRerun(
  existing: ExistingOnboarding,
  request: OnboardRequest,
): {
  newEmails: string[];
  callMove: { callAt: Date; timeZone: string } | null;
  /** `tz=` typed without `call=`, naming another zone than the onboarding's. */
  zone: string | null;
  kept: RerunKept[];
} {
  const known = new Set(existing.hrEmails.map((e) => e.toLowerCase()));
  const newEmails = request.hrEmails.filter((e) => !known.has(e.toLowerCase()));
  const callMove =
    request.callAt &&
    (request.callAt.getTime() !== existing.callAt?.getTime() || request.timeZone !== existing.timeZone)
      ? { callAt: request.callAt, timeZone: request.timeZone }
      : null;
  const kept: RerunKept[] = [];
  if (!request.providerAssumed && request.provider !== existing.providerId)
    kept.push({ field: "provider", asked: request.provider, kept: existing.providerId });
  if (request.ownerUserId && request.ownerUserId !== existing.ownerUserId)
    kept.push({ field: "owner", asked: request.ownerUserId, kept: existing.ownerUserId });
  const zone =
    !request.callAt && request.timeZoneGiven && request.timeZone !== existing.timeZone
      ? request.timeZone
      : null;
  return { newEmails, callMove, zone, kept };
}

/** A re-run in progress: its plan, and the report filled in as it is applied. */
export interface Rerun {
  plan: ReturnType<typeof planRerun>;
  report: RerunReport;
}

/** Reads what exists (before the re-run adds anything) and plans the re-run. */
export async function rerunOf(
  ctx: AppContext,
  onboarding: Omit<ExistingOnboarding, "hrEmails"> & { id: string },
  request: OnboardRequest,
): Promise<Rerun> {
  const invites = await ctx.db.prisma.invite.findMany({
    where: { onboardingId: onboarding.id },
    select: { email: true },
    orderBy: { createdAt: "asc" },
  });
  const existing: ExistingOnboarding = {
    channelId: onboarding.channelId,
    providerId: onboarding.providerId,
    ownerUserId: onboarding.ownerUserId,
    callAt: onboarding.callAt,
    timeZone: onboarding.timeZone,
    createdAt: onboarding.createdAt,
    hrEmails: invites.map((i) => i.email),
  };
  const plan = planRerun(existing, request);
  const names = providerCatalogue(ctx);
  const providerNames = Object.fromEntries(
    [existing.providerId, request.provider].map((id) => [id, names.displayName(id)]),
  );
  return { plan, report: { existing, changes: [], kept: plan.kept, providerNames } };
}

/**
 * Applies the plan (new invites are created by the saga): moves the call through `hooks.moveCall`. Returns
 * the calendar change the saga still has to share (only when there was no channel to tell yet).
 */
export async function applyRerun(
  ctx: AppContext,
  request: OnboardRequest,
  actor: Actor,
  hooks: OnboardingHooks,
  onboardingId: string,
  rerun: Rerun,
): Promise<CallCalendarChange | null> {
  const { plan, report } = rerun;
  for (const email of plan.newEmails) report.changes.push({ kind: "invited", email });
  if (plan.zone) await relabelZone(ctx, hooks, { onboardingId, timeZone: plan.zone, actor }, report);
  // `call=` naming the call as it is: nothing moves, but an older command replayed after this one must not.
  if (!plan.callMove && request.callAt) await confirmField(ctx, onboardingId, fieldChange("call"));
  if (!plan.callMove) return null;
  const moved = await hooks.moveCall(ctx, { onboardingId, ...plan.callMove, actor });
  if (!moved.ok) {
    report.changes.push({ kind: "call-failed", message: moved.message });
    return null;
  }
  report.changes.push({
    kind: "call",
    from: report.existing.callAt,
    fromZone: report.existing.timeZone,
    to: plan.callMove.callAt,
    toZone: plan.callMove.timeZone,
    warnings: moved.warnings,
  });
  // With a channel, the move shared the calendar file itself; without one, the saga shares it once it exists.
  if (report.existing.channelId) return null;
  return request.callAt ? "booked" : null;
}

/**
 * `tz=` without `call=`: a booked call keeps its moment and is re-labelled in the new zone through the same
 * move as `/fleet call` (the channel hears it; refused with its reason, e.g. a call already past); with no
 * call booked, the zone is what reminders and a later `/fleet call` use.
 */
async function relabelZone(
  ctx: AppContext,
  hooks: OnboardingHooks,
  change: { onboardingId: string; timeZone: string; actor: Actor },
  report: RerunReport,
): Promise<void> {
  const { callAt, timeZone: from } = report.existing;
  if (callAt) {
    const moved = await hooks.moveCall(ctx, { ...change, callAt });
    if (!moved.ok) {
      report.changes.push({
        kind: "call-failed",
        message: `its time zone was not changed: ${moved.message}`,
      });
      return;
    }
  } else {
    await ctx.db.prisma.onboarding.update({
      where: { id: change.onboardingId },
      data: { timeZone: change.timeZone },
    });
  }
  report.changes.push({ kind: "zone", from, to: change.timeZone, callAt });
}
