/**
 * PGlite in a worker thread (src/db/pglite-proxy.ts): the same answers as in-thread PGlite — values, the
 * Prisma adapter's view of them, errors — plus transactions, concurrency, crashes, and the point of it all:
 * the main thread's event loop stays free while the database works.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import type { Worker } from "node:worker_threads";
import { messages, PGlite, type QueryOptions } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { PGliteProxy } from "../../src/db/pglite-proxy.ts";
import { createLogger } from "../../src/logger.ts";

/** A thread's (or the process's) nice value, from its /proc stat line (field 19). */
function niceOf(statFile: string): number {
  const afterName = readFileSync(statFile, "utf8").split(") ")[1] ?? "";
  return Number(afterName.split(" ")[16]);
}

type Db = PGlite | PGliteProxy;

const SCHEMA = `
  create type mood as enum ('happy', 'sad');
  create table t (
    id bigserial primary key,
    i2 int2, i4 int4, i8 int8, big int8, f4 float4, f8 float8, num numeric(20, 6), b bool,
    tx text, vc varchar(10), ch char(3), js json, jb jsonb,
    d date, ts timestamp, tstz timestamptz, tm time, tmtz timetz, iv interval,
    u uuid, by bytea, m mood, o oid,
    tarr text[], iarr int4[], barr int8[], jarr jsonb[], tsarr timestamptz[], byarr bytea[], marr mood[]
  );
  create unique index t_tx_key on t (tx);`;

const INSERT = `insert into t (i2, i4, i8, big, f4, f8, num, b, tx, vc, ch, js, jb, d, ts, tstz, tm, tmtz, iv, u, by,
  m, o, tarr, iarr, barr, jarr, tsarr, byarr, marr)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
  $24, $25, $26, $27, $28, $29, $30)`;

const ROW = [
  -32000,
  2_000_000_000,
  42,
  "9007199254740993", // beyond Number.MAX_SAFE_INTEGER: PGlite gives a bigint
  1.5,
  Math.PI,
  "12345.678901",
  true,
  `Café ☕ 'single' "double" \\ back, {braces}`,
  "short",
  "ab",
  { nested: { a: [1, 2], n: null } },
  { x: "ü", deep: [{ y: true }] },
  "2030-03-30",
  new Date("2030-03-30T08:00:00.123Z"),
  new Date("2030-03-30T08:00:00.456Z"),
  "12:34:56.789",
  "12:34:56+02",
  "1 day 02:03:04",
  "6f1f3b4e-8f2a-4c55-9a1e-2b7d9c0e1f23",
  new Uint8Array([0, 1, 127, 128, 255]),
  "happy",
  4242,
  ["company", "b,c", 'q"uote', "", null, "NULL"],
  [1, -2, 3],
  ["1", "9007199254740993"],
  [{ a: 1 }, { b: [2] }],
  [new Date("2030-01-01T00:00:00Z"), new Date("2031-06-15T12:30:00.5Z")],
  [new Uint8Array([1, 2]), new Uint8Array([])],
  "{sad,happy}", // an enum created after start-up has no array serializer, in-thread or not
];

/** The adapter's parsers in spirit: a caller's parser for a type wins over PGlite's default. */
const CUSTOM_PARSERS: QueryOptions["parsers"] = {
  20: (x) => `int8:${x}`,
  1184: (x) => x.split("+")[0],
  1009: (x) => x.toUpperCase(),
};

const QUERIES: Array<[string, unknown[], QueryOptions | undefined]> = [
  ["select * from t order by id", [], undefined],
  ["select * from t order by id", [], { rowMode: "array" }],
  ["select * from t order by id", [], { rowMode: "array", parsers: CUSTOM_PARSERS }],
  ["select * from t where i4 = $1", [2_000_000_000], undefined],
  ["select tx as a, vc as a, 1 as b from t order by id", [], undefined], // duplicate names: last wins
  [
    "select 'NaN'::float8 as nan, '-Infinity'::float8 as ninf, -0.0::float8 as negzero, '2030-01-01 00:00:00+05:30'::timestamptz as off",
    [],
    undefined,
  ],
  [
    "select $1::text as p, $2::int8 as q, $3::jsonb as r, $4::bool as s",
    ["x", 12n, [1, "two"], false],
    undefined,
  ],
  ["select pg_typeof(1) as regtype, 'pg_class'::regclass as regclass, current_user as who", [], undefined],
  ["update t set b = not b where id = 1", [], undefined],
  ["delete from t where id = -1", [], undefined],
];

