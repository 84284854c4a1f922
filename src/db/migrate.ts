/**
 * Applies prisma/migrations/<name>/migration.sql in order, recording them in Prisma's own
 * `_prisma_migrations` table (same columns, so `prisma migrate status` still reads it).
 *
 * Why not `prisma migrate deploy`: on a PostgreSQL server the Prisma 6.19 CLI with adapter-pg fails on the
 * catalog's `name` type (see shared notes), it needs the CLI in the production image, and several replicas
 * starting together time out on Prisma's lock (P1002). This migrator is ~60 lines, runs inside the app, and
 * serializes replicas with a PostgreSQL advisory lock held on one session.
 */
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "../logger.ts";

/** Minimal SQL access the migrator (and tests) need, implemented for PostgreSQL and PGlite. */
export interface SqlSession {
  query(text: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  exec(text: string): Promise<void>;
}

/** A SQL runner that can also pin one session (advisory locks are per session). */
export interface SqlRunner extends SqlSession {
  /**
   * Runs `fn` on one pinned connection. `unbounded` (migrations) lifts the statement timeout for the session;
   * otherwise every statement keeps it (an advisory lock's wait, for one, then ends with it).
   */
  withSession<T>(fn: (session: SqlSession) => Promise<T>, options?: { unbounded?: boolean }): Promise<T>;
  supportsAdvisoryLocks: boolean;
}

/** An arbitrary constant identifying "schema migration" among advisory locks. */
const MIGRATION_LOCK_KEY = 72_707_001;

/** Locates prisma/migrations from both src/db (tsx) and dist/src/db (compiled). */
export function migrationsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [
    resolve(here, "../../prisma/migrations"),
    resolve(here, "../../../prisma/migrations"),
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error("prisma/migrations not found next to the application");
}

/** Applies pending migrations; returns the names applied now. Safe to call from several replicas at once. */
export async function applyMigrations(
  sql: SqlRunner,
  logger: Logger,
  dir = migrationsDir(),
): Promise<string[]> {
  const migrations = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort();
  return sql.withSession(
    async (session) => {
      if (sql.supportsAdvisoryLocks) await session.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
      try {
        await session.exec(`create table if not exists "_prisma_migrations" (
        "id" varchar(36) primary key not null,
        "checksum" varchar(64) not null,
        "finished_at" timestamptz,
        "migration_name" varchar(255) not null,
        "logs" text,
        "rolled_back_at" timestamptz,
        "started_at" timestamptz not null default now(),
        "applied_steps_count" integer not null default 0)`);
        const done = new Set(
          (
            await session.query(
              `select migration_name from "_prisma_migrations" where finished_at is not null and rolled_back_at is null`,
            )
          ).map((r) => String(r.migration_name)),
        );
        const applied: string[] = [];
        for (const name of migrations) {
          if (done.has(name)) continue;
          const script = readFileSync(join(dir, name, "migration.sql"), "utf8");
          const checksum = createHash("sha256").update(script).digest("hex");
          logger.info({ migration: name }, "applying database migration");
          await session.exec("begin");
          try {
            await session.exec(script);
            await session.query(
              `insert into "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
             values ($1, $2, now(), $3, 1)`,
              [randomUUID(), checksum, name],
            );
            await session.exec("commit");
          } catch (err) {
            await session.exec("rollback");
            throw new Error(`migration ${name} failed: ${(err as Error).message}`);
          }
          applied.push(name);
        }
        return applied;
      } finally {
        if (sql.supportsAdvisoryLocks)
          await session.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
      }
    },
    // Migrations may wait on another instance's migration lock or rewrite a big table.
    { unbounded: true },
  );
}
