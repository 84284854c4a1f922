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
    // Through the driver (db.sql): every tick writes one, and Prisma's create costs ~2 ms of CPU more.
    await ctx.db.sql.query(
      `insert into audit_event (onboarding_id, action, actor_user_id, actor_team_id, external, detail)
       values ($1::uuid, $2::text, $3::text, $4::text, $5::boolean, $6::jsonb)`,
      [
        entry.onboardingId ?? null,
        entry.action,
        entry.actor?.userId ?? null,
        entry.actor?.teamId ?? null,
        entry.actor ? !entry.actor.internal : false,
        entry.detail === undefined ? null : JSON.stringify(entry.detail),
      ],
    );
  } catch (err) {
    ctx.logger.error({ err, action: entry.action }, "could not write an audit event");
  }
}
