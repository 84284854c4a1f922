/** Adds the checklist as it stands to a verification report, so the report names what is open and who ticked what. */
import { progressOf } from "../checklist/state.ts";
import type { AppContext } from "../context.ts";
import type { VerificationReport } from "./report.ts";

/** The report with `checklist` filled from the database (unchanged when the onboarding is gone). */
export async function withChecklist(
  ctx: AppContext,
  onboardingId: string,
  report: VerificationReport,
): Promise<VerificationReport> {
  const onboarding = await ctx.db.prisma.onboarding.findUnique({
    where: { id: onboardingId },
    select: { id: true, providerId: true },
  });
  if (!onboarding) return report;
  const progress = await progressOf(ctx, onboarding);
  return { ...report, checklist: { open: progress.openItems, done: progress.doneItems } };
}
