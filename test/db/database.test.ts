import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { lockDataDir } from "../../src/db/data-dir-lock.ts";
import { PrismaClient } from "../../src/db/generated/client.ts";
import { prestartPglite } from "../../src/db/prestart.ts";
import { createLogger } from "../../src/logger.ts";
import { createPostgresDatabase } from "../../src/sandbox/support/postgres.ts";
import { DB_KINDS, openTestDatabase } from "../helpers/db.ts";

// Each test opens a fresh database: for PGlite that is a WASM start plus every migration, CPU-bound and
// far slower than usual on 2 cores shared with other test files (30 s ran out under load): a wider bound.
describe.each(DB_KINDS)("database on %s", { timeout: 90_000 }, (kind) => {
  it("applies the migrations and round-trips every column type the schema uses", async () => {
    const db = await openTestDatabase(kind);
    try {
      const customer = await db.prisma.customer.create({
        data: { name: "Café Ünïcode", nameKey: "cafe unicode" },
      });
      const onboarding = await db.prisma.onboarding.create({
        data: {
          customerId: customer.id,
          providerId: "justworks",
          ownerUserId: "U1",
          createdByUserId: "U1",
          homeTeamId: "T1",
          integrationUserName: "Fleet Integration",
          integrationUserEmail: "int@fleet.example",
          timeZone: "Europe/Berlin",
          callAt: new Date("2030-03-30T08:00:00Z"),
        },
      });
      await db.prisma.finchConnection.create({
        data: {
          onboardingId: onboarding.id,
          connectionId: "conn_1",
          providerId: "justworks",
          tokenCiphertext: "v1:abc",
          tokenKeyId: "k1",
          status: "connected",
          products: ["company", "directory"],
          codeHash: "h1",
        },
      });
      await db.prisma.auditEvent.create({ data: { action: "test", detail: { nested: { a: [1, 2] } } } });
      const loaded = await db.prisma.onboarding.findUniqueOrThrow({
        where: { id: onboarding.id },
        include: { connection: true, customer: true },
      });
      expect(loaded.callAt?.toISOString()).toBe("2030-03-30T08:00:00.000Z");
      expect(loaded.connection?.products).toEqual(["company", "directory"]);
      expect(loaded.customer.name).toBe("Café Ünïcode");
      const audit = await db.prisma.auditEvent.findFirstOrThrow();
      expect(typeof audit.id).toBe("bigint");
      expect(audit.detail).toEqual({ nested: { a: [1, 2] } });
    } finally {
      await db.close();
    }
  });

  it("allows only one active onboarding per customer", async () => {
    const db = await openTestDatabase(kind);
    try {
      const customer = await db.prisma.customer.create({ data: { name: "Acme", nameKey: "acme" } });
      const data = {
        customerId: customer.id,
        providerId: "justworks",
        ownerUserId: "U1",
        createdByUserId: "U1",
        homeTeamId: "T1",
        integrationUserName: "n",
        integrationUserEmail: "e@x.io",
        timeZone: "UTC",
      };
      await db.prisma.onboarding.create({ data });
      await expect(db.prisma.onboarding.create({ data })).rejects.toThrow();
      await db.prisma.onboarding.create({ data: { ...data, status: "done" } });
    } finally {
      await db.close();
    }
  });

  it("does not re-apply migrations on a second start", async () => {
    const db = await openTestDatabase(kind);
    try {
      const rows = await db.sql.query(`select count(*)::int as n from "_prisma_migrations"`);
      expect(rows[0]?.n).toBeGreaterThan(0);
      const { applyMigrations } = await import("../../src/db/migrate.ts");
      expect(await applyMigrations(db.sql, createLogger({ level: "silent" }))).toEqual([]);
    } finally {
      await db.close();
    }
  });
});

describe("migrations on PostgreSQL", () => {
  it("succeed when several instances start at once on an empty database", async () => {
    const { url, drop } = await createPostgresDatabase();
    const logger = createLogger({ level: "silent" });
    try {
      const dbs = await Promise.all(
        [1, 2, 3, 4].map(() => openDatabase({ url, dataDir: "unused", logger, poolSize: 2 })),
      );
      const rows = await dbs[0]!.sql.query(`select migration_name from "_prisma_migrations"`);
      const names = rows.map((r) => r.migration_name);
      expect(new Set(names).size).toBe(names.length);
      await Promise.all(dbs.map((d) => d.close()));
    } finally {
      await drop();
    }
  });
});

