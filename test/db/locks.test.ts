/**
 * Advisory locks on PostgreSQL (src/db/locks.ts): a waiter gives up after the statement timeout instead of waiting
 * forever behind a stuck holder, and a session whose unlock failed is closed (which frees the lock) instead
 * of going back to the pool still holding it.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresDatabase } from "../../bench/support/postgres.ts";
import type { Database } from "../../src/db/client.ts";
import { openDatabase } from "../../src/db/client.ts";
import { withAdvisoryLock } from "../../src/db/locks.ts";
import { createLogger } from "../../src/logger.ts";

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
});
