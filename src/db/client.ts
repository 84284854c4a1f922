/**
 * Database access: the only module that opens connections. PostgreSQL when DATABASE_URL is set (through
 * @prisma/adapter-pg), otherwise embedded PGlite (PostgreSQL in WebAssembly) with its files under DATA_DIR,
 * run in a worker thread (src/db/pglite-proxy.ts) unless asked to run in-thread (PGLITE_IN_THREAD=1).
 */

import type { MessagePort } from "node:worker_threads";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { Logger } from "../logger.ts";
import { PrismaClient } from "./generated/client.ts";
import { applyMigrations, type SqlRunner } from "./migrate.ts";

export type { PrismaClient };

/** An open database: the Prisma client plus what health checks, migrations and tests need. */
export interface Database {
  kind: "postgres" | "pglite";
  prisma: PrismaClient;
  /** Checks the database answers (used by /healthz). */
  ping(): Promise<void>;
  /** Runs raw SQL outside Prisma (migrations, test set-up). */
  sql: SqlRunner;
  /**
   * What another thread needs to open this same database ({@link openSharedDatabase}): PostgreSQL's address,
   * or a port of embedded PGlite's worker thread. Absent: it cannot be shared (PGlite on the main thread).
   */
  share?(): Promise<SharedDatabase>;
  close(): Promise<void>;
}

/** A database handed to another thread (transfer `port` with it). */
export type SharedDatabase =
  | { kind: "postgres"; url: string; poolSize: number; statementTimeoutMs: number }
  | { kind: "pglite"; port: MessagePort };

/** Opens, in this thread, a database another thread shared ({@link Database.share}); migrations are its job. */
export async function openSharedDatabase(shared: SharedDatabase, logger: Logger): Promise<Database> {
  if (shared.kind === "postgres") return openPostgres(shared.url, shared.poolSize, shared.statementTimeoutMs);
  return (await import("./pglite-database.ts")).attachPglite(shared.port, logger);
}

/** Options for {@link openDatabase}. `dataDir: ":memory:"` gives a throw-away PGlite (tests). */
export interface OpenDatabaseOptions {
  url?: string;
  dataDir: string;
  logger: Logger;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  poolSize?: number;
  /** PostgreSQL cancels any statement running longer than this (default 15 s; DATABASE_STATEMENT_TIMEOUT_MS). */
  statementTimeoutMs?: number;
  /**
   * Run PGlite on the main thread instead of a worker thread (default false; the app passes PGLITE_IN_THREAD=1 from src/config.ts). In-thread, every
   * query's CPU work blocks the event loop; kept as a fallback and for comparisons.
   */
  pgliteInThread?: boolean;
}

/** Opens the configured database and brings its schema up to date. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const db = options.url
    ? openPostgres(options.url, options.poolSize ?? 10, options.statementTimeoutMs ?? 15_000)
    : // PGlite's modules load only when it is used (~10 MiB and ~50 ms that PostgreSQL mode does without).
      await (await import("./pglite-database.ts")).openPglite(
        options.dataDir,
        options.pgliteInThread ?? false,
        options.logger,
      );
  if (options.migrate !== false) {
    try {
      const applied = await applyMigrations(db.sql, options.logger);
      if (applied.length > 0) options.logger.info({ applied }, "database migrations applied");
    } catch (err) {
      await db.close();
      throw err;
    }
  }
  return db;
}

function openPostgres(url: string, poolSize: number, statementTimeoutMs: number): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // A stuck query (lock wait, runaway plan) fails instead of holding a pooled connection forever.
    statement_timeout: statementTimeoutMs,
    // No JIT: our statements read a few thousand rows by index, yet cost estimates over large tables cross
    // jit_above_cost, and compiling took 0.3–4 s per report query at 500,000 onboardings (docs/bench/2026-12-07-analysis.md).
    options: "-c jit=off",
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // A dropped connection (e.g. the server restarting) must not crash the process: the pool reconnects.
  pool.on("error", () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const sql: SqlRunner = {
    query: async (text, params) => (await pool.query(text, params as unknown[])).rows,
    exec: async (text) => {
      await pool.query(text);
    },
    withSession: async (fn, options) => {
      const client = await pool.connect();
      let failed: unknown;
      // The connection may die while checked out (a server restart, a terminated backend): pg then emits
      // 'error' on the client, which would crash the process unheard; the session fails and is not pooled.
      const onError = (err: Error) => {
        failed ??= err;
      };
      client.on("error", onError);
      try {
        if (options?.unbounded) await client.query("set statement_timeout = 0");
        return await fn({
          query: async (text, params) => (await client.query(text, params as unknown[])).rows,
          exec: async (text) => {
            await client.query(text);
          },
        });
      } catch (err) {
        failed = err;
        throw err;
      } finally {
        if (options?.unbounded && failed === undefined) {
          await client.query("reset statement_timeout").catch(() => {});
        }
        // A session that failed may still hold what it took (an advisory lock it could not release, an open
        // transaction): closing the connection releases it; the pool opens a fresh one.
        client.removeListener("error", onError);
        client.release(failed === undefined ? undefined : true);
      }
    },
    supportsAdvisoryLocks: true,
  };
  return {
    kind: "postgres",
    prisma,
    sql,
    share: async () => ({ kind: "postgres", url, poolSize, statementTimeoutMs }),
    ping: async () => {
      await pool.query("select 1");
    },
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
