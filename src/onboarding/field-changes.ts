/**
 * When an onboarding's absolute fields (its call, owner and provider) last changed (issue 22). `/fleet call`,
 * `owner` and `provider` (and an onboard re-run's call) carry a whole value, not a change: one applied late — a
 * replay after an outage, a rep's Retry of a dead letter — must not bring back an older value than the one a
 * newer command set meanwhile. The intake alone cannot tell (`/fleet call Acme …` typed in the sales channel
 * and `/fleet call …` typed in Acme's channel name the same call differently), so the use case decides on the
 * resolved onboarding: each field keeps the happened-at of the delivery that last set it, and a delivery that
 * happened before that is overtaken.
 */
import type { AppContext } from "../context.ts";
import type { Prisma } from "../db/generated/client.ts";
import { happenedAt } from "../slack-gateway/delivery-scope.ts";

/** A field a command sets as a whole. */
export type AbsoluteField = "call" | "owner" | "provider";

const COLUMN = {
  call: "callChangedAt",
  owner: "ownerChangedAt",
  provider: "providerChangedAt",
} as const satisfies Record<AbsoluteField, keyof Prisma.OnboardingWhereInput>;

/** The change being applied: which field, and when the delivery carrying it happened. */
export interface FieldChange {
  field: AbsoluteField;
  at: Date;
}

/** The change of `field` the current delivery (or, outside one, this moment) makes. */
export function fieldChange(field: AbsoluteField): FieldChange {
  return { field, at: happenedAt() };
}

/** Whether a newer change of the field than `change` was applied (`row`: the onboarding as read). */
export function isOvertaken(
  row: Partial<Record<(typeof COLUMN)[AbsoluteField], Date | null>>,
  change: FieldChange,
) {
  const last = row[COLUMN[change.field]];
  return last != null && last.getTime() > change.at.getTime();
}

/** Where-clause for a conditional update: the field did not change after `change` happened. */
export function notOvertaken(change: FieldChange): Prisma.OnboardingWhereInput {
  const column = COLUMN[change.field];
  return { OR: [{ [column]: null }, { [column]: { lte: change.at } }] };
}

/** Data for the update that applies `change`: the field's last change is now this one. */
export function changedNow(change: FieldChange): Prisma.OnboardingUpdateManyMutationInput {
  return { [COLUMN[change.field]]: change.at };
}

/** The fields set by the delivery creating an onboarding: owner and provider, and the call when it books one. */
export function createdNow(
  booksCall: boolean,
): Pick<Prisma.OnboardingUncheckedCreateInput, (typeof COLUMN)[AbsoluteField]> {
  const at = happenedAt();
  return { callChangedAt: booksCall ? at : null, ownerChangedAt: at, providerChangedAt: at };
}

/**
 * A command that names the field's current value changes nothing, yet it is the field's newest word: an older
 * command replayed after it must not win. Records `change` unless a newer one was recorded already.
 */
export async function confirmField(
  ctx: AppContext,
  onboardingId: string,
  change: FieldChange,
): Promise<void> {
  await ctx.db.prisma.onboarding.updateMany({
    where: { id: onboardingId, ...notOvertaken(change) },
    data: changedNow(change),
  });
}
