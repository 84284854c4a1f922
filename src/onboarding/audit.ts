/** The audit trail: who did what, when, from which workspace. Never holds secrets or employee data. */
import type { AppContext } from "../context.ts";
import type { Actor } from "./actor.ts";

/** Records one audit event (best effort: an audit failure is logged, never breaks the action). */
export async function audit(
  ctx: Pick<AppContext, "db" | "logger">,
  entry: {
    onboardingId?: string | null;
    action: string;
    actor?: Actor | null;
    detail?: Record<string, unknown>;
  },
): Promise<void> {
  try {
    await ctx.db.prisma.auditEvent.create({
      data: {
        onboardingId: entry.onboardingId ?? null,
        action: entry.action,
        actorUserId: entry.actor?.userId ?? null,
        actorTeamId: entry.actor?.teamId ?? null,
        external: entry.actor ? !entry.actor.internal : false,
        detail: (entry.detail ?? undefined) as never,
      },
    });
  } catch (err) {
    ctx.logger.error({ err, action: entry.action }, "could not write an audit event");
  }
}
