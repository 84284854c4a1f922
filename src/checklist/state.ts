/** The checklist's stored state (one row per item) and the progress it makes. */
import type { AppContext } from "../context.ts";
import { type ChecklistProgress, computeProgress, type ItemState } from "./progress.ts";
import { providerCatalogue } from "./provider-catalogue.ts";

type StepStateRow = {
  onboardingId: string;
  itemKey: string;
  done: boolean;
  source: string;
  byUserId: string | null;
  changedAt: Date | null;
  note: string | null;
};

const toItemState = (r: StepStateRow): ItemState => ({
  done: r.done,
  source: r.source === "finch" || r.source === "page" ? r.source : "slack",
  byUserId: r.byUserId,
  at: r.changedAt,
  note: r.note,
});

/** Item key → state, from stored rows (e.g. an onboarding read with its `steps`). */
export function itemStatesOf(rows: readonly StepStateRow[]): Map<string, ItemState> {
  return new Map(rows.map((r) => [r.itemKey, toItemState(r)]));
}

/** The stored state of every item of an onboarding's checklist. */
export async function loadItemStates(ctx: AppContext, onboardingId: string): Promise<Map<string, ItemState>> {
  return itemStatesOf(await ctx.db.prisma.stepState.findMany({ where: { onboardingId } }));
}

/** {@link loadItemStates} of many onboardings in one query: onboarding id → its items' states. */
export async function loadItemStatesOfMany(
  ctx: Pick<AppContext, "db">,
  onboardingIds: readonly string[],
): Promise<Map<string, Map<string, ItemState>>> {
  const byOnboarding = new Map<string, Map<string, ItemState>>(onboardingIds.map((id) => [id, new Map()]));
  if (onboardingIds.length === 0) return byOnboarding;
  const rows = await ctx.db.prisma.stepState.findMany({
    where: { onboardingId: { in: [...onboardingIds] } },
  });
  for (const r of rows) byOnboarding.get(r.onboardingId)?.set(r.itemKey, toItemState(r));
  return byOnboarding;
}

/** Progress of an onboarding from the database. */
export async function progressOf(
  ctx: AppContext,
  onboarding: { id: string; providerId: string },
): Promise<ChecklistProgress> {
  return computeProgress(
    providerCatalogue(ctx).template(onboarding.providerId),
    await loadItemStates(ctx, onboarding.id),
  );
}
