/**
 * The durable intake end to end on embedded PGlite, with a database that can be made unreachable or slow:
 * what `take()` accepted is applied exactly once, in order, after an outage; what keeps failing is
 * dead-lettered once; what neither the database nor the spool takes is refused (no 2xx).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { KeyRing } from "../../src/crypto.ts";
import type { Database } from "../../src/db/client.ts";
import type { IncomingDelivery, StoredDelivery } from "../../src/intake/delivery.ts";
import { DurableIntake } from "../../src/intake/intake.ts";
import { Spool } from "../../src/intake/spool.ts";
import { createLogger } from "../../src/logger.ts";
import { openTestDatabase } from "../helpers/db.ts";
import { eventually } from "../helpers/harness.ts";

const keys: KeyRing = { current: { id: "k1", key: randomBytes(32) }, previous: [] };
const logger = createLogger({ level: "silent" });

/** The real database behind a switch: `down` fails every call at once, `slowMs` delays each one. */
function switchable(db: Database) {
  const state = { down: false, slowMs: 0 };
  const wrap = (target: object): unknown =>
    new Proxy(target, {
      get(t, prop, receiver) {
        const value = Reflect.get(t, prop, receiver) as unknown;
        if (typeof value === "function") {
          return (...args: unknown[]) => {
            if (state.down) return Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
            const call = () => (value as (...a: unknown[]) => unknown).apply(t, args);
            return state.slowMs ? new Promise((r) => setTimeout(r, state.slowMs)).then(call) : call();
          };
        }
        return value && typeof value === "object" ? wrap(value) : value;
      },
    });
  const ping = () => (state.down ? Promise.reject(new Error("connect ECONNREFUSED")) : db.ping());
  return {
    state,
    db: { ...db, ping, prisma: wrap(db.prisma) as Database["prisma"], sql: wrap(db.sql) as Database["sql"] },
  };
}

let seq = 0;
const delivery = (orderKey: string | null = "slack:C1"): IncomingDelivery => {
  seq += 1;
  return {
    key: `evt:${seq}:${randomBytes(3).toString("hex")}`,
    source: "slack",
    kind: "block_actions",
    orderKey,
    userId: "U1",
    teamId: "T1",
    channelId: "C1",
    summary: `checkbox tick:${seq} (ticked)`,
    body: { seq },
    receivedAt: new Date(),
  };
};

