/**
 * The pristine embedded database (src/db/pristine.ts): built from this project's migrations, it seeds an empty
 * DATA_DIR with every migration applied (the app's migrator then has nothing to do), never touches a folder
 * that holds anything, and a changed migration gives another key (so a stale copy is never used).
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, migrationsDir, type SqlRunner } from "../../src/db/migrate.ts";
import { pgliteOptions } from "../../src/db/pglite-options.ts";
import { pristineFolder, pristineKey, seedFromPristine } from "../../src/db/pristine.ts";
import { buildPristine } from "../../src/db/pristine-cli.ts";

const quiet = { info: () => {} } as never;
const runnerOf = (pglite: PGlite): SqlRunner => {
  const session = {
    query: async (text: string, params?: readonly unknown[]) =>
      (await pglite.query<Record<string, unknown>>(text, params as unknown[])).rows,
    exec: async (text: string) => {
      await pglite.exec(text);
    },
  };
  return { ...session, withSession: (fn) => fn(session), supportsAdvisoryLocks: false };
};

describe("the pristine embedded database", () => {
  const work = mkdtempSync(join(tmpdir(), "fc-pristine-"));
  const root = join(work, "pristine");
  let pristine = "";

  beforeAll(async () => {
    const built = await buildPristine(root);
    expect(built.built).toBe(true);
    pristine = built.folder;
    // Readable by any user (the image builds it as root and runs as node).
    const unreadable: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, e.name);
        if (e.isDirectory()) walk(path);
        else if ((statSync(path).mode & 0o004) === 0) unreadable.push(path);
      }
    };
    walk(pristine);
    expect(unreadable).toEqual([]);
    // Built once: a second build finds it current.
    expect((await buildPristine(root)).built).toBe(false);
  }, 240_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("seeds an empty DATA_DIR folder with every migration applied", async () => {
    const folder = join(work, "data", "pglite");
    mkdirSync(folder, { recursive: true });
    expect(seedFromPristine(folder, pristine)).toBe(true);
    expect(readdirSync(join(work, "data")).sort()).toEqual(["pglite"]); // no staging folder left
    const pglite = new PGlite(folder, pgliteOptions());
    try {
      const rows = await pglite.query<{ migration_name: string }>(
        `select migration_name from "_prisma_migrations" where finished_at is not null order by 1`,
      );
      const expected = readdirSync(migrationsDir(), { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(join(migrationsDir(), d.name, "migration.sql")))
        .map((d) => d.name)
        .sort();
      expect(expected.length).toBeGreaterThan(5);
      expect(rows.rows.map((r) => r.migration_name)).toEqual(expected);
      expect(await applyMigrations(runnerOf(pglite), quiet)).toEqual([]);
      // A real, writable database.
      const [one] = (await pglite.query<{ n: number }>("select count(*)::int as n from onboarding")).rows;
      expect(one?.n).toBe(0);
    } finally {
      await pglite.close();
    }
  }, 120_000);

  it("leaves a folder that holds anything alone, and seeds nothing without a pristine copy", () => {
    const used = join(work, "used");
    mkdirSync(used, { recursive: true });
    writeFileSync(join(used, "PG_VERSION"), "18\n");
    expect(seedFromPristine(used, pristine)).toBe(false);
    expect(readdirSync(used)).toEqual(["PG_VERSION"]);
    expect(seedFromPristine(join(work, "none"), null)).toBe(false);
    expect(existsSync(join(work, "none"))).toBe(false);
  });

  it("keys the copy by the migrations: a changed one finds no pristine copy", () => {
    const changed = join(work, "migrations");
    cpSync(migrationsDir(), changed, { recursive: true });
    expect(pristineKey(changed)).toBe(pristineKey(migrationsDir()));
    const [first] = readdirSync(changed).sort();
    writeFileSync(join(changed, first ?? "", "migration.sql"), "-- changed\n", { flag: "a" });
    const key = pristineKey(changed);
    expect(key).not.toBe(pristineKey(migrationsDir()));
    expect(pristineFolder(root, key)).toBeNull();
    expect(pristineFolder(root)).toBe(pristine);
  });
});
