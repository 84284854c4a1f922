/**
 * Mutual exclusion across replicas for work on one key (an onboarding's Finch verification or disconnect, the
 * render of its checklist). On PostgreSQL: a session-level advisory lock,
 * `pg_advisory_lock(hashtextextended(key, 0))`, taken on one pooled connection held for the whole of `work`
 * and released in `finally` (https://www.postgresql.org/docs/15/explicit-locking.html#ADVISORY-LOCKS). On
 * PGlite (one process, one connection) an in-process keyed queue: an interactive transaction there would
 * make `work`'s own queries wait on it forever.
 *
 * Within one app instance (its context), waiters on the same key queue in memory first — per instance, not per
 * module, so two instances in one process (tests) contend like two replicas — and at most one connection per key waits
 * on PostgreSQL; and at most {@link MAX_HELD} outermost lock sessions are held at once (a lock taken inside
 * another's work — the checklist render within a verification — does not wait for a slot, or they would wait
 * on each other), so `work`, which queries through the same pool, still finds a free connection.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Database } from "./client.ts";

type WithDb = { db: Database };

/** Outermost lock sessions one process holds at once (the pool has 10 connections by default). */
export const MAX_HELD = 3;

/** Set while a lock's work runs: nested locks skip the slot. */
const insideLock = new AsyncLocalStorage<true>();

const queuesOf = new WeakMap<object, Map<string, Promise<unknown>>>();

/** Runs `work` after any earlier work for the same key of the same `owner`. */
function inTurn<T>(owner: object, key: string, work: () => Promise<T>): Promise<T> {
  let queues = queuesOf.get(owner);
  if (!queues) {
    queues = new Map();
    queuesOf.set(owner, queues);
  }
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.then(work, work);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return run;
}

let held = 0;
const waiting: Array<() => void> = [];

async function acquireSlot(): Promise<void> {
  if (held < MAX_HELD) {
    held++;
    return;
  }
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function releaseSlot(): void {
  const next = waiting.shift();
  if (next) next();
  else held--;
}

/** Runs `work` while holding the lock named `key`, across every instance sharing the database. */
export function withAdvisoryLock<T>(ctx: WithDb, key: string, work: () => Promise<T>): Promise<T> {
  const sql = ctx.db.sql;
  // PGlite: every instance on this database lives in this process, so the database object is the lock's owner.
  if (!sql.supportsAdvisoryLocks) return inTurn(ctx.db, key, work);
  return inTurn(ctx, key, async () => {
    const outermost = !insideLock.getStore();
    if (outermost) await acquireSlot();
    try {
      // The wait for the lock is bounded by the pool's statement timeout (DATABASE_STATEMENT_TIMEOUT_MS, 15 s):
      // a holder stuck on a slow Finch or Slack call must not pile waiters up forever; the waiting work (an
      // intake delivery, a scheduler run) fails and is retried later. If the unlock fails, the error leaves
      // the session and withSession closes its connection, which releases the lock (a session-level lock
      // lives as long as its connection).
      return await sql.withSession(async (session) => {
        await session.query("select pg_advisory_lock(hashtextextended($1, 0))", [key]);
        try {
          return await insideLock.run(true, work);
        } finally {
          await session.query("select pg_advisory_unlock(hashtextextended($1, 0))", [key]);
        }
      });
    } finally {
      if (outermost) releaseSlot();
    }
  });
}
