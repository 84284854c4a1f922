/**
 * Throw-away databases on the PostgreSQL server of this machine (TEST_DATABASE_URL, default
 * postgresql://postgres@127.0.0.1:5432/postgres), for the benchmark and the tests.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

/** Admin URL of the PostgreSQL server used by the benchmark and the tests. */
const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

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
