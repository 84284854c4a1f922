/**
 * Mutual exclusion across replicas for work on one key (an onboarding's Finch verification or disconnect, the
 * render of its checklist). On PostgreSQL: a session-level advisory lock,
 * `pg_advisory_lock(hashtextextended(key, 0))`, taken on one pooled connection held for the whole of `work`
 * and released in `finally` (https://www.postgresql.org/docs/15/explicit-locking.html#ADVISORY-LOCKS). On
 * PGlite (one process, one connection) an in-process keyed queue: an interactive transaction there would
 * make `work`'s own queries wait on it forever.
 *
 * Within one app instance (its context), waiters on the same key queue in memory first — per instance, not per
 * module, so two instances in one process (tests) contend like two replicas — and at most one connection per key
 * waits on PostgreSQL. Lock sessions hold pooled connections, so a process holds at most
 * {@link MAX_HELD_PER_KIND} outermost sessions of each kind (the key's prefix: `finch`, `checklist`): slow
 * Finch verifications fill their own kind's slots and never make an unrelated onboarding's checklist render
 * wait. A lock taken inside another's work (the render within a verification) needs no slot, or they would
 * wait on each other. With two kinds, at most 4 outermost and 2 nested sessions: the pool's 10 connections
 * leave room for `work`'s own queries.
 *
 * Every wait is bounded: the in-memory queue and the slot wait share one deadline (`waitMs`, 15 s by default,
 * like the statement timeout), and the wait on PostgreSQL is bounded by the statement timeout. A wait that
 * runs out throws {@link LockWaitTimeout}; the waiting work (an intake delivery, a scheduler run) fails and is
 * retried later instead of piling up behind a holder stuck on a slow Finch or Slack call.
 */
import { isInsideLock, runInsideLock } from "../async-scope.ts";
import type { Database } from "./client.ts";

type WithDb = { db: Database };

/** Outermost lock sessions one process holds at once per kind of key (the part before the first ':'). */
export const MAX_HELD_PER_KIND = 2;

/** How long a lock is waited for by default (the statement timeout's default). */
export const DEFAULT_LOCK_WAIT_MS = 15_000;

/** A lock was not free within its wait bound. */
export class LockWaitTimeout extends Error {
  constructor(
    readonly key: string,
    readonly waitedMs: number,
  ) {
    super(`waited ${waitedMs} ms for the lock "${key}" without getting it; try again later`);
    this.name = "LockWaitTimeout";
  }
}

/** Options of {@link withAdvisoryLock}. */
export interface LockOptions {
  /** Longest wait for the lock, in ms (default {@link DEFAULT_LOCK_WAIT_MS}). */
  waitMs?: number;
}

const queuesOf = new WeakMap<object, Map<string, Promise<void>>>();

const ignore = () => undefined;

/** Resolves when `turn` does, or rejects with {@link LockWaitTimeout} at `deadline`. */
function waitFor(turn: Promise<void>, key: string, deadline: Deadline): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new LockWaitTimeout(key, deadline.waitMs)), deadline.remaining());
    turn.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Runs `work` after any earlier work for the same key of the same `owner`, if that ends before the deadline. */
function inTurn<T>(owner: object, key: string, deadline: Deadline, work: () => Promise<T>): Promise<T> {
  let queues = queuesOf.get(owner);
  if (!queues) {
    queues = new Map();
    queuesOf.set(owner, queues);
  }
  const previous = queues.get(key);
  const run = previous ? waitFor(previous, key, deadline).then(work) : work();
  // The next waiter's turn comes when both the earlier work and this one are over (a waiter that gave up is
  // over at once, but the work it waited for may still run).
  const settled = Promise.all([previous, run.then(ignore, ignore)]).then(ignore);
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return run;
}

/** Bounded slots for one kind of key. */
class Slots {
  private held = 0;
  private readonly waiting: Array<{ grant: () => void }> = [];

  acquire(key: string, deadline: Deadline): Promise<void> {
    if (this.held < MAX_HELD_PER_KIND) {
      this.held++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(new LockWaitTimeout(key, deadline.waitMs));
      }, deadline.remaining());
      this.waiting.push(waiter);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next.grant();
    else this.held--;
  }
}

const slotsByKind = new Map<string, Slots>();

function slotsFor(key: string): Slots {
  const kind = key.includes(":") ? key.slice(0, key.indexOf(":")) : key;
  let slots = slotsByKind.get(kind);
  if (!slots) {
    slots = new Slots();
    slotsByKind.set(kind, slots);
  }
  return slots;
}

interface Deadline {
  waitMs: number;
  remaining(): number;
}

function deadlineIn(waitMs: number): Deadline {
  const end = performance.now() + waitMs;
  return { waitMs, remaining: () => Math.max(0, end - performance.now()) };
}

/** Runs `work` while holding the lock named `key`, across every instance sharing the database. */
export function withAdvisoryLock<T>(
  ctx: WithDb,
  key: string,
  work: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const sql = ctx.db.sql;
  const deadline = deadlineIn(options.waitMs ?? DEFAULT_LOCK_WAIT_MS);
  // PGlite: every instance on this database lives in this process, so the database object is the lock's owner.
  if (!sql.supportsAdvisoryLocks) return inTurn(ctx.db, key, deadline, work);
  return inTurn(ctx, key, deadline, async () => {
    // Set while a lock's work runs: nested locks skip the slot.
    const outermost = !isInsideLock();
    const slots = slotsFor(key);
    if (outermost) await slots.acquire(key, deadline);
    try {
      // If the unlock fails, the error leaves the session and withSession closes its connection, which
      // releases the lock (a session-level lock lives as long as its connection).
      return await sql.withSession(async (session) => {
        await session.query("select pg_advisory_lock(hashtextextended($1, 0))", [key]);
        try {
          return await runInsideLock(work);
        } finally {
          await session.query("select pg_advisory_unlock(hashtextextended($1, 0))", [key]);
        }
      });
    } finally {
      if (outermost) slots.release();
    }
  });
}
