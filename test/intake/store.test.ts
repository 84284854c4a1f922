/**
 * The intake table on both databases: store once, lease in arrival order per order key, take over a dead
 * process's lease, back off, dead-letter, retry; payloads are ciphertext and dropped once applied.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { KeyRing } from "../../src/crypto.ts";
import { Prisma } from "../../src/db/generated/client.ts";
import type { IncomingDelivery } from "../../src/intake/delivery.ts";
import {
  backoffMs,
  claimLease,
  insertDelivery,
  leaseDue,
  listDeadLetters,
  markApplied,
  markFailed,
  OVERTAKEN_BY_NEWER,
  retryDeadLetter,
  retryDeadLetterOutcome,
} from "../../src/intake/store.ts";
import { DB_KINDS, openTestDatabase } from "../helpers/db.ts";

const keys: KeyRing = { current: { id: "k1", key: randomBytes(32) }, previous: [] };

let n = 0;
function delivery(over: Partial<IncomingDelivery> = {}): IncomingDelivery {
  n += 1;
  return {
    key: `test:${n}:${randomBytes(3).toString("hex")}`,
    source: "slack",
    kind: "block_actions",
    orderKey: "slack:C1",
    userId: "U1",
    teamId: "T1",
    channelId: "C1",
    summary: "checkbox tick:a (ticked)",
    body: { secret_marker: "response-url-xyz", n },
    receivedAt: new Date(Date.now() - 60_000 + n),
    ...over,
  };
}

describe.each(DB_KINDS)("intake store (%s)", (kind) => {
  let ctx: { db: Awaited<ReturnType<typeof openTestDatabase>>; keys: KeyRing };
  beforeAll(async () => {
    ctx = { db: await openTestDatabase(kind), keys };
  });
  afterAll(async () => ctx?.db.close());
  beforeEach(async () => {
    await ctx.db.prisma.intakeDelivery.deleteMany();
  });
  const opts = (live: boolean, leaseMs = 60_000) => ({ owner: "me", leaseMs, live });

  it("stores a delivery once: the first insert leases it to the caller, a redelivery is a duplicate", async () => {
    const d = delivery();
    expect(await insertDelivery(ctx, d, opts(true))).toBe("applying");
    expect(await insertDelivery(ctx, d, opts(true))).toBe("duplicate");
    const row = await ctx.db.prisma.intakeDelivery.findUniqueOrThrow({ where: { key: d.key } });
    expect(row.payload).toMatch(/^v1\.k1\./);
    expect(row.payload).not.toContain("response-url-xyz");
    await markApplied(ctx, d.key, "me");
    const done = await ctx.db.prisma.intakeDelivery.findUniqueOrThrow({ where: { key: d.key } });
    expect(done).toMatchObject({ status: "done", payload: null });
  });

  it("queues a live delivery behind an older pending one of the same channel, and leases them in order", async () => {
    const older = delivery();
    const newer = delivery();
    const elsewhere = delivery({ orderKey: "slack:C2", channelId: "C2" });
    expect(await insertDelivery(ctx, older, opts(false))).toBe("pending");
    expect(await insertDelivery(ctx, newer, opts(true))).toBe("pending");
    expect(await insertDelivery(ctx, elsewhere, opts(true))).toBe("applying");
    // Only the older one is due for C1: the newer waits until it is applied.
    const first = await leaseDue(ctx, { owner: "w", leaseMs: 60_000, limit: 10 });
    expect(first.map((d) => d.key)).toEqual([older.key]);
    expect(first[0]?.body).toEqual(older.body);
    expect(first[0]?.attempts).toBe(1);
    await markApplied(ctx, older.key, "w");
    const second = await leaseDue(ctx, { owner: "w", leaseMs: 60_000, limit: 10 });
    expect(second.map((d) => d.key)).toEqual([newer.key]);
  });

  it("takes over a delivery whose holder let its lease run out (the process died)", async () => {
    const d = delivery({ orderKey: null });
    expect(await insertDelivery(ctx, d, opts(true, 1_000))).toBe("applying");
    expect(await leaseDue(ctx, { owner: "w", leaseMs: 60_000, limit: 10 })).toEqual([]);
    await new Promise((r) => setTimeout(r, 1_100));
    const taken = await leaseDue(ctx, { owner: "w", leaseMs: 60_000, limit: 10 });
    expect(taken.map((t) => [t.key, t.attempts])).toEqual([[d.key, 2]]);
    const row = await ctx.db.prisma.intakeDelivery.findUniqueOrThrow({ where: { key: d.key } });
    expect(row.owner).toBe("w");
  });

  it("backs off after a failure, dead-letters after the last attempt, and a retry makes it due again", async () => {
    const d = delivery({ orderKey: null });
    await insertDelivery(ctx, d, opts(true));
    expect(await markFailed(ctx, { ...d, attempts: 1 }, "Error: boom", 2, "me")).toBe("pending");
    const row = await ctx.db.prisma.intakeDelivery.findUniqueOrThrow({ where: { key: d.key } });
    expect(row.nextAttemptAt.getTime() - Date.now()).toBeGreaterThan(backoffMs(1) - 500);
    expect(await leaseDue(ctx, { owner: "w", leaseMs: 60_000, limit: 10 })).toEqual([]);
    await ctx.db.prisma.intakeDelivery.update({
      where: { key: d.key },
      data: { nextAttemptAt: new Date(0) },
    });
    const [again] = await leaseDue(ctx, { owner: "w", leaseMs: 60_000, limit: 10 });
    expect(again?.attempts).toBe(2);
    expect(await markFailed(ctx, again as never, "Error: boom again", 2, "w")).toBe("dead");
    const dead = await listDeadLetters(ctx, 5);
    expect(dead.total).toBe(1);
    expect(dead.items[0]).toMatchObject({
      key: d.key,
      attempts: 2,
      lastError: "Error: boom again",
      userId: "U1",
    });
    expect(await leaseDue(ctx, { owner: "w", leaseMs: 60_000, limit: 10 })).toEqual([]);
    expect(await retryDeadLetter(ctx, d.key)).toBe(true);
    expect(await retryDeadLetter(ctx, d.key)).toBe(false);
    const [retried] = await leaseDue(ctx, { owner: "w", leaseMs: 60_000, limit: 10 });
    expect(retried?.key).toBe(d.key);
    expect(retried?.attempts).toBe(1);
  });

  it("a rep's Retry of a dead tick that a newer change of its element overtook says so and applies nothing", async () => {
    const old = delivery({ absolute: true });
    const newer = delivery({ absolute: true });
    await insertDelivery(ctx, old, opts(true));
    expect(await markFailed(ctx, { ...old, attempts: 1 }, "Error: boom", 1, "me")).toBe("dead");
    expect(await insertDelivery(ctx, newer, opts(true))).toBe("applying");
    expect(await markApplied(ctx, newer.key, "me")).toBe(true);
    expect(await retryDeadLetter(ctx, old.key)).toBe(false);
    const row = await ctx.db.prisma.intakeDelivery.findUniqueOrThrow({ where: { key: old.key } });
    expect(row).toMatchObject({ status: "obsolete", payload: null });
    expect(row.lastError).toMatch(/overtaken/);
    expect(await leaseDue(ctx, { owner: "w", leaseMs: 60_000, limit: 10 })).toEqual([]);
    expect(await retryDeadLetterOutcome(ctx, old.key)).toBe("not-dead");
  });

  it("a late /fleet call is overtaken by a newer one of the same element from another person; not by their /fleet status", async () => {
    const command = (userId: string, elements?: string[]) =>
      delivery({
        kind: "slash_command",
        userId,
        orderKey: `slack:C1:cmd:${userId}`,
        absolute: elements !== undefined,
        ...(elements ? { elements } : {}),
      });
    const old = command("U1", ["slack:C1:set:call"]);
    const status = command("U1");
    // Spooled during an outage: stored pending, replayed by the worker after newer commands were applied.
    await insertDelivery(ctx, old, opts(false));
    expect(await insertDelivery(ctx, status, opts(true))).toBe("pending");
    const newer = command("U2", ["slack:C1:set:call"]);
    expect(await insertDelivery(ctx, newer, opts(true))).toBe("applying");
    expect(await markApplied(ctx, newer.key, "me")).toBe(true);
    const leased = await leaseDue(ctx, { owner: "w", leaseMs: 60_000, limit: 10 });
    expect(leased.map((d) => d.key)).toEqual([old.key]);
    expect(await claimLease(ctx, old.key, "w", 60_000)).toBe("obsolete");
    // The same person's later /fleet status sets nothing: it is applied, and overtakes nothing.
    const next = await leaseDue(ctx, { owner: "w", leaseMs: 60_000, limit: 10 });
    expect(next.map((d) => d.key)).toEqual([status.key]);
    expect(await claimLease(ctx, status.key, "w", 60_000)).toBe("go");
  });

  it("judging a tick overtaken reads its own element's rows, not every applied delivery the week keeps", async () => {
    // A week of applied deliveries of other elements (PGlite keeps no planner statistics: none are gathered).
    await ctx.db.sql.exec(`insert into intake_delivery (key, source, kind, order_key, summary, status, absolute, received_at)
      select 'old:' || i, 'slack', 'block_actions', 'slack:C' || (i % 50), 'tick', 'done', true,
             now() - interval '1 hour' + i * interval '1 millisecond'
        from generate_series(1, 3000) as i`);
    const tick = delivery({ absolute: true, orderKey: "slack:C1:tick:a" });
    await insertDelivery(ctx, tick, opts(true));
    const plans = await ctx.db.prisma.$queryRaw<Array<{ "QUERY PLAN": unknown }>>(
      Prisma.sql`explain (analyze, format json)
        select ${OVERTAKEN_BY_NEWER} as stale from intake_delivery c where c.key = ${tick.key}`,
    );
    const raw = plans[0]?.["QUERY PLAN"];
    const plan = typeof raw === "string" ? JSON.parse(raw) : raw;
    // Rows a scan read and threw away: the old `exists (order key or elements)` read all 3,000.
    let removed = 0;
    const walk = (node: Record<string, unknown>) => {
      removed +=
        Number(node["Rows Removed by Filter"] ?? 0) + Number(node["Rows Removed by Index Recheck"] ?? 0);
      for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
    };
    walk((plan as Array<{ Plan: Record<string, unknown> }>)[0]?.Plan ?? {});
    expect(removed).toBeLessThan(50);
    expect(await claimLease(ctx, tick.key, "me", 60_000)).toBe("go");
  });

  it("backoff doubles from 1 s and stops growing at 5 minutes", () => {
    expect([1, 2, 3, 4].map(backoffMs)).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffMs(30)).toBe(300_000);
  });
});