async function seed(db: Db) {
  await db.exec(SCHEMA);
  await db.query(INSERT, ROW);
  await db.query(
    INSERT,
    ROW.map((_, i) => (i === 8 ? "second" : null)),
  );
}

describe("PGlite in a worker thread", () => {
  let local: PGlite;
  let proxy: PGliteProxy;
  beforeAll(async () => {
    [local, proxy] = await Promise.all([PGlite.create(), PGliteProxy.create()]);
    await Promise.all([seed(local), seed(proxy)]);
  });
  afterAll(async () => {
    await Promise.all([local?.close(), proxy?.close()]);
  });

  it("returns exactly what in-thread PGlite returns, for every column type, row mode and parser", async () => {
    for (const [sql, params, options] of QUERIES) {
      const expected = await local.query(sql, params, options);
      expect(await proxy.query(sql, params, options), sql).toStrictEqual(expected);
    }
    const script = "select tarr, byarr from t order by id; update t set i2 = i2 + 1; select 1 as one";
    expect(await proxy.exec(script)).toStrictEqual(await local.exec(script));
    // Spot checks that the comparison compares something.
    const row = (await proxy.query<Record<string, unknown>>("select * from t order by id")).rows[0];
    expect(row?.big).toBe(9007199254740993n);
    expect(row?.tstz).toEqual(new Date("2030-03-30T08:00:00.456Z"));
    expect(row?.by).toEqual(new Uint8Array([0, 1, 127, 128, 255]));
    // A NULL element comes back as null and the text "NULL" as text (PGlite 0.3 gave "NULL" for both).
    expect(row?.tarr).toEqual(["company", "b,c", 'q"uote', "", null, "NULL"]);
    expect(row?.jb).toEqual({ x: "ü", deep: [{ y: true }] });
  });

  it("gives the Prisma adapter the same result sets as in-thread PGlite", async () => {
    type Adapter = { queryRaw(q: { sql: string; args: unknown[]; argTypes: unknown[] }): Promise<unknown> };
    const connect = async (db: Db) => (await new PrismaPGlite(db as PGlite).connect()) as unknown as Adapter;
    const [viaLocal, viaProxy] = await Promise.all([connect(local), connect(proxy)]);
    for (const sql of [
      // Every column type the adapter supports (it refuses interval, oid, enums and timestamptz[]).
      `select id, i2, i4, i8, big, f4, f8, num, b, tx, vc, ch, js, jb, d, ts, tstz, tm, tmtz, u, by,
         tarr, iarr, barr, jarr, byarr from t order by id`,
      `select count(*) as n, max(tstz) as latest from t`,
    ]) {
      const query = { sql, args: [], argTypes: [] };
      expect(await viaProxy.queryRaw(query)).toStrictEqual(await viaLocal.queryRaw(query));
    }
  });

  it("rethrows PostgreSQL errors as PGlite's DatabaseError with every field", async () => {
    const fail = async (db: Db) => {
      try {
        await db.query("insert into t (tx) values ($1)", ["second"]);
      } catch (err) {
        return err;
      }
      throw new Error("no error");
    };
    const [expected, actual] = [await fail(local), await fail(proxy)];
    expect(actual).toBeInstanceOf(messages.DatabaseError);
    expect(actual).toMatchObject({ code: "23505", severity: "ERROR", constraint: "t_tx_key", table: "t" });
    const fields = (e: unknown) => ({ ...(e as object), message: (e as Error).message });
    expect(fields(actual)).toStrictEqual(fields(expected));
    expect(await proxy.query("select 1 as ok")).toMatchObject({ rows: [{ ok: 1 }] });
  });

  it("keeps a transaction open until its callback ends: commit, explicit rollback, and an error", async () => {
    await proxy.exec("create table tx_test (n int primary key)");
    const count = async () =>
      (await proxy.query<{ n: number }>("select count(*)::int as n from tx_test")).rows[0]?.n;

    let outside: Promise<number | undefined> | undefined;
    const result = await proxy.transaction(async (tx) => {
      await tx.query("insert into tx_test values ($1)", [1]);
      // A query outside the transaction waits for it, as PGlite queues it (one connection).
      outside = count();
      await tx.exec("insert into tx_test values (2)");
      expect((await tx.query("select count(*)::int as n from tx_test")).rows).toEqual([{ n: 2 }]);
      return "done";
    });
    expect(result).toBe("done");
    expect(await outside).toBe(2);

    let closedAfterRollback = false;
    await proxy.transaction(async (tx) => {
      await tx.query("insert into tx_test values (3)");
      await tx.rollback();
      closedAfterRollback = tx.closed;
      await expect(tx.query("select 1")).rejects.toThrow("Transaction is closed");
    });
    expect(closedAfterRollback).toBe(true);
    expect(await count()).toBe(2);

    await expect(
      proxy.transaction(async (tx) => {
        await tx.query("insert into tx_test values (4)");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await count()).toBe(2);

    // A PostgreSQL error inside: the statement fails as a DatabaseError and everything rolls back.
    await expect(
      proxy.transaction(async (tx) => {
        await tx.query("insert into tx_test values (5)");
        await tx.query("insert into tx_test values (1)");
      }),
    ).rejects.toMatchObject({ code: "23505" });
    expect(await count()).toBe(2);
    expect(await proxy.query("select 1 as ok")).toMatchObject({ rows: [{ ok: 1 }] });
  });

  it("serves another proxy over a port: the same data, its own transactions, closing it leaves the database open", async () => {
    await proxy.exec("create table port_test (n int primary key)");
    const other = await PGliteProxy.attach(await proxy.openPort());
    // Both transaction counters start at 1: the worker keeps each port's transactions apart.
    await other.transaction(async (tx) => {
      await tx.query("insert into port_test values (1)");
    });
    await proxy.transaction(async (tx) => {
      await tx.query("insert into port_test values (2)");
    });
    const seen = await other.query<{ n: number }>("select n from port_test order by n");
    expect(seen.rows).toEqual([{ n: 1 }, { n: 2 }]);
    await other.close();
    await expect(other.query("select 1")).rejects.toThrow("PGlite is closed");
    expect((await proxy.query("select count(*)::int as n from port_test")).rows).toEqual([{ n: 2 }]);
  });

  it("answers many concurrent queries, each with its own result", async () => {
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        proxy.query<{ n: number; s: string }>("select $1::int as n, $2 as s", [i, `v${i}`]),
      ),
    );
    answers.forEach((answer, i) => {
      expect(answer.rows).toEqual([{ n: i, s: `v${i}` }]);
    });
  });

  it("refuses query options that cannot cross threads, and parameters that cannot be cloned", async () => {
    await expect(proxy.query("select 1", [], { serializers: { 25: String } })).rejects.toThrow(/serializers/);
    await expect(proxy.query("select $1::text", [() => 1])).rejects.toThrow();
    expect(await proxy.query("select 1 as ok")).toMatchObject({ rows: [{ ok: 1 }] });
  });
});

