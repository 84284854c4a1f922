/**
 * The intake table (`intake_delivery`): one insert before the answer, then a lease while a process applies
 * the delivery, `done` when applied, `pending` with a backoff after a failure, `dead` after the last try.
 * Leases use the database's clock, so replicas agree on who holds what; a process that dies simply lets
 * its leases run out and another one (or its restart) takes the delivery over.
 */

import { decryptSecret, encryptSecret, type KeyRing } from "../crypto.ts";
import type { Database } from "../db/client.ts";
import { Prisma } from "../db/generated/client.ts";
import type { IncomingDelivery, StoredDelivery } from "./delivery.ts";

type WithDb = { db: Database; keys: KeyRing };

const DAY_MS = 86_400_000;

/**
 * Stores a delivery. `live`: the caller wants to apply it at once (it holds the lease from the insert on),
 * unless another delivery of the same order key is still pending or applying — then it queues behind it.
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
         where $2::text is not null and o.order_key = $2::text and o.status in ('pending', 'applying')
      )) as queued
    )
    insert into intake_delivery (key, source, kind, order_key, user_id, team_id, channel_id, summary, payload,
                                 status, attempts, owner, lease_until, next_attempt_at, received_at, absolute,
                                 elements)
    select $3::text, $4::text, $5::text, $2::text, $6::text, $7::text, $8::text, $9::text, $10::text,
           case when q.queued then 'pending' else 'applying' end,
           case when q.queued then 0 else 1 end,
           case when q.queued then null else $11::text end,
           case when q.queued then null else now() + $12::int * interval '1 millisecond' end,
           now(), $13::timestamptz, $14::boolean, $15::text[]
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
      delivery.absolute === true,
      delivery.elements ?? [],
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
  absolute: boolean;
}

function toStored(ctx: WithDb, row: Row): StoredDelivery {
  return {
    ...describeRow(row),
    body: row.payload === null ? null : JSON.parse(decryptSecret(row.payload, ctx.keys)),
  };
}

/** A row without its payload (when the payload cannot be read, the App Home and the person still learn of it). */
function describeRow(row: Row): StoredDelivery {
  return {
    key: row.key,
    source: row.source as StoredDelivery["source"],
    kind: row.kind,
    orderKey: row.order_key,
    userId: row.user_id,
    teamId: row.team_id,
    channelId: row.channel_id,
    summary: row.summary,
    body: null,
    receivedAt: row.received_at,
    attempts: row.attempts,
    absolute: row.absolute,
  };
}

/** A leased row that cannot be read back (its key is gone or replaced, its payload is not JSON). */
export type BrokenHook = (delivery: StoredDelivery, reason: string) => void;

/**
 * Leases up to `limit` deliveries that are due: pending ones whose backoff has passed, and applying ones
 * whose holder let the lease run out (it died). A delivery waits while an older one of its order key is not
 * yet applied, so a tick and its untick are applied in the order they were made. A row that cannot be
 * decrypted or parsed is a dead letter at once (`broken` hears of it) and never holds the others back.
 */
export async function leaseDue(
  ctx: WithDb,
  options: { owner: string; leaseMs: number; limit: number; broken?: BrokenHook },
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
              d.attempts, d.received_at, d.absolute`;
  const due: StoredDelivery[] = [];
  for (const row of rows) {
    try {
      due.push(toStored(ctx, row));
    } catch (err) {
      const reason = `cannot be read back: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300);
      await ctx.db.prisma.$executeRaw`
        update intake_delivery set status = 'dead', owner = null, lease_until = null, last_error = ${reason}
         where key = ${row.key} and owner = ${options.owner} and status = 'applying'`;
      options.broken?.(describeRow(row), reason);
    }
  }
  return due.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.key.localeCompare(b.key));
}

/**
 * Keeps the leases of every delivery this process holds (leased and waiting for a lane, or applying: a slow
 * Slack call is not a dead process). Returns the keys still held; any other was lost to another process.
 */
export async function extendLeases(
  ctx: WithDb,
  owner: string,
  keys: string[],
  leaseMs: number,
): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await ctx.db.prisma.$queryRaw<Array<{ key: string }>>`
    update intake_delivery set lease_until = now() + ${leaseMs} * interval '1 millisecond'
     where key = any(${keys}) and owner = ${owner} and status = 'applying'
    returning key`;
  return new Set(rows.map((r) => r.key));
}

/**
 * Whether absolute delivery `c` was overtaken by a newer applied (or applying) change of its element: its order
 * key (a checkbox) or the elements it names (`/fleet call`). Shared by the worker's claim and the rep's Retry.
 * Two index ranges (order key; GIN on elements): one `exists (key or elements)` read every applied row (hJ).
 */
export const OVERTAKEN_BY_NEWER = Prisma.sql`(c.absolute and case when cardinality(c.elements) = 0
  then exists (select 1 from intake_delivery n where n.order_key = c.order_key and n.received_at > c.received_at
                 and n.status in ('done', 'applying'))
  else exists (select 1 from intake_delivery n where n.elements && c.elements and n.received_at > c.received_at
                 and n.status in ('done', 'applying')) end)`;

/** Text kept on a delivery that a newer change of its element overtook. */
export const OVERTAKEN = "overtaken by a newer change of the same element; not applied";

/**
 * Right before a worker applies a leased delivery: renews the lease if this process still holds it (`go`),
 * or says it was lost (`lost`: start no side effects). A delivery carrying an absolute state that a newer
 * applied change of its order key overtook is recorded `obsolete` instead (its payload dropped).
 */
