/**
 * A pristine embedded database: PGlite's initdb plus every migration, made once at build time (`npm run
 * build`, `npm start`'s prestart; src/db/pristine-cli.ts) from this project's own prisma/migrations — never
 * downloaded — and copied into an empty DATA_DIR at first start instead of running initdb there. initdb runs
 * in a WebAssembly instance of its own (PGlite 0.5): ~2-3 s of CPU and ~400 MiB that stay until a full GC.
 *
 * The copy is named by a key over PGlite's version and the migrations' names and text, so a changed
 * migration or PGlite never seeds from a stale one (the start then runs initdb and the migrations, as
 * before). It lands in a sibling folder first and is renamed into place: a crash mid-copy leaves no half
 * database. Measured: docs/bench/2026-12-07-first-start.md. Imports nothing heavy (the worker loads it first).
 */
import { createHash } from "node:crypto";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The folders holding migrations, as src/db/migrate.ts finds them (here without importing it). */
function migrationsDirOf(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [
    resolve(here, "../../prisma/migrations"),
    resolve(here, "../../../prisma/migrations"),
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** Where pristine databases are kept: dist/pglite-pristine under the application's root. */
export function pristineRoot(): string {
  const migrations = migrationsDirOf();
  const root = migrations ? resolve(migrations, "../..") : resolve(dirname(fileURLToPath(import.meta.url)));
  return join(root, "dist", "pglite-pristine");
}

/** The installed PGlite's version (its package.json is not exported: found above its entry point). */
function pgliteVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve("@electric-sql/pglite"));
  for (let i = 0; i < 5; i++) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "@electric-sql/pglite") return pkg.version ?? "unknown";
    }
    dir = dirname(dir);
  }
  return "unknown";
}

/** The key of a pristine database for these migrations and this PGlite. */
export function pristineKey(migrationsDir: string | null = migrationsDirOf()): string {
  const hash = createHash("sha256");
  hash.update(`pglite ${pgliteVersion()}\n`);
  if (migrationsDir) {
    const names = readdirSync(migrationsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(migrationsDir, d.name, "migration.sql")))
      .map((d) => d.name)
      .sort();
    for (const name of names) {
      hash.update(`${name}\n`);
      hash.update(readFileSync(join(migrationsDir, name, "migration.sql")));
    }
  }
  return hash.digest("hex").slice(0, 16);
}

/** The pristine database for the current key, when built. */
export function pristineFolder(root = pristineRoot(), key = pristineKey()): string | null {
  const folder = join(root, key);
  return existsSync(join(folder, "PG_VERSION")) ? folder : null;
}

/**
 * Copies a folder of folders and plain files (what PostgreSQL's data folder holds). `cpSync` checks and
 * stats every entry on the way (~1,100 files here): this reads each folder once with its entry types and
 * copies, ~25 % less CPU on the first start's critical path (docs/bench/2026-12-07-analysis.md, "hL").
 */
function copyTree(from: string, to: string): void {
  mkdirSync(to);
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    if (entry.isDirectory()) copyTree(source, join(to, entry.name));
    else if (entry.isFile()) copyFileSync(source, join(to, entry.name));
    else cpSync(source, join(to, entry.name), { recursive: true, verbatimSymlinks: true });
  }
}

/**
 * Seeds an empty PGlite folder from the pristine database, if there is one for the current key; true when
 * seeded. A folder that already holds anything is left alone (PGlite resumes it, or refuses it).
 */
export function seedFromPristine(folder: string, pristine = pristineFolder()): boolean {
  if (!pristine) return false;
  if (existsSync(folder) && readdirSync(folder).length > 0) return false;
  const staging = `${folder}.seeding-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    copyTree(pristine, staging);
    if (existsSync(folder)) rmdirSync(folder);
    renameSync(staging, folder);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  return true;
}
