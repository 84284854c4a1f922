/**
 * Exactly-once effects, enforced by the database: a key is claimed with an insert into `processed_delivery`
 * that only one caller can win (Slack deliveries, Finch codes and webhook events, alerts), or held as a
 * lease that expires by itself (the onboarding saga). Whoever fails after claiming releases the key, so a
 * retry can redo the work.
 */
import type { Database } from "./client.ts";

type WithDb = { db: Database };

const DAY_MS = 86_400_000;

/** Claims `key`; true for the first caller only. */
export async function claimDelivery(ctx: WithDb, key: string): Promise<boolean> {
  const inserted = await ctx.db.prisma.$executeRaw`
    insert into processed_delivery (key) values (${key}) on conflict (key) do nothing`;
  return inserted === 1;
}

/** Releases a claim (nothing happens if it is not held). */
export async function releaseClaim(ctx: WithDb, key: string): Promise<void> {
  await ctx.db.prisma.processedDelivery.deleteMany({ where: { key } });
}

/** Runs the work of a claimed key; if it fails, the claim is released so a retry can redo it. */
export async function runClaimed<T>(ctx: WithDb, key: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    await releaseQuietly(ctx, key);
    throw err;
  }
}

/** Takes a lease on `key`: free, or held for longer than two minutes (its holder is presumed dead). */
export async function claimLease(ctx: WithDb, key: string): Promise<boolean> {
  const rows = await ctx.db.prisma.$queryRaw<unknown[]>`
    insert into processed_delivery (key, received_at) values (${key}, now())
    on conflict (key) do update set received_at = now()
      where processed_delivery.received_at < now() - interval '2 minutes'
    returning key`;
  return rows.length === 1;
}

/** Releases a claim or lease, ignoring errors (a lease expires by itself; an unreleased claim only skips a retry). */
export async function releaseQuietly(ctx: WithDb, key: string): Promise<void> {
  await ctx.db.prisma.processedDelivery.delete({ where: { key } }).catch(() => {});
}

/**
 * How long each kind of claim key is kept. Slack and Finch retry within minutes and Finch codes die in ten,
 * so a week is ample for those; an alert claim says "already told the rep" for one quiet spell, invite or
 * call, so it is kept for a quarter. Every key written anywhere has a prefix here (test/db/claims.test.ts
 * checks the list against the code), and an unknown prefix is pruned after the longest retention.
 */
export const CLAIM_RETENTION_DAYS: Readonly<Record<string, number>> = {
  "evt:": 7,
  "cmd:": 7,
  "act:": 7,
  "view:": 7,
  "finch-code:": 7,
  "finch-event:": 7,
  "setup:": 7,
  "alert:": 90,
};
const LONGEST_RETENTION_DAYS = Math.max(...Object.values(CLAIM_RETENTION_DAYS));

/** Deletes claims and leases older than their prefix's retention (every prefix, and unknown ones too). */
export async function pruneDeliveries(ctx: WithDb, now: Date): Promise<number> {
  const prefixes = Object.keys(CLAIM_RETENTION_DAYS);
  const olderThan = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const { count } = await ctx.db.prisma.processedDelivery.deleteMany({
    where: {
      OR: [
        ...prefixes.map((prefix) => ({
          key: { startsWith: prefix },
          receivedAt: { lt: olderThan(CLAIM_RETENTION_DAYS[prefix] ?? LONGEST_RETENTION_DAYS) },
        })),
        {
          AND: prefixes.map((prefix) => ({ NOT: { key: { startsWith: prefix } } })),
          receivedAt: { lt: olderThan(LONGEST_RETENTION_DAYS) },
        },
      ],
    },
  });
  return count;
}