export async function claimLease(
  ctx: WithDb,
  key: string,
  owner: string,
  leaseMs: number,
): Promise<"go" | "obsolete" | "lost"> {
  const rows = await ctx.db.prisma.$queryRaw<Array<{ status: string }>>`
    with d as (
      select c.key, ${OVERTAKEN_BY_NEWER} as stale
        from intake_delivery c
       where c.key = ${key} and c.owner = ${owner} and c.status = 'applying')
    update intake_delivery u
       set lease_until = case when d.stale then null else now() + ${leaseMs} * interval '1 millisecond' end,
           status = case when d.stale then 'obsolete' else 'applying' end,
           owner = case when d.stale then null else u.owner end,
           payload = case when d.stale then null else u.payload end,
           last_error = case when d.stale then ${OVERTAKEN} else u.last_error end
      from d
     where u.key = d.key
    returning u.status`;
  const status = rows[0]?.status;
  return status === "applying" ? "go" : status === "obsolete" ? "obsolete" : "lost";
}

/**
 * Applied: the payload is dropped at once (it may hold response URLs), the row stays for de-duplication.
 * `stale`: its use case found what it sets changed by a newer delivery, so it is recorded `obsolete`.
 * Only the lease holder's mark counts; false when this process no longer held the delivery.
 */
export async function markApplied(ctx: WithDb, key: string, owner: string, stale = false): Promise<boolean> {
  // Straight to the driver (db.sql): see insertDelivery.
  const rows = (await ctx.db.sql.query(
    `update intake_delivery
        set status = case when $3::boolean then 'obsolete' else 'done' end, payload = null, applied_at = now(),
            lease_until = null, owner = null, last_error = case when $3::boolean then $4::text end
      where key = $1 and owner = $2 and status = 'applying'
     returning key`,
    [key, owner, stale, OVERTAKEN],
  )) as unknown[];
  return rows.length === 1;
}

/** Backoff after the n-th failed attempt: 1 s, 2 s, 4 s … capped at 5 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(300_000, 1_000 * 2 ** Math.max(0, attempts - 1));
}

/**
 * A failed attempt: pending again after a backoff, or dead after the last attempt; `lost` (nothing changed)
 * when this process no longer held the delivery.
 */
export async function markFailed(
  ctx: WithDb,
  delivery: StoredDelivery,
  error: string,
  maxAttempts: number,
  owner: string,
): Promise<"pending" | "dead" | "lost"> {
  const dead = delivery.attempts >= maxAttempts;
  const delay = backoffMs(delivery.attempts);
  const count = await ctx.db.prisma.$executeRaw`
    update intake_delivery
       set status = ${dead ? "dead" : "pending"}, owner = null, lease_until = null, last_error = ${error},
           next_attempt_at = now() + ${delay} * interval '1 millisecond'
     where key = ${delivery.key} and owner = ${owner} and status = 'applying'`;
  if (count !== 1) return "lost";
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

/** What a rep's Retry of a dead letter did. */
export type RetryOutcome =
  /** Due again with a fresh set of attempts. */
  | "retried"
  /** It carried an absolute state a newer applied change of its element overtook: recorded obsolete instead. */
  | "overtaken"
  /** It is not (or no longer) a dead letter. */
  | "not-dead";

/**
 * A rep's retry: the dead letter is due again with a fresh set of attempts, unless a newer change of its
 * element was applied since (re-applying it would bring back an old state): then it is recorded obsolete.
 */
export async function retryDeadLetterOutcome(ctx: WithDb, key: string): Promise<RetryOutcome> {
  const rows = await ctx.db.prisma.$queryRaw<Array<{ status: string }>>`
    with d as (
      select c.key, ${OVERTAKEN_BY_NEWER} as stale
        from intake_delivery c
       where c.key = ${key} and c.status = 'dead')
    update intake_delivery u
       set status = case when d.stale then 'obsolete' else 'pending' end,
           attempts = case when d.stale then u.attempts else 0 end,
           payload = case when d.stale then null else u.payload end,
           next_attempt_at = now(),
           last_error = case when d.stale then ${OVERTAKEN} else null end
      from d
     where u.key = d.key
    returning u.status`;
  const status = rows[0]?.status;
  return status === "pending" ? "retried" : status === "obsolete" ? "overtaken" : "not-dead";
}

/** A rep's retry (see {@link retryDeadLetterOutcome}): true only when it is due again. */
export async function retryDeadLetter(ctx: WithDb, key: string): Promise<boolean> {
  return (await retryDeadLetterOutcome(ctx, key)) === "retried";
}

/** What `/healthz` reports about the intake: the oldest waiting delivery's age and the dead letters. */
export async function intakeHealth(ctx: {
  db: Database;
}): Promise<{ oldestPendingMs: number; deadLetters: number }> {
  const rows = await ctx.db.prisma.$queryRaw<Array<{ age_ms: number | null; dead: number }>>`
    select (select (extract(epoch from now() - min(received_at)) * 1000)::float8
              from intake_delivery where status in ('pending', 'applying')) as age_ms,
           (select count(*)::int from intake_delivery where status = 'dead') as dead`;
  const row = rows[0];
  return { oldestPendingMs: Math.max(0, Math.round(row?.age_ms ?? 0)), deadLetters: row?.dead ?? 0 };
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

/** Keeps applied (and obsolete) rows a week (Slack and Finch redeliver within hours) and dead letters a month. */
export async function pruneIntake(ctx: WithDb, now: Date): Promise<number> {
  const { count } = await ctx.db.prisma.intakeDelivery.deleteMany({
    where: {
      OR: [
        { status: { in: ["done", "obsolete"] }, receivedAt: { lt: new Date(now.getTime() - 7 * DAY_MS) } },
        { status: "dead", receivedAt: { lt: new Date(now.getTime() - 30 * DAY_MS) } },
      ],
    },
  });
  return count;
}
