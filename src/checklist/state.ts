/** The checklist's stored state (one row per item) and the progress it makes. */
import type { AppContext } from "../context.ts";
import { type ChecklistProgress, computeProgress, type ItemState } from "./progress.ts";
import { getTemplate } from "./template-registry.ts";

/** The stored state of every item of an onboarding's checklist. */
export async function loadItemStates(ctx: AppContext, onboardingId: string): Promise<Map<string, ItemState>> {
  const rows = await ctx.db.prisma.stepState.findMany({ where: { onboardingId } });
  return new Map(
    rows.map((r) => [
      r.itemKey,
      {
        done: r.done,
        source: r.source === "finch" ? "finch" : "slack",
        byUserId: r.byUserId,
        at: r.changedAt,
        note: r.note,
      },
    ]),
  );
}

/** Progress of an onboarding from the database. */
export async function progressOf(
  ctx: AppContext,
  onboarding: { id: string; providerId: string },
): Promise<ChecklistProgress> {
  return computeProgress(getTemplate(onboarding.providerId), await loadItemStates(ctx, onboarding.id));
}
