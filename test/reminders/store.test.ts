/** The claim/lease queue itself, on PGlite and on PostgreSQL. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client.ts";
import {
  beginAttempt,
  claimDueReminders,
  finishUnsent,
  markSent,
  releaseReminder,
} from "../../src/reminders/store.ts";
import { DB_KINDS, openTestDatabase } from "../helpers/db.ts";

const T0 = new Date("2026-05-01T10:00:00Z");
const KINDS = ["day_before"];
const plus = (ms: number) => new Date(T0.getTime() + ms);

describe.each(DB_KINDS)("reminder queue on %s", (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => db?.close());

  async function fresh(
    rows: Array<{
      key: string;
      dueAt: Date;
      status?: string;
      leaseUntil?: Date | null;
      leasedBy?: string | null;
      kind?: string;
    }>,
  ) {
    await db.prisma.reminder.deleteMany();
    await db.prisma.reminder.createMany({
      data: rows.map((r) => ({
        kind: r.kind ?? "day_before",
        dedupeKey: r.key,
        dueAt: r.dueAt,
        status: r.status ?? "pending",
        leaseUntil: r.leaseUntil ?? null,
        leasedBy: r.leasedBy ?? null,
      })),
    });
    const all = await db.prisma.reminder.findMany();
    return new Map(all.map((r) => [r.dedupeKey, r.id]));
  }

  it("claims only what is due and free, oldest first, up to the limit, with a lease", async () => {
    await fresh([
      { key: "late", dueAt: plus(-1_000) },
      { key: "early", dueAt: plus(-60_000) },
      { key: "future", dueAt: plus(60_000) },
      { key: "backoff", dueAt: plus(-60_000), leaseUntil: plus(30_000) },
      { key: "sent", dueAt: plus(-60_000), status: "sent" },
      { key: "cancelled", dueAt: plus(-60_000), status: "cancelled" },
      { key: "held", dueAt: plus(-60_000), status: "sending", leasedBy: "b", leaseUntil: plus(1) },
      { key: "not-ours", dueAt: plus(-120_000), kind: "invite_expiry" },
    ]);
    const first = await claimDueReminders(db, {
      owner: "a",
      now: T0,
      leaseUntil: plus(120_000),
      limit: 1,
      kinds: KINDS,
    });
    expect(first.map((r) => r.dedupeKey)).toEqual(["early"]);
    const rest = await claimDueReminders(db, {
      owner: "a",
      now: T0,
      leaseUntil: plus(120_000),
      limit: 10,
      kinds: KINDS,
    });
    expect(rest.map((r) => r.dedupeKey)).toEqual(["late"]);
    expect(rest[0]).toMatchObject({ attempts: 0, leaseExpired: false, channelId: null });
    const row = await db.prisma.reminder.findUniqueOrThrow({ where: { dedupeKey: "late" } });
    expect(row).toMatchObject({ status: "sending", leasedBy: "a", leaseUntil: plus(120_000) });
  });

  it("reclaims an expired lease and says so; the old holder can then neither post nor record", async () => {
    const ids = await fresh([{ key: "r", dueAt: plus(-60_000) }]);
    const id = ids.get("r") ?? "";
    await claimDueReminders(db, {
      owner: "dead",
      now: T0,
      leaseUntil: plus(10_000),
      limit: 5,
      kinds: KINDS,
    });
    expect(await beginAttempt(db, { id, owner: "dead", channelId: "C1", leaseUntil: plus(10_000) })).toBe(
      true,
    );
    // Not claimable while the lease runs …
    expect(
      await claimDueReminders(db, {
        owner: "b",
        now: plus(9_999),
        leaseUntil: plus(60_000),
        limit: 5,
        kinds: KINDS,
      }),
    ).toEqual([]);
    // … but once it ran out.
    const [taken] = await claimDueReminders(db, {
      owner: "b",
      now: plus(10_000),
      leaseUntil: plus(60_000),
      limit: 5,
      kinds: KINDS,
    });
    expect(taken).toMatchObject({ id, leaseExpired: true, attempts: 1, channelId: "C1" });
    expect(await beginAttempt(db, { id, owner: "dead", channelId: "C1", leaseUntil: plus(70_000) })).toBe(
      false,
    );
    expect(await markSent(db, { id, owner: "dead", channelId: "C1", messageTs: "1.1", sentAt: T0 })).toBe(
      false,
    );
    expect(await markSent(db, { id, owner: "b", channelId: "C1", messageTs: "1.2", sentAt: T0 })).toBe(true);
    expect(await db.prisma.reminder.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: "sent",
      messageTs: "1.2",
      leasedBy: null,
      leaseUntil: null,
    });
  });

  it("release puts it back after a not-before time; finishUnsent ends it", async () => {
    const ids = await fresh([
      { key: "x", dueAt: plus(-1) },
      { key: "y", dueAt: plus(-1) },
    ]);
    await claimDueReminders(db, {
      owner: "a",
      now: T0,
      leaseUntil: plus(60_000),
      limit: 5,
      kinds: KINDS,
    });
    await releaseReminder(db, {
      id: ids.get("x") ?? "",
      owner: "a",
      notBefore: plus(30_000),
      error: "ratelimited",
    });
    await finishUnsent(db, {
      id: ids.get("y") ?? "",
      owner: "a",
      status: "cancelled",
      reason: "the call moved",
    });
    expect(
      await claimDueReminders(db, {
        owner: "a",
        now: plus(29_999),
        leaseUntil: plus(90_000),
        limit: 5,
        kinds: KINDS,
      }),
    ).toEqual([]);
    const again = await claimDueReminders(db, {
      owner: "a",
      now: plus(30_000),
      leaseUntil: plus(90_000),
      limit: 5,
      kinds: KINDS,
    });
    expect(again.map((r) => [r.dedupeKey, r.leaseExpired])).toEqual([["x", false]]);
    expect(await db.prisma.reminder.findUniqueOrThrow({ where: { dedupeKey: "y" } })).toMatchObject({
      status: "cancelled",
      lastError: "the call moved",
    });
  });

  it("concurrent claimers never get the same reminder", async () => {
    await fresh(Array.from({ length: 60 }, (_, i) => ({ key: `k${i}`, dueAt: plus(-i) })));
    const claims = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        claimDueReminders(db, {
          owner: `o${i}`,
          now: T0,
          leaseUntil: plus(60_000),
          limit: 7,
          kinds: KINDS,
        }),
      ),
    );
    const ids = claims.flat().map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(42);
  });
});
