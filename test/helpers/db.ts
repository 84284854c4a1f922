/**
 * Test databases: a throw-away PGlite, or a fresh database on the PostgreSQL server of this machine
 * (TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres). Both get the real migrations.
 */

import { type Database, openDatabase } from "../../src/db/client.ts";
import { createLogger } from "../../src/logger.ts";
import { createPostgresDatabase } from "../../src/sandbox/support/postgres.ts";

export type DbKind = "pglite" | "postgres";
export const DB_KINDS: DbKind[] = ["pglite", "postgres"];

const quietLogger = createLogger({ level: "silent" });

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
