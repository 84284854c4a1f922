/**
 * Polling for Finch plans without webhooks: connections not yet verified are introspected when due,
 * backing off from a minute to an hour while nothing changes; verified ones are introspected again once a day
 * (RECHECK_VERIFIED_SECONDS), so a lost `reauth` or disconnect webhook is still noticed. A change (or an earlier "still syncing" /
 * "will re-check") leads to a full verification, which posts only when its result differs.
 * Several app instances may poll: each due row is claimed by moving its `nextPollAt` first.
 */
import type { AppContext } from "../context.ts";
import type { FinchConnection } from "../db/generated/client.ts";
import { classifyFinchError, type Introspection } from "./client.ts";
import { clientFor, POLL_MAX_SECONDS, RECHECK_VERIFIED_SECONDS } from "./connections.ts";
import { verifyConnection } from "./verify.ts";

/** A running poller. */
export interface FinchPolling {
  stop(): Promise<void>;
  /** One pass over the due connections (tests call it with a controlled clock). */
  runOnce(): Promise<void>;
}

/** Outcomes of a last verification that deserve a full re-run even when the status is unchanged. */
const RERUN = new Set(["syncing", "retry", "error"]);
/** Connections handled per pass (the rest are due next time). */
const BATCH = 20;

/** Starts polling every `intervalMs` (the timer does not keep the process alive). */
export function startFinchPolling(ctx: AppContext, options: { intervalMs: number }): FinchPolling {
  let running: Promise<void> | null = null;
  let stopped = false;
  const runOnce = async () => {
    const now = ctx.clock.now();
    const due = await ctx.db.prisma.finchConnection.findMany({
      where: {
        nextPollAt: { lte: now },
        status: { not: "disconnected" },
        onboarding: { status: "active" },
      },
      orderBy: { nextPollAt: "asc" },
      take: BATCH,
    });
    for (const row of due) {
      if (stopped) return;
      const interval = row.verifiedAt
        ? RECHECK_VERIFIED_SECONDS
        : Math.min(row.pollIntervalSec * 2, POLL_MAX_SECONDS);
      // Claim: only the instance that moves nextPollAt from the value it read polls this row.
      const claimed = await ctx.db.prisma.finchConnection.updateMany({
        where: { id: row.id, nextPollAt: row.nextPollAt },
        data: { nextPollAt: new Date(now.getTime() + interval * 1000) },
      });
      if (claimed.count !== 1) continue;
      try {
        await pollOne(ctx, row, interval);
      } catch (err) {
        ctx.logger.error({ err, onboardingId: row.onboardingId }, "finch poll failed");
      }
    }
  };
  const tick = () => {
    if (running || stopped) return;
    running = runOnce()
      .catch((err: unknown) => ctx.logger.error({ err }, "finch polling pass failed"))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  return {
    runOnce,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

/** Keeps the backed-off interval the claim already used for nextPollAt. */
async function backOff(ctx: AppContext, row: FinchConnection, interval: number): Promise<void> {
  if (row.verifiedAt) return; // the slow re-check keeps its own pace
  await ctx.db.prisma.finchConnection.updateMany({
    where: { id: row.id, codeHash: row.codeHash },
    data: { pollIntervalSec: interval },
  });
}

async function pollOne(ctx: AppContext, row: FinchConnection, interval: number): Promise<void> {
  const log = { onboardingId: row.onboardingId, connectionId: row.connectionId };
  let introspection: Introspection;
  try {
    introspection = await (await clientFor(ctx, row)).account.introspect();
  } catch (err) {
    const failure = classifyFinchError(err);
    ctx.logger.info({ ...log, ...failure }, "finch poll: introspect failed");
    // Transient trouble: back off (the claim already moved nextPollAt). Anything else is news.
    if (failure.kind === "transient") await backOff(ctx, row, interval);
    else await verifyConnection(ctx, row.onboardingId, { trigger: "poll", announce: "if_changed" });
    return;
  }
  const status = introspection.connection_status?.status ?? "unknown";
  const last = await ctx.db.prisma.verification.findFirst({
    where: { onboardingId: row.onboardingId },
    orderBy: { createdAt: "desc" },
    select: { status: true },
  });
  if (status !== row.status || !last || RERUN.has(last.status)) {
    ctx.logger.info({ ...log, status, was: row.status }, "finch poll: verifying");
    await verifyConnection(ctx, row.onboardingId, { trigger: "poll", announce: "if_changed", introspection });
  } else {
    ctx.logger.debug({ ...log, status }, "finch poll: unchanged");
    await backOff(ctx, row, interval);
  }
}
