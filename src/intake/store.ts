/**
 * The intake table (`intake_delivery`): one insert before the answer, then a lease while a process applies
 * the delivery, `done` when applied, `pending` with a backoff after a failure, `dead` after the last try.
 * Leases use the database's clock, so replicas agree on who holds what; a process that dies simply lets
 * its leases run out and another one (or its restart) takes the delivery over.
 */

import { decryptSecret, encryptSecret, type KeyRing } from "../crypto.ts";
import type { Database } from "../db/client.ts";
import type { IncomingDelivery, StoredDelivery } from "./delivery.ts";

type WithDb = { db: Database; keys: KeyRing };

const DAY_MS = 86_400_000;

/**
 * Stores a delivery. `live`: the caller wants to apply it at once (it holds the lease from the insert on),
 * unless an older delivery of the same order key is still pending — then it queues behind it.
 * Returns the row's status, or `duplicate` when the key was stored before.
 */
export async function insertDelivery(
  ctx: WithDb,
  delivery: IncomingDelivery,
  options: { owner: string; leaseMs: number; live: boolean },
): Promise<"applying" | "pending" | "duplicate"> {
  const payload = encryptSecret(JSON.stringify(delivery.body), ctx.keys).ciphertext;
  // Straight to the driver (db.sql), not through Prisma: this runs on every delivery, and a Prisma raw query
  // costs ~0.7 ms more CPU (its query planner) than the statement itself.
  const rows = (await ctx.db.sql.query(
    `with q as (
      select (not $1::boolean or exists (
        select 1 from intake_delivery o
         where $2::text is not null and o.order_key = $2::text and o.status = 'pending'
      )) as queued
    )
    insert into intake_delivery (key, source, kind, order_key, user_id, team_id, channel_id, summary, payload,
                                 status, attempts, owner, lease_until, next_attempt_at, received_at)
    select $3::text, $4::text, $5::text, $2::text, $6::text, $7::text, $8::text, $9::text, $10::text,
           case when q.queued then 'pending' else 'applying' end,
           case when q.queued then 0 else 1 end,
           case when q.queued then null else $11::text end,
           case when q.queued then null else now() + $12::int * interval '1 millisecond' end,
           now(), $13::timestamptz
      from q
    on conflict (key) do nothing
    returning status`,
    [
      options.live,
      delivery.orderKey,
      delivery.key,
      delivery.source,
      delivery.kind,
      delivery.userId,
      delivery.teamId,
      delivery.channelId,
      delivery.summary,
      payload,
      options.owner,
      options.leaseMs,
      delivery.receivedAt,
    ],
  )) as Array<{ status: string }>;
  const status = rows[0]?.status;
  return status === "applying" || status === "pending" ? status : "duplicate";
}

interface Row {
  key: string;
  source: string;
  kind: string;
  order_key: string | null;
  user_id: string | null;
  team_id: string | null;
  channel_id: string | null;
  summary: string;
  payload: string | null;
  attempts: number;
  received_at: Date;
}

function toStored(ctx: WithDb, row: Row): StoredDelivery {
  return {
    key: row.key,
    source: row.source as StoredDelivery["source"],
    kind: row.kind,
    orderKey: row.order_key,
    userId: row.user_id,
    teamId: row.team_id,
    channelId: row.channel_id,
    summary: row.summary,
    body: row.payload === null ? null : JSON.parse(decryptSecret(row.payload, ctx.keys)),
    receivedAt: row.received_at,
    attempts: row.attempts,
  };
}

/**
 * Leases up to `limit` deliveries that are due: pending ones whose backoff has passed, and applying ones
 * whose holder let the lease run out (it died). A delivery waits while an older one of its order key is not
 * yet applied, so a tick and its untick are applied in the order they were made.
 */
export async function leaseDue(
  ctx: WithDb,
  options: { owner: string; leaseMs: number; limit: number },
): Promise<StoredDelivery[]> {
  const rows = await ctx.db.prisma.$queryRaw<Row[]>`
    update intake_delivery d
       set status = 'applying', owner = ${options.owner}, attempts = d.attempts + 1,
           lease_until = now() + ${options.leaseMs} * interval '1 millisecond'
     where d.key in (
       select c.key from intake_delivery c
        where ((c.status = 'pending' and c.next_attempt_at <= now())
               or (c.status = 'applying' and c.lease_until < now()))
          and not exists (
            select 1 from intake_delivery o
             where c.order_key is not null and o.order_key = c.order_key and o.key <> c.key
               and o.status in ('pending', 'applying')
               and (o.received_at, o.key) < (c.received_at, c.key))
        order by c.received_at, c.key
        limit ${options.limit}
        for update skip locked)
    returning d.key, d.source, d.kind, d.order_key, d.user_id, d.team_id, d.channel_id, d.summary, d.payload,
              d.attempts, d.received_at`;
  return rows
    .map((row) => toStored(ctx, row))
    .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.key.localeCompare(b.key));
}

/** Keeps the leases of deliveries this process is still applying (a slow Slack call is not a dead process). */
export async function extendLeases(
  ctx: WithDb,
  owner: string,
  keys: string[],
  leaseMs: number,
): Promise<void> {
  if (keys.length === 0) return;
  await ctx.db.prisma.$executeRaw`
    update intake_delivery set lease_until = now() + ${leaseMs} * interval '1 millisecond'
     where key = any(${keys}) and owner = ${owner} and status = 'applying'`;
}

