/**
 * The daily health pass keeps up with Fleet's scale: it walks every due connection batch after batch (a few
 * checks at a time) instead of 50 an hour, claims each once, and leaves active onboardings alone.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/context.ts";
import { runHealthChecks } from "../../src/finch/health-watch.ts";
import { insertOnboarding } from "../helpers/fixtures.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";

const DUE = 130;

describe("the daily health pass", () => {
  const clock = new ManualClock();
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ clock });
    for (let i = 0; i < DUE + 5; i++) {
      const active = i >= DUE; // five onboardings still open: not watched yet
      const o = await insertOnboarding(h.db, { status: active ? "active" : "done" });
      await h.db.prisma.finchConnection.create({
        data: {
          onboardingId: o.id,
          connectionId: `conn_${i}`,
          providerId: "justworks",
          // Not a token this app sealed: each check fails after its claim, and the pass goes on.
          tokenCiphertext: randomBytes(24).toString("base64"),
          tokenKeyId: "k1",
          status: "connected",
          products: ["company"],
          codeHash: randomBytes(16).toString("hex"),
          verifiedAt: clock.now(),
          // As /fleet done leaves it (src/onboarding/close.ts): due at once. Given to the open ones too, to
          // show the pass still leaves open onboardings alone.
          nextHealthCheckAt: clock.now(),
        },
      });
    }
  }, 120_000);
  afterAll(async () => h?.stop());

  const claimedToday = () =>
    h.db.prisma.finchConnection.count({ where: { nextHealthCheckAt: { gt: clock.now() } } });

  it("claims every due connection in one pass, batch after batch, and none twice", async () => {
    await runHealthChecks(h.app.ctx, { batch: 20, concurrency: 3 });
    expect(await claimedToday()).toBe(DUE);
    // The open onboardings' connections are not watched: never claimed.
    expect(
      await h.db.prisma.finchConnection.count({
        where: { onboarding: { status: "active" }, nextHealthCheckAt: { gt: clock.now() } },
      }),
    ).toBe(0);
    // A second pass the same day finds nothing due.
    const before = await h.db.prisma.finchConnection.findMany({
      select: { id: true, nextHealthCheckAt: true },
    });
    expect(await runHealthChecks(h.app.ctx, { batch: 20 })).toBe(0);
    const after = await h.db.prisma.finchConnection.findMany({
      select: { id: true, nextHealthCheckAt: true },
    });
    expect(after).toEqual(expect.arrayContaining(before));
  });

  it("stops taking new batches when its time budget is spent", async () => {
    clock.advance(86_400_000 + 60_000);
    await runHealthChecks(h.app.ctx, { batch: 10, budgetMs: 0 });
    expect(await claimedToday()).toBe(0);
    await runHealthChecks(h.app.ctx, { batch: 10 });
    expect(await claimedToday()).toBe(DUE);
  });
});