describe("statement timeout on PostgreSQL", () => {
  it("cancels a statement that runs longer than the configured timeout, through Prisma and raw SQL", async () => {
    const { url, drop } = await createPostgresDatabase();
    const logger = createLogger({ level: "silent" });
    const db = await openDatabase({ url, dataDir: "unused", logger, poolSize: 2, statementTimeoutMs: 300 });
    try {
      const started = Date.now();
      await expect(db.prisma.$queryRaw`select pg_sleep(3)`).rejects.toThrow(/statement timeout/i);
      await expect(db.sql.query("select pg_sleep(3)")).rejects.toThrow(/statement timeout/i);
      expect(Date.now() - started).toBeLessThan(2_500);
      // Quick statements still run, and a migration session has no timeout.
      expect(await db.sql.query("select 1 as one")).toEqual([{ one: 1 }]);
      // Migrations' sessions lift it; other sessions (an advisory lock's) keep it.
      const unbounded = await db.sql.withSession((s) => s.query("show statement_timeout"), {
        unbounded: true,
      });
      expect(unbounded).toEqual([{ statement_timeout: "0" }]);
      const bounded = await db.sql.withSession((s) => s.query("show statement_timeout"));
      expect(bounded).toEqual([{ statement_timeout: "300ms" }]);
      expect(await db.sql.query("show statement_timeout")).toEqual([{ statement_timeout: "300ms" }]);
    } finally {
      await db.close();
      await drop();
    }
  }, 30_000);
});

describe("JIT on PostgreSQL", () => {
  it("is off in every pooled session, raw SQL and Prisma alike (compiling cost seconds per report query)", async () => {
    const { url, drop } = await createPostgresDatabase();
    const db = await openDatabase({
      url,
      dataDir: "unused",
      logger: createLogger({ level: "silent" }),
      poolSize: 2,
    });
    try {
      expect(await db.sql.query("show jit")).toEqual([{ jit: "off" }]);
      expect(await db.sql.withSession((s) => s.query("show jit"))).toEqual([{ jit: "off" }]);
      expect(await db.prisma.$queryRaw`show jit`).toEqual([{ jit: "off" }]);
    } finally {
      await db.close();
      await drop();
    }
  }, 30_000);
});

describe("embedded PGlite on disk", () => {
  it("creates its data folder on first start and keeps data across restarts", async () => {
    const { mkdtempSync, existsSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = join(mkdtempSync(join(tmpdir(), "fc-")), "nested", "data");
    const logger = createLogger({ level: "silent" });
    const first = await openDatabase({ dataDir: dir, logger });
    await first.prisma.customer.create({ data: { name: "Persisted", nameKey: "persisted" } });
    await first.close();
    expect(existsSync(dir)).toBe(true);
    const second = await openDatabase({ dataDir: dir, logger });
    expect((await second.prisma.customer.findFirstOrThrow()).name).toBe("Persisted");
    await second.close();
  }, 90_000); // two PGlite starts on disk: 23 s of the default 30 s under a loaded machine
});

describe("embedded PGlite started before the app's modules (src/db/prestart.ts)", () => {
  const logger = createLogger({ level: "silent" });
  const freshDir = () => join(mkdtempSync(join(tmpdir(), "fc-pre-")), "data");

  it("loads Prisma's query compiler while PGlite starts, before any query asks for it", async () => {
    const dir = freshDir();
    prestartPglite(dir);
    const connect = vi.spyOn(PrismaClient.prototype, "$connect");
    try {
      const db = await openDatabase({ dataDir: dir, logger });
      try {
        expect(connect).toHaveBeenCalledTimes(1);
        expect(await db.prisma.customer.count()).toBe(0);
      } finally {
        await db.close();
      }
    } finally {
      connect.mockRestore();
    }
  }, 90_000);

  it("a worker that cannot open the folder fails the open, stops, and releases DATA_DIR", async () => {
    const dir = freshDir();
    mkdirSync(join(dir, "pglite"), { recursive: true });
    writeFileSync(join(dir, "pglite", "PG_VERSION"), "17\n");
    prestartPglite(dir);
    await expect(openDatabase({ dataDir: dir, logger })).rejects.toThrow(/created by PostgreSQL 17/);
    lockDataDir(dir).release();
  }, 90_000);
});