describe("durable intake", () => {
  let real: Database;
  beforeAll(async () => {
    real = await openTestDatabase("pglite");
  });
  afterAll(async () => real?.close());
  beforeEach(async () => {
    await real.prisma.intakeDelivery.deleteMany();
  });

  function start(
    options: { maxAttempts?: number; spoolFiles?: number; liveLimit?: number; storeBudgetMs?: number } = {},
  ) {
    const sw = switchable(real);
    const spool = new Spool(join(mkdtempSync(join(tmpdir(), "fc-intake-")), "spool"), keys, {
      maxFiles: options.spoolFiles ?? 100,
      maxBytes: 10_000_000,
    });
    const intake = new DurableIntake({ db: sw.db, keys, logger }, spool, {
      storeBudgetMs: options.storeBudgetMs ?? 150,
      leaseMs: 2_000,
      maxAttempts: options.maxAttempts ?? 5,
      pollMs: 50,
      liveLimit: options.liveLimit ?? 8,
    });
    const applied: StoredDelivery[] = [];
    intake.handle("slack", async (d) => {
      applied.push(d);
    });
    return { intake, spool, sw, applied };
  }

  it("spools while the database is unreachable and applies everything, once and in order, when it is back", async () => {
    const { intake, spool, sw, applied } = start();
    intake.start();
    try {
      sw.state.down = true;
      const sent = Array.from({ length: 8 }, () => delivery());
      for (const d of sent) expect(await intake.take(d)).toBe("spooled");
      // A redelivery during the outage is spooled too; replay stores it once.
      expect(await intake.take(sent[0] as IncomingDelivery)).toBe("spooled");
      expect(await spool.size()).toBe(9);
      await new Promise((r) => setTimeout(r, 300));
      expect(applied).toHaveLength(0);
      sw.state.down = false;
      await eventually(() => applied.length >= 8, 10_000, "all applied");
      await new Promise((r) => setTimeout(r, 300));
      expect(applied.map((d) => d.key)).toEqual(sent.map((d) => d.key));
      expect(await spool.size()).toBe(0);
      expect(await real.prisma.intakeDelivery.count({ where: { status: "done" } })).toBe(8);
    } finally {
      await intake.stop();
    }
  });

  it("answers within its budget when the database is slow, and still applies the delivery exactly once", async () => {
    const { intake, sw, applied } = start();
    intake.start();
    try {
      sw.state.slowMs = 700;
      const d = delivery(null);
      const t0 = performance.now();
      expect(await intake.take(d)).toBe("spooled");
      expect(performance.now() - t0).toBeLessThan(450);
      sw.state.slowMs = 0;
      await eventually(() => applied.length === 1, 10_000, "applied");
      await new Promise((r) => setTimeout(r, 500));
      expect(applied.map((a) => a.key)).toEqual([d.key]);
    } finally {
      await intake.stop();
    }
  });

  it("after a slow insert spools one delivery, only deliveries ordered with it follow it into the spool", async () => {
    const { intake, spool, sw, applied } = start();
    sw.state.slowMs = 700;
    const first = delivery("slack:C1:box1");
    expect(await intake.take(first)).toBe("spooled");
    sw.state.slowMs = 0;
    // Another checkbox, an unordered delivery, another element: nothing to wait for, the database takes them.
    const direct = [
      delivery("slack:C1:box2"),
      delivery(null),
      { ...delivery("slack:C3"), elements: ["e:1"] },
    ];
    for (const d of direct) {
      const outcome = await intake.take(d);
      expect(outcome).not.toBe("spooled");
      if (outcome === "apply-now") await intake.applyNow(d);
    }
    // The same checkbox queues behind the spooled one.
    const same = delivery("slack:C1:box1");
    expect(await intake.take(same)).toBe("spooled");
    expect(await spool.size()).toBe(2);
    const sharing = { ...delivery("slack:C2"), elements: ["e:1"] };
    expect(await spool.holdsOrderOf(sharing)).toBe(false);
    // A spool file this process did not write (an earlier run's): its order is unknown, so everything queues.
    const restarted = new Spool(spool.dir, keys, { maxFiles: 100, maxBytes: 10_000_000 });
    expect(await restarted.holdsOrderOf(sharing)).toBe(true);
    // The slow insert of the first one still lands (700 ms): let it, so nothing is left for the next test.
    await new Promise((r) => setTimeout(r, 900));
    intake.start();
    try {
      await eventually(
        async () =>
          applied.some((d) => d.key === same.key) &&
          (await real.prisma.intakeDelivery.count({ where: { status: { not: "done" } } })) === 0,
        10_000,
        "everything applied",
      );
      const keys = applied.map((d) => d.key);
      for (const d of [first, ...direct]) expect(keys).toContain(d.key);
      expect(keys.indexOf(first.key)).toBeLessThan(keys.indexOf(same.key));
      expect(await spool.holdsOrderOf(delivery("slack:C1:box1"))).toBe(false);
    } finally {
      await intake.stop();
    }
  });

  it("sets a spooled delivery the answering database refuses aside, and replays the ones after it", async () => {
    const { intake, spool, applied } = start();
    const bad = { ...delivery(), kind: null as unknown as string };
    const good = delivery();
    await spool.append(bad);
    await spool.append(good);
    intake.start();
    try {
      await eventually(() => applied.length === 1, 10_000, "the good one applied");
      expect(applied[0]?.key).toBe(good.key);
      expect(await spool.size()).toBe(0);
      const { readdirSync } = await import("node:fs");
      expect(readdirSync(spool.dir).filter((f) => f.endsWith(".rejected"))).toHaveLength(1);
    } finally {
      await intake.stop();
    }
  });

  it("applies at most liveLimit deliveries in their own requests; the rest is answered at once and applied by the worker", async () => {
    // A generous store budget: on a loaded machine an insert slower than 150 ms would be spooled instead.
    const { intake, applied } = start({ liveLimit: 1, storeBudgetMs: 2_000 });
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    intake.handle("slack", async (d) => {
      if (d.summary === "held") await held;
      applied.push(d);
    });
    intake.start();
    try {
      const first = { ...delivery(null), summary: "held" };
      expect(await intake.take(first)).toBe("apply-now");
      const applying = intake.applyNow(first);
      // The one live slot is taken: the next delivery is stored for the worker, not applied in its request.
      const second = delivery(null);
      expect(await intake.take(second)).toBe("queued");
      await eventually(() => applied.some((d) => d.key === second.key), 10_000, "the worker applied it");
      release();
      await applying;
      // The slot is free again.
      const third = delivery(null);
      expect(await intake.take(third)).toBe("apply-now");
      await intake.applyNow(third);
      expect(applied.map((d) => d.key).sort()).toEqual([first.key, second.key, third.key].sort());
      expect(await real.prisma.intakeDelivery.count({ where: { status: "done" } })).toBe(3);
    } finally {
      await intake.stop();
    }
  });

  it("refuses a delivery that neither the database nor the full spool takes", async () => {
    const { intake, sw } = start({ spoolFiles: 1 });
    sw.state.down = true;
    expect(await intake.take(delivery())).toBe("spooled");
    expect(await intake.take(delivery())).toBe("refused");
  });

  it("retries a failing delivery with backoff until it applies; gives up after the last attempt and says so once", async () => {
    const { intake } = start({ maxAttempts: 2 });
    let failures = 2;
    const attempts: number[] = [];
    intake.handle("slack", async (d) => {
      attempts.push(d.attempts);
      if (d.summary.includes("always") || failures-- > 0) throw new Error("Slack said channel_not_found");
    });
    const dead: StoredDelivery[] = [];
    intake.onDead = async (d) => {
      dead.push(d);
    };
    intake.start();
    try {
      const flaky = delivery(null);
      expect(await intake.take(flaky)).toBe("apply-now");
      await intake.applyNow(flaky);
      // Attempt 1 (live) and 2 fail: dead at maxAttempts = 2.
      await eventually(() => dead.length === 1, 10_000, "dead letter");
      expect(attempts).toEqual([1, 2]);
      expect(dead[0]?.key).toBe(flaky.key);
      const row = await real.prisma.intakeDelivery.findUniqueOrThrow({ where: { key: flaky.key } });
      expect(row).toMatchObject({ status: "dead", lastError: "Error: Slack said channel_not_found" });
      // A rep's retry: fresh attempts; the cause is gone now (failures used up).
      await real.prisma.intakeDelivery.update({
        where: { key: flaky.key },
        data: { status: "pending", attempts: 0, nextAttemptAt: new Date() },
      });
      await eventually(
        async () =>
          (await real.prisma.intakeDelivery.findUniqueOrThrow({ where: { key: flaky.key } })).status ===
          "done",
        10_000,
        "applied after the retry",
      );
      expect(attempts).toEqual([1, 2, 1]);
      expect(dead).toHaveLength(1);
    } finally {
      await intake.stop();
    }
  });

  it("hands what it still holds back at a graceful stop", async () => {
    const { intake } = start();
    const d = delivery(null);
    expect(await intake.take(d)).toBe("apply-now");
    await intake.stop();
    const row = await real.prisma.intakeDelivery.findUniqueOrThrow({ where: { key: d.key } });
    expect(row).toMatchObject({ status: "pending", owner: null });
  });
});
