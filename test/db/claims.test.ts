/** Exactly-once keys and leases (src/db/claims.ts), against a real, migrated PGlite. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  claimDelivery,
  claimLease,
  pruneDeliveries,
  releaseClaim,
  releaseQuietly,
  runClaimed,
} from "../../src/db/claims.ts";
import type { Database } from "../../src/db/client.ts";
import { openTestDatabase } from "../helpers/db.ts";

const DAY_MS = 86_400_000;

describe("claims", () => {
  let db: Database;
  let ctx: { db: Database };
  beforeAll(async () => {
    db = await openTestDatabase("pglite");
    ctx = { db };
  });
  afterAll(async () => db?.close());
  beforeEach(async () => {
    await db.prisma.processedDelivery.deleteMany();
  });

  const keys = async () =>
    (await db.prisma.processedDelivery.findMany({ orderBy: { key: "asc" } })).map((r) => r.key);

  it("a key is claimed once: the second claim is refused, other keys are free", async () => {
    expect(await claimDelivery(ctx, "evt:1")).toBe(true);
    expect(await claimDelivery(ctx, "evt:1")).toBe(false);
    expect(await claimDelivery(ctx, "evt:2")).toBe(true);
    expect(await keys()).toEqual(["evt:1", "evt:2"]);
  });

  it("of many claims racing for one key, exactly one wins", async () => {
    const won = await Promise.all(Array.from({ length: 8 }, () => claimDelivery(ctx, "cmd:race")));
    expect(won.filter(Boolean)).toHaveLength(1);
  });

  it("a released claim can be claimed again; releasing a free key does nothing", async () => {
    await claimDelivery(ctx, "finch-code:abc");
    await releaseClaim(ctx, "finch-code:abc");
    await releaseClaim(ctx, "never-claimed");
    await releaseQuietly(ctx, "never-claimed-either");
    expect(await keys()).toEqual([]);
    expect(await claimDelivery(ctx, "finch-code:abc")).toBe(true);
  });

  it("runClaimed keeps the claim when the work succeeds, and hands back its result", async () => {
    await claimDelivery(ctx, "act:ok");
    expect(await runClaimed(ctx, "act:ok", async () => 42)).toBe(42);
    expect(await claimDelivery(ctx, "act:ok")).toBe(false);
  });

  it("runClaimed releases the claim when the work fails, and rethrows the failure", async () => {
    await claimDelivery(ctx, "act:boom");
    const boom = new Error("slack is down");
    await expect(
      runClaimed(ctx, "act:boom", async () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await keys()).toEqual([]);
    expect(await claimDelivery(ctx, "act:boom")).toBe(true);
  });

  it("a lease is refused while held, taken over once it is older than two minutes, and free after release", async () => {
    expect(await claimLease(ctx, "setup:o1")).toBe(true);
    expect(await claimLease(ctx, "setup:o1")).toBe(false);
    // Held for 90 s: its holder may still be working.
    await db.prisma.processedDelivery.update({
      where: { key: "setup:o1" },
      data: { receivedAt: new Date(Date.now() - 90_000) },
    });
    expect(await claimLease(ctx, "setup:o1")).toBe(false);
    // Held for 3 min: the holder is presumed dead, and the new holder's lease starts afresh.
    await db.prisma.processedDelivery.update({
      where: { key: "setup:o1" },
      data: { receivedAt: new Date(Date.now() - 180_000) },
    });
    expect(await claimLease(ctx, "setup:o1")).toBe(true);
    expect(await claimLease(ctx, "setup:o1")).toBe(false);
    await releaseQuietly(ctx, "setup:o1");
    expect(await claimLease(ctx, "setup:o1")).toBe(true);
  });

  it("pruning drops every kind of claim once past its retention, and keeps recent ones", async () => {
    const now = new Date();
    const daysAgo = (d: number) => new Date(now.getTime() - d * DAY_MS);
    await db.prisma.processedDelivery.createMany({
      data: [
        { key: "evt:old", receivedAt: daysAgo(8) },
        { key: "cmd:old", receivedAt: daysAgo(8) },
        { key: "act:old", receivedAt: daysAgo(8) },
        { key: "view:old", receivedAt: daysAgo(8) },
        // Unknown codes sent to /finch/callback, webhook ids and set-up leases must not pile up forever.
        { key: "finch-code:old", receivedAt: daysAgo(8) },
        { key: "finch-event:old", receivedAt: daysAgo(8) },
        { key: "setup:old", receivedAt: daysAgo(8) },
        { key: "alert:stall:old", receivedAt: daysAgo(91) },
        { key: "someday-new-prefix:old", receivedAt: daysAgo(91) },
        { key: "evt:recent", receivedAt: daysAgo(6) },
        { key: "finch-code:recent", receivedAt: daysAgo(6) },
        // An alert claim remembers "already told the rep" much longer than a delivery id.
        { key: "alert:stall:recent", receivedAt: daysAgo(8) },
        { key: "someday-new-prefix:recent", receivedAt: daysAgo(8) },
      ],
    });
    expect(await pruneDeliveries(ctx, now)).toBe(9);
    expect(await keys()).toEqual([
      "alert:stall:recent",
      "evt:recent",
      "finch-code:recent",
      "someday-new-prefix:recent",
    ]);
    expect(await pruneDeliveries(ctx, now)).toBe(0);
  });
});