describe("PGlite worker lifecycle", () => {
  it("rejects pending and later queries with a clear error when the worker dies", async () => {
    const crashes: Error[] = [];
    const proxy = await PGliteProxy.create({ onCrash: (err) => crashes.push(err) });
    const heavy = proxy.query("select count(*) from generate_series(1, 5e6)");
    await (proxy as unknown as { worker: Worker }).worker.terminate();
    await expect(heavy).rejects.toThrow(/PGlite worker exited unexpectedly/);
    await expect(proxy.query("select 1")).rejects.toThrow(/PGlite worker exited unexpectedly/);
    expect(crashes).toHaveLength(1);
    expect(proxy.ready).toBe(false);
    await proxy.close();
  });

  it.runIf(process.platform === "linux")(
    "runs the database thread at a lower CPU priority than the app",
    async () => {
      /** Nice values of this process's threads (field 19 of /proc/<pid>/task/<tid>/stat). */
      const niceValues = () =>
        readdirSync("/proc/self/task").map((tid) => {
          const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
          return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
        });
      const before = niceValues().filter((n) => n === 10).length;
      const proxy = await PGliteProxy.create();
      try {
        expect(niceValues().filter((n) => n === 10).length).toBe(before + 1);
        expect(niceValues()).toContain(0); // the main thread keeps its priority
      } finally {
        await proxy.close();
      }
    },
  );

  it("fails to start with the underlying error instead of hanging", async () => {
    await expect(PGliteProxy.create({ dataDir: "/dev/null/pglite" })).rejects.toThrow(
      /ENOTDIR|not a directory/i,
    );
  });

  it("runs at the main thread's priority while it starts (the app waits for it), niced once open (Linux)", async () => {
    // Threads of this process (vitest runs each file in its own) niced below the main thread, now.
    const niced = () => {
      const main = niceOf(`/proc/${process.pid}/stat`);
      return readdirSync(`/proc/${process.pid}/task`).filter(
        (tid) => niceOf(`/proc/${process.pid}/task/${tid}/stat`) > main,
      ).length;
    };
    if (process.platform !== "linux") return;
    const before = niced();
    const proxy = new PGliteProxy({ niceness: 5 });
    let duringStart = before;
    let starting = true;
    void proxy.waitReady.finally(() => {
      starting = false;
    });
    while (starting) {
      duringStart = Math.max(duringStart, niced());
      await new Promise((r) => setTimeout(r, 5));
    }
    try {
      expect(duringStart).toBe(before);
      expect(niced()).toBe(before + 1);
    } finally {
      await proxy.close();
    }
  });

  it("closes: later queries fail, closing twice is fine", async () => {
    const proxy = await PGliteProxy.create();
    await proxy.close();
    await proxy.close();
    expect(proxy.closed).toBe(true);
    await expect(proxy.query("select 1")).rejects.toThrow("PGlite is closed");
  });

  it("lets a process exit while the database is idle, but not while a query runs", () => {
    const script = `
      import { PGliteProxy } from "./src/db/pglite-proxy.ts";
      const db = await PGliteProxy.create();
      db.query("select count(*)::int as n from generate_series(1, 1e5)").then((r) => console.log("n", r.rows[0].n));`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(child.stderr).toBe("");
    expect(child.stdout.trim()).toBe("n 100000");
    expect(child.status).toBe(0);
  }, 90_000); // a child compiling with tsx and starting PGlite: 28 s of the default 30 s under load

  it("reports a unique violation through Prisma exactly as in-thread PGlite (one active onboarding per customer)", async () => {
    /** What Prisma throws for a duplicate, outside and inside an interactive transaction, in one mode. */
    const violations = async (pgliteInThread: boolean) => {
      const db = await openDatabase({
        dataDir: ":memory:",
        logger: createLogger({ level: "silent" }),
        pgliteInThread,
      });
      const caught = async (work: Promise<unknown>) => {
        const err = await work.then(
          () => undefined,
          (e: unknown) => e as Error & { cause?: unknown },
        );
        return { name: err?.name, message: err?.message, cause: err?.cause };
      };
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
        const plain = await caught(db.prisma.onboarding.create({ data }));
        const inTransaction = await caught(
          db.prisma.$transaction(async (tx) => {
            await tx.onboarding.create({ data: { ...data, status: "done" } });
            await tx.onboarding.create({ data });
          }),
        );
        const left = await db.prisma.onboarding.count();
        return { plain, inTransaction, left };
      } finally {
        await db.close();
      }
    };
    const [inThread, inWorker] = [await violations(true), await violations(false)];
    // Prisma 6.19 does not turn this adapter's errors into P2002: it passes the adapter's DriverAdapterError
    // on, whose cause carries PostgreSQL's code only if the adapter recognised a PGlite DatabaseError.
    expect(inWorker.plain.cause).toMatchObject({ kind: "postgres", code: "23505", severity: "ERROR" });
    expect(inWorker.plain.message).toContain("onboarding_one_active_per_customer");
    const withoutKey = (v: typeof inWorker) =>
      JSON.stringify(v).replace(/\(customer_id\)=\([0-9a-f-]+\)/g, "(customer_id)=(…)");
    expect(withoutKey(inWorker)).toBe(withoutKey(inThread));
    expect(inWorker.left).toBe(1);
  }, 90_000); // two PGlite databases opened and migrated, one in a worker: 23 s under load
});

describe("the main thread's event loop while the database works", () => {
  /** Longest event-loop stall (ms) while `db` counts a large series. */
  async function stallDuring(db: Db): Promise<number> {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    histogram.enable();
    // The histogram's first timer tick is its baseline: let it happen before the loop can be blocked.
    await sleep(30);
    try {
      await db.query("select count(*) from generate_series(1, 2e6)");
      // In-thread, the query blocked the loop from start to end: the late tick is only measured now.
      await sleep(30);
    } finally {
      histogram.disable();
    }
    return histogram.max / 1e6;
  }

  it("stays responsive with the worker, unlike in-thread PGlite", async () => {
    const [local, proxy] = await Promise.all([PGlite.create(), PGliteProxy.create()]);
    try {
      const inThread = await stallDuring(local);
      const inWorker = await stallDuring(proxy);
      // In-thread, the whole query blocks the loop (~1 s here); in the worker, only scheduling noise remains.
      // Ratios from this run only, generous for a loaded CI machine.
      expect(inThread).toBeGreaterThan(100);
      expect(inWorker).toBeLessThan(inThread / 4);
    } finally {
      await Promise.all([local.close(), proxy.close()]);
    }
  });
});
