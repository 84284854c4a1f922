/**
 * Upgrades an embedded database folder written by PGlite 0.3 (PostgreSQL 17) to the PGlite this release
 * embeds (0.5, PostgreSQL 18), which cannot open it (`npm run db:upgrade-embedded`; src/db/pglite-options.ts
 * refuses the old folder at start and points here).
 *
 * PostgreSQL moves between major versions by dump and restore; PGlite has no pg_upgrade, so this does the
 * same table by table:
 * 1. the old folder is opened with PGlite 0.3.8 (the devDependency `pglite-pg17`, an npm alias);
 * 2. a new folder gets exactly the migrations the old one had, so every table has the same columns in the
 *    same order;
 * 3. every table is copied with `COPY … TO/FROM '/dev/blob'` (PostgreSQL's own text format, every type
 *    exact), foreign keys and triggers off while copying; identity sequences continue after the copied ids;
 * 4. row counts are compared, the migrations added since are applied, and only then the folders swap:
 *    the old one is kept beside it as `pglite.pg17-backup-<time>`.
 * A failure before the swap leaves the old folder untouched (and the half-built one is removed).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { Logger } from "../logger.ts";
import { lockDataDir } from "./data-dir-lock.ts";
import { applyMigrations, migrationsDir, type SqlRunner } from "./migrate.ts";
import { PGLITE_POSTGRES_MAJOR, pgliteOptions } from "./pglite-options.ts";
import { pgliteFolder } from "./prestart.ts";

/** The PostgreSQL major version of the folders this upgrades from. */
export const OLD_POSTGRES_MAJOR = 17;

/** What the old PGlite (0.3) offers that this needs; typed here, as the alias ships its own copy of the types. */
interface OldPGlite {
  waitReady: Promise<void>;
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; blob?: Blob }>;
  close(): Promise<void>;
}

export type UpgradeOutcome =
  | { upgraded: false; reason: "no-folder" | "current" }
  | { upgraded: true; backup: string; tables: Record<string, number> };

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

function runnerOf(db: PGlite): SqlRunner {
  const session = {
    query: async (text: string, params?: readonly unknown[]) =>
      (await db.query<Record<string, unknown>>(text, params as unknown[])).rows,
    exec: async (text: string) => {
      await db.exec(text);
    },
  };
  return { ...session, withSession: (fn) => fn(session), supportsAdvisoryLocks: false };
}

async function openOld(folder: string): Promise<OldPGlite> {
  let mod: { PGlite: new (dataDir: string) => OldPGlite };
  try {
    mod = (await import("pglite-pg17" as string)) as typeof mod;
  } catch {
    throw new Error(
      "the upgrade needs PGlite 0.3 (the devDependency pglite-pg17): run `npm ci` (with dev dependencies) first",
    );
  }
  const old = new mod.PGlite(folder);
  await old.waitReady;
  return old;
}

/** Upgrades DATA_DIR's embedded database in place (keeping the old folder as a backup); see the file's doc. */
export async function upgradeEmbeddedDatabase(dataDir: string, logger: Logger): Promise<UpgradeOutcome> {
  const folder = pgliteFolder(dataDir);
  const versionFile = join(folder, "PG_VERSION");
  if (!existsSync(versionFile)) return { upgraded: false, reason: "no-folder" };
  const found = readFileSync(versionFile, "utf8").trim();
  if (found === String(PGLITE_POSTGRES_MAJOR)) return { upgraded: false, reason: "current" };
  if (found !== String(OLD_POSTGRES_MAJOR)) {
    throw new Error(`${folder} holds PostgreSQL ${found}; only ${OLD_POSTGRES_MAJOR} can be upgraded here`);
  }

  // Stops here, naming the holder, while the app (or another upgrade) has DATA_DIR open.
  const lock = lockDataDir(dataDir);
  try {
    return await upgradeFolder(folder, logger);
  } finally {
    lock.release();
  }
}

async function upgradeFolder(folder: string, logger: Logger): Promise<UpgradeOutcome> {
  const building = `${folder}.pg${PGLITE_POSTGRES_MAJOR}-upgrading`;
  rmSync(building, { recursive: true, force: true });
  const old = await openOld(folder);
  const next = new PGlite(building, pgliteOptions());
  let tables: Record<string, number> = {};
  try {
    await next.waitReady;
    tables = await copyInto(old, next, logger);
  } catch (err) {
    await next.close().catch(() => {});
    rmSync(building, { recursive: true, force: true });
    throw err;
  } finally {
    await old.close();
  }
  await next.close();

  const backup = `${folder}.pg${OLD_POSTGRES_MAJOR}-backup-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  renameSync(folder, backup);
  renameSync(building, folder);
  logger.info({ backup, tables }, "embedded database upgraded; the old folder is kept as a backup");
  return { upgraded: true, backup, tables };
}

async function copyInto(old: OldPGlite, next: PGlite, logger: Logger): Promise<Record<string, number>> {
  // The same schema as the old folder: the migrations it had, from this release's copies of them.
  const had = (
    await old.query<{ migration_name: string }>(
      `select migration_name from "_prisma_migrations" where finished_at is not null and rolled_back_at is null`,
    )
  ).rows.map((r) => r.migration_name);
  const all = migrationsDir();
  const subset = mkdtempSync(join(tmpdir(), "fleet-upgrade-migrations-"));
  try {
    for (const name of had) {
      if (!existsSync(join(all, name))) {
        throw new Error(`the old database has migration ${name}, which this release does not know (newer?)`);
      }
      cpSync(join(all, name), join(subset, name), { recursive: true });
    }
    await applyMigrations(runnerOf(next), logger, subset);
  } finally {
    rmSync(subset, { recursive: true, force: true });
  }

  const names = (
    await old.query<{ tablename: string }>(
      `select tablename from pg_tables where schemaname = 'public' and tablename <> '_prisma_migrations'
        order by tablename`,
    )
  ).rows.map((r) => r.tablename);
  const counts: Record<string, number> = {};
  // Foreign keys are triggers: off while copying (the rows were consistent in the old database).
  await next.exec("set session_replication_role = replica");
  for (const name of names) {
    const table = `public.${quoteIdent(name)}`;
    const [before] = (await old.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows;
    if (before?.n) {
      const out = await old.query(`copy ${table} to '/dev/blob'`);
      if (!out.blob) throw new Error(`copying ${name}: PGlite returned no data`);
      await next.query(`copy ${table} from '/dev/blob'`, [], { blob: out.blob });
    }
    const [after] = (await next.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows;
    if (before?.n !== after?.n) throw new Error(`copying ${name}: ${before?.n} rows became ${after?.n}`);
    counts[name] = after?.n ?? 0;
  }
  await next.exec("set session_replication_role = origin");

  // Identity and serial columns continue after the highest copied value.
  const sequences = (
    await next.query<{ table_name: string; column_name: string; seq: string }>(
      `select table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) as seq
         from information_schema.columns
        where table_schema = 'public' and pg_get_serial_sequence(quote_ident(table_name), column_name) is not null`,
    )
  ).rows;
  for (const s of sequences) {
    await next.query(
      `select setval($1::regclass, coalesce((select max(${quoteIdent(s.column_name)}) from public.${quoteIdent(s.table_name)}), 0) + 1, false)`,
      [s.seq],
    );
  }
  // The migrations added since that release.
  await applyMigrations(runnerOf(next), logger);
  return counts;
}