/** Applied: the payload is dropped at once (it may hold response URLs), the row stays for de-duplication. */
export async function markApplied(ctx: WithDb, key: string): Promise<void> {
  // Straight to the driver (db.sql): see insertDelivery.
  await ctx.db.sql.query(
    `update intake_delivery
        set status = 'done', payload = null, applied_at = now(), lease_until = null, owner = null, last_error = null
      where key = $1`,
    [key],
  );
}

/** Backoff after the n-th failed attempt: 1 s, 2 s, 4 s … capped at 5 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(300_000, 1_000 * 2 ** Math.max(0, attempts - 1));
}

/** A failed attempt: pending again after a backoff, or dead after the last attempt. */
export async function markFailed(
  ctx: WithDb,
  delivery: StoredDelivery,
  error: string,
  maxAttempts: number,
): Promise<"pending" | "dead"> {
  const dead = delivery.attempts >= maxAttempts;
  const delay = backoffMs(delivery.attempts);
  await ctx.db.prisma.$executeRaw`
    update intake_delivery
       set status = ${dead ? "dead" : "pending"}, owner = null, lease_until = null, last_error = ${error},
           next_attempt_at = now() + ${delay} * interval '1 millisecond'
     where key = ${delivery.key} and status = 'applying'`;
  return dead ? "dead" : "pending";
}

/** On a graceful stop: hand what this process still holds back to the others at once. */
export async function releaseOwned(ctx: WithDb, owner: string): Promise<number> {
  return ctx.db.prisma.$executeRaw`
    update intake_delivery set status = 'pending', owner = null, lease_until = null, next_attempt_at = now()
     where owner = ${owner} and status = 'applying'`;
}

/** A dead letter as the App Home lists it. */
export interface DeadLetter {
  key: string;
  source: string;
  kind: string;
  summary: string;
  userId: string | null;
  channelId: string | null;
  attempts: number;
  lastError: string | null;
  receivedAt: Date;
}

/** The newest dead letters, and how many there are in all. */
export async function listDeadLetters(
  ctx: WithDb,
  limit: number,
  /** Rows to skip (paging in the App Home). */
  offset = 0,
): Promise<{ total: number; items: DeadLetter[] }> {
  const where = { status: "dead" };
  const [total, rows] = await Promise.all([
    ctx.db.prisma.intakeDelivery.count({ where }),
    ctx.db.prisma.intakeDelivery.findMany({
      where,
      orderBy: [{ receivedAt: "desc" }, { key: "asc" }],
      skip: offset,
      take: limit,
    }),
  ]);
  return {
    total,
    items: rows.map((r) => ({
      key: r.key,
      source: r.source,
      kind: r.kind,
      summary: r.summary,
      userId: r.userId,
      channelId: r.channelId,
      attempts: r.attempts,
      lastError: r.lastError,
      receivedAt: r.receivedAt,
    })),
  };
}

/** A rep's retry: the dead letter is due again with a fresh set of attempts. False if it is not dead. */
export async function retryDeadLetter(ctx: WithDb, key: string): Promise<boolean> {
  const count = await ctx.db.prisma.$executeRaw`
    update intake_delivery set status = 'pending', attempts = 0, next_attempt_at = now(), last_error = null
     where key = ${key} and status = 'dead'`;
  return count === 1;
}

/** A rep's Retry all: every dead letter is due again with a fresh set of attempts. Resolves with how many. */
export async function retryAllDeadLetters(ctx: WithDb): Promise<number> {
  return ctx.db.prisma.$executeRaw`
    update intake_delivery set status = 'pending', attempts = 0, next_attempt_at = now(), last_error = null
     where status = 'dead'`;
}

/**
 * A rep's Discard: the dead letter is closed without being applied — its payload dropped, the row kept (as
 * `done`, with who discarded it as its last error) so a redelivery of the same key is still recognised.
 */
export async function discardDeadLetter(ctx: WithDb, key: string, note: string): Promise<boolean> {
  const count = await ctx.db.prisma.$executeRaw`
    update intake_delivery
       set status = 'done', payload = null, lease_until = null, owner = null, last_error = ${note.slice(0, 300)}
     where key = ${key} and status = 'dead'`;
  return count === 1;
}

/** How many deliveries wait to be applied (health and the bench's backlog figure). */
export async function countWaiting(ctx: WithDb): Promise<number> {
  return ctx.db.prisma.intakeDelivery.count({ where: { status: { in: ["pending", "applying"] } } });
}

/** Keeps applied rows a week (Slack and Finch redeliver within hours) and dead letters a month. */
export async function pruneIntake(ctx: WithDb, now: Date): Promise<number> {
  const { count } = await ctx.db.prisma.intakeDelivery.deleteMany({
    where: {
      OR: [
        { status: "done", receivedAt: { lt: new Date(now.getTime() - 7 * DAY_MS) } },
        { status: "dead", receivedAt: { lt: new Date(now.getTime() - 30 * DAY_MS) } },
      ],
    },
  });
  return count;
}
