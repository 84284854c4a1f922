/**
 * The drain's lease renewals and sent records, coalesced: concurrent calls go out as one multi-row statement,
 * and each caller still gets its own row's answer (a lost lease is false for that reminder only), on PGlite
 * and on PostgreSQL. A failing batch falls back to one statement per call.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client.ts";
import type { SqlRunner } from "../../src/db/migrate.ts";
import { Coalescer, coalescedQueueWrites } from "../../src/reminders/scheduler/coalesce.ts";
import { claimDueReminders } from "../../src/reminders/store.ts";
import { DB_KINDS, openTestDatabase } from "../helpers/db.ts";

const T0 = new Date("2026-05-01T10:00:00Z");
const plus = (ms: number) => new Date(T0.getTime() + ms);

/** `db` whose driver statements are also listed in `seen`. */
function counting(db: Database, seen: string[]): Pick<Database, "sql"> {
  const sql: SqlRunner = {
    ...db.sql,
    query: (text, params) => {
      seen.push(text);
      return db.sql.query(text, params);
    },
  };
  return { sql };
}

describe.each(DB_KINDS)("coalesced queue writes on %s", (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => db?.close());

  /** `n` reminders claimed by "a", then one of them (`lost`) taken over by "b". */
  async function claimed(n: number, lost: number): Promise<string[]> {
    await db.prisma.reminder.deleteMany();
    await db.prisma.reminder.createMany({
      data: Array.from({ length: n }, (_, i) => ({
        kind: "day_before",
        dedupeKey: `k${i}`,
        dueAt: plus(-1_000),
      })),
    });
    const rows = await claimDueReminders(db, {
      owner: "a",
      now: T0,
      leaseUntil: plus(60_000),
      limit: n,
      kinds: ["day_before"],
    });
    const ids = rows.map((r) => r.id).sort();
    await db.prisma.reminder.update({ where: { id: ids[lost] }, data: { leasedBy: "b" } });
    return ids;
  }

  it("N concurrent begins → one statement; each learns whether its own lease held", async () => {
    const ids = await claimed(6, 2);
    const seen: string[] = [];
    const writes = coalescedQueueWrites(counting(db, seen));
    const held = await Promise.all(
      ids.map((id, i) =>
        writes.beginAttempt({ id, owner: "a", channelId: `C${i}`, leaseUntil: plus(90_000) }),
      ),
    );
    expect(held).toEqual(ids.map((_, i) => i !== 2));
    expect(seen).toHaveLength(1);
    const rows = await db.prisma.reminder.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.attempts, r.channelId])).toEqual(
      ids.map((_, i) => (i === 2 ? [0, null] : [1, `C${i}`])),
    );
    expect(
      rows.filter((r) => r.attempts === 1).every((r) => r.leaseUntil?.getTime() === plus(90_000).getTime()),
    ).toBe(true);
  });

  it("N concurrent sent records → one statement: sent where the lease held, audited for all", async () => {
    const ids = await claimed(5, 4);
    const before = await db.prisma.auditEvent.count({ where: { action: "reminder.sent" } });
    const seen: string[] = [];
    const writes = coalescedQueueWrites(counting(db, seen));
    const recorded = await Promise.all(
      ids.map((id, i) =>
        writes.markSentAndRecord({
          id,
          owner: "a",
          channelId: `C${i}`,
          messageTs: `1.${i}`,
          sentAt: plus(i),
          onboardingId: null,
          messageKind: null,
          nudged: false,
          audit: { action: "reminder.sent", detail: { reminderId: id } },
        }),
      ),
    );
    expect(recorded).toEqual([true, true, true, true, false]);
    expect(seen).toHaveLength(1);
    const rows = await db.prisma.reminder.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.status, r.messageTs, r.sentAt?.getTime() ?? null, r.leasedBy])).toEqual(
      ids.map((_, i) =>
        i === 4 ? ["sending", null, null, "b"] : ["sent", `1.${i}`, plus(i).getTime(), null],
      ),
    );
    expect(await db.prisma.auditEvent.count({ where: { action: "reminder.sent" } })).toBe(before + 5);
  });
});

describe("Coalescer", () => {
  it("calls with the same key go to separate batches; a failing batch is retried call by call", async () => {
    const batches: string[][] = [];
    const c = new Coalescer(
      async (inputs: string[]) => {
        batches.push(inputs);
        if (inputs.length > 1 && inputs.includes("bad")) throw new Error("batch failed");
        if (inputs[0] === "bad") throw new Error("bad row");
        return inputs.map((i) => i.toUpperCase());
      },
      (i) => i,
    );
    const same = await Promise.all([c.call("x"), c.call("x"), c.call("y")]);
    expect(same).toEqual(["X", "X", "Y"]);
    expect(batches).toEqual([["x", "y"], ["x"]]);
    batches.length = 0;
    const mixed = await Promise.allSettled([c.call("p"), c.call("bad"), c.call("q")]);
    expect(mixed.map((m) => (m.status === "fulfilled" ? m.value : (m.reason as Error).message))).toEqual([
      "P",
      "bad row",
      "Q",
    ]);
    expect(batches).toEqual([["p", "bad", "q"], ["p"], ["bad"], ["q"]]);
  });
});
