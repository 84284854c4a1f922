/**
 * Upgrading an embedded database written by the previous release (PGlite 0.3.8, PostgreSQL 17, made here
 * with that very PGlite and this project's migrations minus the newest) to this release's PGlite: every
 * row survives with its types, ids continue, the newer migrations are applied, the old folder is kept, and
 * the app opens the result.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { applyMigrations, migrationsDir, type SqlRunner } from "../../src/db/migrate.ts";
import { OLD_POSTGRES_MAJOR, upgradeEmbeddedDatabase } from "../../src/db/upgrade-pglite.ts";
import { createLogger } from "../../src/logger.ts";

const logger = createLogger({ level: "silent" });

interface Old {
  waitReady: Promise<void>;
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  exec(sql: string): Promise<unknown>;
  close(): Promise<void>;
}

/** A PostgreSQL 17 folder as the previous release left it: all migrations but the newest, and some data. */
async function previousReleaseFolder(dataDir: string): Promise<{ skipped: string; onboardingId: string }> {
  const { PGlite } = (await import("pglite-pg17" as string)) as { PGlite: new (dir: string) => Old };
  const folder = join(dataDir, "pglite");
  mkdirSync(folder, { recursive: true });
  const old = new PGlite(folder);
  await old.waitReady;
  const all = migrationsDir();
  const names = readdirSync(all)
    .filter((n) => existsSync(join(all, n, "migration.sql")))
    .sort();
  const skipped = names.at(-1) as string;
  const subset = mkdtempSync(join(tmpdir(), "fc-old-migrations-"));
  for (const n of names.slice(0, -1)) cpSync(join(all, n), join(subset, n), { recursive: true });
  const session = {
    query: async (text: string, params?: readonly unknown[]) =>
      (await old.query<Record<string, unknown>>(text, params as unknown[])).rows,
    exec: async (text: string) => {
      await old.exec(text);
    },
  };
  const runner: SqlRunner = { ...session, withSession: (fn) => fn(session), supportsAdvisoryLocks: false };
  await applyMigrations(runner, logger, subset);
  const [customer] = await session.query(
    `insert into customer (id, name, name_key) values (gen_random_uuid(), 'Ächme', 'achme') returning id`,
  );
  const [onboarding] = await session.query(
    `insert into onboarding (id, customer_id, provider_id, owner_user_id, created_by_user_id, home_team_id,
                             channel_id, integration_user_name, integration_user_email, time_zone, call_at, updated_at)
     values (gen_random_uuid(), $1, 'justworks', 'U0REP', 'U0REP', 'T0FLEET', 'C1', 'Fleet', 'i@f.example',
             'Europe/Paris', '2026-12-01T15:30:00.789Z', now())
     returning id`,
    [customer?.id],
  );
  const onboardingId = String(onboarding?.id);
  for (let i = 0; i < 3; i++) {
    await session.query(
      `insert into tick (onboarding_id, item_key, checked, source) values ($1, $2, true, 'slack')`,
      [onboardingId, `step${i}`],
    );
  }
  await session.query(
    `insert into audit_event (onboarding_id, action, detail) values ($1, 'tick', '{"item": "step1", "n": [1, 2]}')`,
    [onboardingId],
  );
  await old.close();
  return { skipped, onboardingId };
}

describe("upgrading the embedded database from PostgreSQL 17 (PGlite 0.3)", () => {
  it("copies every row, continues the ids, applies the newer migrations and keeps the old folder", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "fc-upgrade-"));
    const { skipped, onboardingId } = await previousReleaseFolder(dataDir);
    expect(readFileSync(join(dataDir, "pglite", "PG_VERSION"), "utf8").trim()).toBe(
      String(OLD_POSTGRES_MAJOR),
    );

    // The app refuses the old folder and names the way out.
    await expect(openDatabase({ dataDir, logger, pgliteInThread: true })).rejects.toThrow(
      /PostgreSQL 17.*db:upgrade-embedded/s,
    );

    const outcome = await upgradeEmbeddedDatabase(dataDir, logger);
    expect(outcome).toMatchObject({
      upgraded: true,
      tables: { customer: 1, onboarding: 1, tick: 3, audit_event: 1 },
    });
    if (!outcome.upgraded) return;
    expect(existsSync(join(outcome.backup, "PG_VERSION"))).toBe(true);
    expect(readFileSync(join(dataDir, "pglite", "PG_VERSION"), "utf8").trim()).toBe("18");

    const db = await openDatabase({ dataDir, logger });
    try {
      const migrations = await db.sql.query(`select migration_name from "_prisma_migrations"`);
      expect(migrations.map((m) => m.migration_name)).toContain(skipped);
      const onboarding = await db.prisma.onboarding.findUniqueOrThrow({
        where: { id: onboardingId },
        include: { customer: true },
      });
      expect(onboarding.customer.name).toBe("Ächme");
      expect(onboarding.callAt).toEqual(new Date("2026-12-01T15:30:00.789Z"));
      const audit = await db.prisma.auditEvent.findFirstOrThrow();
      expect(audit.detail).toEqual({ item: "step1", n: [1, 2] });
      // Identity columns continue after the copied ids.
      const before = await db.prisma.tick.findMany({ orderBy: { id: "asc" } });
      expect(before.map((t) => t.itemKey)).toEqual(["step0", "step1", "step2"]);
      const added = await db.prisma.tick.create({ data: { onboardingId, itemKey: "step9", checked: true } });
      expect(added.id).toBeGreaterThan(before.at(-1)?.id ?? 0n);
    } finally {
      await db.close();
    }

    // Run again: nothing to do.
    expect(await upgradeEmbeddedDatabase(dataDir, logger)).toEqual({ upgraded: false, reason: "current" });
  }, 120_000);

  it("leaves the old folder untouched when the copy fails", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "fc-upgrade-fail-"));
    await previousReleaseFolder(dataDir);
    // A migration this release does not know, as a newer release would have left it.
    const { PGlite } = (await import("pglite-pg17" as string)) as { PGlite: new (dir: string) => Old };
    const old = new PGlite(join(dataDir, "pglite"));
    await old.waitReady;
    await old.query(
      `insert into "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
       values ('x', 'x', now(), '9999_from_the_future', 1)`,
    );
    await old.close();
    await expect(upgradeEmbeddedDatabase(dataDir, logger)).rejects.toThrow(/9999_from_the_future/);
    expect(readFileSync(join(dataDir, "pglite", "PG_VERSION"), "utf8").trim()).toBe(
      String(OLD_POSTGRES_MAJOR),
    );
    expect(readdirSync(dataDir)).toEqual(["pglite"]);
  }, 120_000);
});
