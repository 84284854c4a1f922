/**
 * Test databases: a throw-away PGlite, or a fresh database on the PostgreSQL server of this machine
 * (TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres). Both get the real migrations.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { type Database, openDatabase } from "../../src/db/client.ts";
import { createLogger } from "../../src/logger.ts";

/** Admin URL of the PostgreSQL server used by tests. */
export const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export type DbKind = "pglite" | "postgres";
export const DB_KINDS: DbKind[] = ["pglite", "postgres"];

const quietLogger = createLogger({ level: "silent" });

/** Creates an empty database on the server and returns its URL plus a function that drops it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `fc_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** A migrated test database of the given kind; `close()` also drops a server database. */
export async function openTestDatabase(kind: DbKind): Promise<Database & { url?: string }> {
  if (kind === "pglite") return openDatabase({ dataDir: ":memory:", logger: quietLogger });
  const { url, drop } = await createPostgresDatabase();
  const db = await openDatabase({ url, dataDir: "unused", logger: quietLogger, poolSize: 10 });
  return {
    ...db,
    url,
    close: async () => {
      await db.close();
      await drop();
    },
  };
}
