/**
 * The daily health check of closed onboardings' connections (health-check.ts): every hour, the connections
 * whose check is due are claimed (by moving `nextHealthCheckAt` a day ahead, so one replica checks each) and
 * checked one by one.
 */
import type { AppContext } from "../context.ts";
import type { Database } from "../db/client.ts";
import { checkConnectionHealth } from "./health-check.ts";

const DAY_MS = 86_400_000;
const BATCH = 50;

/** The daily check's selection: up to a batch of due connections, the longest due first. */
export function dueHealthChecks(db: Database, now: Date) {
  return db.prisma.finchConnection.findMany({
    where: {
      onboarding: { status: "done" },
      verifiedAt: { not: null },
      status: { not: "disconnected" },
      OR: [{ nextHealthCheckAt: null }, { nextHealthCheckAt: { lte: now } }],
    },
    orderBy: { nextHealthCheckAt: { sort: "asc", nulls: "first" } },
    take: BATCH,
    select: { id: true, onboardingId: true, nextHealthCheckAt: true },
  });
}

/** One pass over the due connections; resolves with how many were checked. */
export async function runHealthChecks(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const due = await dueHealthChecks(ctx.db, now);
  let checked = 0;
  for (const row of due) {
    const claimed = await ctx.db.prisma.finchConnection.updateMany({
      where: { id: row.id, nextHealthCheckAt: row.nextHealthCheckAt },
      data: { nextHealthCheckAt: new Date(now.getTime() + DAY_MS) },
    });
    if (claimed.count !== 1) continue;
    try {
      await checkConnectionHealth(ctx, row.onboardingId);
      checked++;
    } catch (err) {
      ctx.logger.error({ err, onboardingId: row.onboardingId }, "connection health check failed");
    }
  }
  return checked;
}

/** Runs {@link runHealthChecks} every `intervalMs` (hourly by default); the timer does not hold the process. */
export function startHealthWatch(ctx: AppContext, intervalMs = 3_600_000): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = runHealthChecks(ctx)
      .catch((err: unknown) => ctx.logger.error({ err }, "connection health pass failed"))
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
