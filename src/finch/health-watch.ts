/**
 * The daily health check of closed onboardings' connections (health-check.ts): every hour, the connections
 * whose check is due are claimed (by moving `nextHealthCheckAt` a day ahead, so one replica checks each) and
 * checked, a few at a time, batch after batch until none is due or the pass's time budget is spent. A fixed
 * batch per hour (50, 1,200 a day) fell behind long before Fleet's scale: 500,000 onboardings give some
 * 167,000 closed connections to check daily (docs/bench/2026-12-07-analysis.md).
 */
import type { AppContext } from "../context.ts";
import type { Database } from "../db/client.ts";
import { checkConnectionHealth } from "./health-check.ts";

const DAY_MS = 86_400_000;

/** How one pass walks the due connections. */
export interface HealthPassOptions {
  /** Connections selected per query (default 50). */
  batch?: number;
  /** Checks in flight at once (default 4): each is a few Finch reads with the connection's own token. */
  concurrency?: number;
  /** Stop taking new batches after this much real time (default 50 minutes: a pass ends before the next). */
  budgetMs?: number;
}

/** The daily check's selection: up to a batch of due connections, the longest due first. */
export function dueHealthChecks(db: Database, now: Date, batch = 50) {
  return db.prisma.finchConnection.findMany({
    where: {
      onboarding: { status: "done" },
      verifiedAt: { not: null },
      status: { not: "disconnected" },
      // Set when the onboarding closes (close.ts) or a first connection arrives after it: open onboardings'
      // connections (null) are never read, so the index on next_health_check_at serves the selection.
      nextHealthCheckAt: { lte: now },
    },
    orderBy: { nextHealthCheckAt: "asc" },
    take: batch,
    select: { id: true, onboardingId: true, nextHealthCheckAt: true },
  });
}

/** One pass over the due connections; resolves with how many were checked. */
export async function runHealthChecks(ctx: AppContext, options: HealthPassOptions = {}): Promise<number> {
  const { batch = 50, concurrency = 4, budgetMs = 50 * 60_000 } = options;
  const now = ctx.clock.now();
  const started = performance.now();
  let checked = 0;
  // Every selected row ends a day ahead (claimed here or by another replica), so each batch is new rows.
  while (performance.now() - started < budgetMs) {
    const due = await dueHealthChecks(ctx.db, now, batch);
    if (due.length === 0) break;
    let next = 0;
    const worker = async () => {
      for (let row = due[next++]; row; row = due[next++]) {
        if (await checkClaimed(ctx, row, now)) checked++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, worker));
  }
  return checked;
}

/** Claims one due connection (one replica wins) and checks it; true when this pass checked it. */
async function checkClaimed(
  ctx: AppContext,
  row: { id: string; onboardingId: string; nextHealthCheckAt: Date | null },
  now: Date,
): Promise<boolean> {
  const claimed = await ctx.db.prisma.finchConnection.updateMany({
    where: { id: row.id, nextHealthCheckAt: row.nextHealthCheckAt },
    data: { nextHealthCheckAt: new Date(now.getTime() + DAY_MS) },
  });
  if (claimed.count !== 1) return false;
  try {
    await checkConnectionHealth(ctx, row.onboardingId);
    return true;
  } catch (err) {
    ctx.logger.error({ err, onboardingId: row.onboardingId }, "connection health check failed");
    return false;
  }
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
