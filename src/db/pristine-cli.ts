/**
 * Builds the pristine embedded database (src/db/pristine.ts) when it is missing or stale: PGlite's initdb in a
 * folder beside the target, this project's migrations applied with the app's own migrator, a clean close,
 * then a rename into place (older keys removed). Run by `npm run build` and `npm start`'s prestart; a few
 * seconds, once per change of the migrations or of PGlite.
 */
import { chmodSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { SqlRunner } from "./migrate.ts";
import { pristineFolder, pristineKey, pristineRoot } from "./pristine.ts";

/**
 * PostgreSQL writes some files 0600: the Docker image builds as root and runs as `node`, which must be able
 * to read (copy) every file. The copy in DATA_DIR belongs to the app's user.
 */
function makeReadable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) makeReadable(path);
    else chmodSync(path, 0o644);
  }
}

/** Builds it under `root` unless current; returns its folder. */
export async function buildPristine(root = pristineRoot()): Promise<{ folder: string; built: boolean }> {
  const key = pristineKey();
  const current = pristineFolder(root, key);
  if (current) return { folder: current, built: false };
  mkdirSync(root, { recursive: true });
  const staging = join(root, `.building-${key}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  // Loaded only to build: a prestart that finds it current stays quick.
  const { PGlite } = await import("@electric-sql/pglite");
  const { applyMigrations } = await import("./migrate.ts");
  const { pgliteOptions } = await import("./pglite-options.ts");
  const pglite = new PGlite(staging, pgliteOptions());
  try {
    await pglite.waitReady;
    const session = {
      query: async (text: string, params?: readonly unknown[]) =>
        (await pglite.query<Record<string, unknown>>(text, params as unknown[])).rows,
      exec: async (text: string) => {
        await pglite.exec(text);
      },
    };
    const sql: SqlRunner = { ...session, withSession: (fn) => fn(session), supportsAdvisoryLocks: false };
    await applyMigrations(sql, { info: () => {} } as never);
    await pglite.exec("checkpoint");
  } finally {
    await pglite.close();
  }
  makeReadable(staging);
  const folder = join(root, key);
  try {
    renameSync(staging, folder);
  } catch (err) {
    // Another build put the same one in place first.
    rmSync(staging, { recursive: true, force: true });
    if (!pristineFolder(root, key)) throw err;
  }
  for (const name of readdirSync(root)) {
    if (name !== key && !name.startsWith(".building-"))
      rmSync(join(root, name), { recursive: true, force: true });
  }
  return { folder, built: true };
}

const isMain = process.argv[1] && /pristine-cli\.(ts|js)$/.test(process.argv[1]);
if (isMain) {
  const started = performance.now();
  const { folder, built } = await buildPristine();
  if (built) {
    console.error(
      `built the pristine embedded database in ${Math.round(performance.now() - started)} ms: ${folder}`,
    );
  }
}
