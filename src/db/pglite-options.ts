/**
 * How embedded PGlite is started, shared by its worker thread (src/db/pglite-worker.ts) and the in-thread
 * fallback (src/db/client.ts). Imports nothing heavy: the worker loads it before PGlite.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PGlite, type PGliteOptions } from "@electric-sql/pglite";

/** The PostgreSQL major version the installed PGlite embeds (0.5.x: 18; test/db checks it). */
export const PGLITE_POSTGRES_MAJOR = 18;

/**
 * PGlite's own start parameters plus a smaller shared_buffers. PostgreSQL's default 128MB buffer pool is
 * allocated and zeroed inside PGlite's WebAssembly memory at start, so it is resident from the first second:
 * 16MB (2,048 pages, many times this app's working set) takes ~125 MiB off the idle process. Pages not in
 * the pool are read from the data folder through the operating system's cache.
 */
export function pgliteOptions(): PGliteOptions {
  return { startParams: [...PGlite.defaultStartParams, "-c", "shared_buffers=16MB"] };
}

/**
 * Refuses a data folder made by another PostgreSQL major version, with a message saying so: PGlite itself
 * only fails with "PGlite failed to initialize properly". PGlite 0.3 (before this release) wrote
 * PostgreSQL 17 folders; PostgreSQL opens a folder of its own major version only.
 */
export function checkPgliteFolder(folder: string): void {
  const versionFile = join(folder, "PG_VERSION");
  if (!existsSync(versionFile)) return;
  const found = readFileSync(versionFile, "utf8").trim();
  if (found === String(PGLITE_POSTGRES_MAJOR)) return;
  throw new Error(
    `The embedded database in ${folder} was created by PostgreSQL ${found}, and this version of Fleet ` +
      `Concierge embeds PostgreSQL ${PGLITE_POSTGRES_MAJOR}, which cannot open it. To keep its data, run ` +
      "`npm run db:upgrade-embedded` once (same DATA_DIR; it keeps the old folder as a backup). To start " +
      "with an empty database instead, move that folder (DATA_DIR/pglite) away.",
  );
}
