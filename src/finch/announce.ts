/**
 * Telling people about a verification without noise: a re-check that finds what the last report already
 * says gets one line in the thread; a new report supersedes the older ones (they lose their buttons); the rep
 * is alerted once per distinct problem and told when it clears.
 */

import { verificationSummaryText } from "../blocks/finch.ts";
import { buildSupersededReport, problemClearedText, sameResultText } from "../blocks/recheck.ts";
import type { AppContext } from "../context.ts";
import { emailVerificationOutcome } from "../onboarding/email-updates.ts";
import { slackErrorCode } from "../slack-gateway/errors.ts";
import { type NoteTarget, postThreadNote, tellRep } from "./connections.ts";
import type { VerificationOutcome, VerificationReport } from "./report.ts";
import { withChecklist } from "./report-checklist.ts";

/** Kind of a report message (slack_message.kind) once a newer one replaced it. */
export const SUPERSEDED_KIND = "verification_superseded";

/** The one-line answer in the thread when nothing changed since the last report. */
export async function postSameResult(
  ctx: AppContext,
  onboarding: NoteTarget,
  report: VerificationReport,
): Promise<boolean> {
  if (!onboarding.channelId) return false;
  await postThreadNote(ctx, onboarding, sameResultText(await withChecklist(ctx, onboarding.id, report)));
  return true;
}

/** Every earlier report of the onboarding becomes a short "superseded" line without buttons. */
export async function supersedeOlderReports(
  ctx: AppContext,
  onboardingId: string,
  latestTs: string,
  timeZone: string,
): Promise<void> {
  const older = await ctx.db.prisma.slackMessage.findMany({
    where: { onboardingId, kind: { in: ["verification", "reconnect_link"] }, ts: { not: latestTs } },
  });
  for (const message of older) {
    try {
      await ctx.slack.chat.update({
        channel: message.channelId,
        ts: message.ts,
        ...buildSupersededReport(message.createdAt, timeZone),
      });
      await ctx.db.prisma.slackMessage.update({ where: { id: message.id }, data: { kind: SUPERSEDED_KIND } });
    } catch (err) {
      // Left as it was, and tried again after the next report: the newer report is below it either way.
      ctx.logger.warn(
        { onboardingId, code: slackErrorCode(err) },
        "could not mark an older report superseded",
      );
    }
  }
}

/**
 * The rep hears about a result that differs from the last one shown: a problem (once per distinct problem,
 * as a changed result is a new one), or that an earlier problem cleared.
 */
export async function alertRepOnChange(
  ctx: AppContext,
  onboarding: NoteTarget,
  report: VerificationReport,
  previous: VerificationOutcome | null,
): Promise<void> {
  if (report.outcome !== "verified") {
    await tellRep(ctx, onboarding, verificationSummaryText(report, onboarding.channelId));
  } else if (previous && previous !== "verified") {
    const withOpen = await withChecklist(ctx, onboarding.id, report);
    await tellRep(ctx, onboarding, problemClearedText(withOpen, previous, onboarding.channelId));
  }
}

/**
 * A changed result, by email to those who work by email (issue 23): what is granted and what to fix, in plain
 * words, once per verification. A failure is logged: the page and the thread show the result anyway.
 */
export async function emailOutcomeOnChange(
  ctx: AppContext,
  onboarding: { id: string; customer: { name: string } },
  report: VerificationReport,
  verificationId: string,
): Promise<void> {
  try {
    await emailVerificationOutcome(ctx, {
      onboardingId: onboarding.id,
      verificationId,
      companyName: onboarding.customer.name,
      providerName: report.providerName,
      outcome: report.outcome,
      permissions: report.permissions.map((p) => ({ label: p.label, fix: p.fix, result: p.result })),
    });
  } catch (err) {
    ctx.logger.error({ err, onboardingId: onboarding.id }, "could not email the verification outcome");
  }
}
