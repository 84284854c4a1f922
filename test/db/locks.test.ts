/**
 * Advisory locks on PostgreSQL (src/db/locks.ts): a waiter gives up after the statement timeout instead of waiting
 * forever behind a stuck holder, and a session whose unlock failed is closed (which frees the lock) instead
 * of going back to the pool still holding it. Slow Finch verifications never make an unrelated render wait, and
 * every wait in the process (same key, free slot) is bounded.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client.ts";
import { openDatabase } from "../../src/db/client.ts";
import { LockWaitTimeout, MAX_HELD_PER_KIND, withAdvisoryLock } from "../../src/db/locks.ts";
import { createLogger } from "../../src/logger.ts";
import { createPostgresDatabase } from "../../src/sandbox/support/postgres.ts";

describe("advisory locks (PostgreSQL)", () => {
  let db: Database;
  let other: pg.Client;
  let drop = async () => {};
  beforeAll(async () => {
    const server = await createPostgresDatabase();
    drop = server.drop;
    // The statement timeout (DATABASE_STATEMENT_TIMEOUT_MS, 15 s by default) bounds a lock's wait; short here.
    db = await openDatabase({
      url: server.url,
      dataDir: "unused",
      logger: createLogger({ level: "silent" }),
      statementTimeoutMs: 400,
    });
    other = new pg.Client({ connectionString: server.url });
    await other.connect();
  });
  afterAll(async () => {
    await other?.end();
    await db?.close();
    await drop();
  });

  it("gives up waiting for a lock another replica holds after the bound, and the pool stays usable", async () => {
    await other.query("select pg_advisory_lock(hashtextextended('test:stuck', 0))");
    try {
      const started = performance.now();
      let ran = false;
      await expect(
        withAdvisoryLock({ db }, "test:stuck", async () => {
          ran = true;
        }),
      ).rejects.toThrow(/statement timeout/);
      expect(ran).toBe(false);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      await other.query("select pg_advisory_unlock(hashtextextended('test:stuck', 0))");
    }
    // Once free, the same key is taken at once, and the pool answers.
    expect(await withAdvisoryLock({ db }, "test:stuck", async () => "ran")).toBe("ran");
    expect(await db.sql.query("select 1 as one")).toEqual([{ one: 1 }]);
  });

  it("closes a session whose unlock failed, so the lock is not left held on a pooled connection", async () => {
    const holder = async () =>
      (
        await other.query<{ pid: number }>(
          "select pid from pg_locks where locktype = 'advisory' and granted and objid is not null",
        )
      ).rows.map((r) => r.pid);
    await expect(
      withAdvisoryLock({ db }, "test:cut", async () => {
        const [pid] = await holder();
        // The session's backend goes away while the work runs: its unlock must fail.
        await other.query("select pg_terminate_backend($1)", [pid]);
        // The pooled client hears of it while no query runs on it: pg emits 'error' on the client, which
        // must not go unhandled (it would crash the process).
        await new Promise((r) => setTimeout(r, 300));
      }),
    ).rejects.toThrow();
    expect(await holder()).toEqual([]);
    expect(await withAdvisoryLock({ db }, "test:cut", async () => "again")).toBe("again");
    expect(await db.sql.query("select 1 as one")).toEqual([{ one: 1 }]);
  });

  it("three 3-second Finch lock holders: an unrelated onboarding's render gets its lock in under a second", async () => {
    const release: Array<() => void> = [];
    let started = 0;
    const holders = ["a", "b", "c"].map((id) =>
      withAdvisoryLock({ db }, `finch:${id}`, async () => {
        started++;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 3_000);
          release.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }),
    );
    // The holders that got a slot are running (the third waits for one of the two Finch slots).
    await waitUntil(() => started >= MAX_HELD_PER_KIND);
    const asked = performance.now();
    const waited = await withAdvisoryLock(
      { db },
      "checklist:unrelated",
      async () => performance.now() - asked,
    );
    for (const r of release) r();
    await Promise.all(holders);
    for (const r of release) r();
    expect(waited).toBeLessThan(1_000);
  }, 20_000);

  it("a wait for a busy key or for a slot of its kind gives up at its bound, and later waiters still get their turn", async () => {
    // One app instance: its waiters on a key queue in memory (two instances would each wait on PostgreSQL).
    const app = { db };
    let releaseHolder = () => {};
    const holding = withAdvisoryLock(app, "finch:busy", () => new Promise<void>((r) => (releaseHolder = r)));
    await waitUntil(async () => (await advisoryHolders()) >= 1);
    const asked = performance.now();
    await expect(withAdvisoryLock(app, "finch:busy", async () => "late", { waitMs: 300 })).rejects.toThrow(
      LockWaitTimeout,
    );
    expect(performance.now() - asked).toBeLessThan(3_000);
    // Both Finch slots taken: a third Finch key waits for a slot, boundedly.
    let releaseOther = () => {};
    const other2 = withAdvisoryLock(app, "finch:other", () => new Promise<void>((r) => (releaseOther = r)));
    await waitUntil(async () => (await advisoryHolders()) >= 2);
    await expect(withAdvisoryLock(app, "finch:third", async () => "x", { waitMs: 300 })).rejects.toThrow(
      /without getting it/,
    );
    const next = withAdvisoryLock(app, "finch:busy", async () => "next");
    releaseHolder();
    releaseOther();
    await Promise.all([holding, other2]);
    expect(await next).toBe("next");
    expect(await withAdvisoryLock(app, "finch:third", async () => "free")).toBe("free");
  });

  const advisoryHolders = async () =>
    (await other.query("select count(*)::int as n from pg_locks where locktype = 'advisory' and granted"))
      .rows[0].n as number;
});

describe("in-process lock queue (PGlite)", () => {
  const db = { sql: { supportsAdvisoryLocks: false } } as unknown as Database;

  it("a waiter behind a slow holder of the same key gives up at its bound; the next one runs after the holder", async () => {
    const order: string[] = [];
    let release = () => {};
    const holder = withAdvisoryLock({ db }, "finch:x", async () => {
      order.push("holder");
      await new Promise<void>((r) => (release = r));
      order.push("holder done");
    });
    await expect(
      withAdvisoryLock({ db }, "finch:x", async () => order.push("late"), { waitMs: 100 }),
    ).rejects.toThrow(LockWaitTimeout);
    const next = withAdvisoryLock({ db }, "finch:x", async () => order.push("next"));
    release();
    await Promise.all([holder, next]);
    expect(order).toEqual(["holder", "holder done", "next"]);
  });
});

async function waitUntil(check: () => boolean | Promise<boolean>): Promise<void> {
  const until = performance.now() + 10_000;
  while (!(await check())) {
    if (performance.now() > until) throw new Error("condition not met in 10 s");
    await new Promise((r) => setTimeout(r, 20));
  }
}
