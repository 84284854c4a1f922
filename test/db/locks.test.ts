/**
 * Advisory locks on PostgreSQL (src/db/locks.ts): a waiter gives up after its bound instead of waiting
 * forever behind a stuck holder, and a session whose unlock failed is closed (which frees the lock) instead
 * of going back to the pool still holding it.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client.ts";
import { withAdvisoryLock } from "../../src/db/locks.ts";
import { openTestDatabase } from "../helpers/db.ts";

describe("advisory locks (PostgreSQL)", () => {
  let db: Database & { url?: string };
  let other: pg.Client;
  beforeAll(async () => {
    db = await openTestDatabase("postgres");
    other = new pg.Client({ connectionString: db.url });
    await other.connect();
  });
  afterAll(async () => {
    await other?.end();
    await db?.close();
  });

  it("gives up waiting for a lock another replica holds after the bound, and the pool stays usable", async () => {
    await other.query("select pg_advisory_lock(hashtextextended('test:stuck', 0))");
    try {
      const started = performance.now();
      let ran = false;
      await expect(
        withAdvisoryLock(
          { db },
          "test:stuck",
          async () => {
            ran = true;
          },
          { waitMs: 300 },
        ),
      ).rejects.toThrow(/lock timeout/);
      expect(ran).toBe(false);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      await other.query("select pg_advisory_unlock(hashtextextended('test:stuck', 0))");
    }
    // Once free, the same key is taken at once; lock_timeout did not stay on a pooled connection.
    expect(await withAdvisoryLock({ db }, "test:stuck", async () => "ran")).toBe("ran");
    const timeouts = await Promise.all(Array.from({ length: 10 }, () => db.sql.query("show lock_timeout")));
    expect(new Set(timeouts.map((r) => r[0]?.lock_timeout))).toEqual(new Set(["0"]));
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
      }),
    ).rejects.toThrow();
    expect(await holder()).toEqual([]);
    expect(await withAdvisoryLock({ db }, "test:cut", async () => "again")).toBe("again");
    expect(await db.sql.query("select 1 as one")).toEqual([{ one: 1 }]);
  });
});
