/** The App Home's "Connections needing action": closed onboardings whose connection has a health problem
 * (found by src/finch/health-check.ts; read here so the cockpit never imports finch). */
import type { AppContext } from "../context.ts";

/** One connection needing action. */
export interface ConnectionNeedingAction {
  onboardingId: string;
  company: string;
  channelId: string | null;
  ownerUserId: string;
  problem: string;
  detail: string | null;
  since: Date | null;
}

/** At most this many are listed (newest problem first). */
export const HOME_CONNECTIONS = 10;

/** The rep's own (`ownerUserId`) or everyone's connections with a problem. */
export async function loadConnectionsNeedingAction(
  ctx: Pick<AppContext, "db">,
  filter: { ownerUserId?: string } = {},
): Promise<ConnectionNeedingAction[]> {
  const rows = await ctx.db.prisma.finchConnection.findMany({
    where: {
      healthProblem: { not: null },
      onboarding: { status: "done", ...(filter.ownerUserId ? { ownerUserId: filter.ownerUserId } : {}) },
    },
    orderBy: { healthSince: "desc" },
    take: HOME_CONNECTIONS,
    include: { onboarding: { include: { customer: true } } },
  });
  return rows.map((r) => ({
    onboardingId: r.onboardingId,
    company: r.onboarding.customer.name,
    channelId: r.onboarding.channelId,
    ownerUserId: r.onboarding.ownerUserId,
    problem: r.healthProblem ?? "",
    detail: r.healthDetail,
    since: r.healthSince,
  }));
}
