/**
 * Issue 22, points 1–3 on both databases: one owner per delivery (short lease, slow applier, two processes),
 * per-element order and staleness (a spooled tick does not win over the live untick that followed it; a live
 * delivery waits behind one of its element still applying), and a row that cannot be decrypted is a dead
 * letter at once while the others flow.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { KeyRing } from "../../src/crypto.ts";
import type { Database } from "../../src/db/client.ts";
import type { IncomingDelivery, StoredDelivery } from "../../src/intake/delivery.ts";
import { DurableIntake, type IntakeSettings } from "../../src/intake/intake.ts";
import { Spool } from "../../src/intake/spool.ts";
import { insertDelivery, markApplied, markFailed } from "../../src/intake/store.ts";
import { createLogger } from "../../src/logger.ts";
import { DB_KINDS, openTestDatabase } from "../helpers/db.ts";
import { eventually } from "../helpers/harness.ts";

const keys: KeyRing = { current: { id: "k1", key: randomBytes(32) }, previous: [] };
const logger = createLogger({ level: "silent" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The real database behind a switch: `down` fails every call at once. */
function switchable(db: Database) {
  const state = { down: false };
  const wrap = (target: object): unknown =>
    new Proxy(target, {
      get(t, prop, receiver) {
        const value = Reflect.get(t, prop, receiver) as unknown;
        if (typeof value === "function") {
          return (...args: unknown[]) =>
            state.down
              ? Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432"))
              : (value as (...a: unknown[]) => unknown).apply(t, args);
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
function delivery(over: Partial<IncomingDelivery> = {}): IncomingDelivery {
  seq += 1;
  return {
    key: `evt:${seq}:${randomBytes(3).toString("hex")}`,
    source: "slack",
    kind: "block_actions",
    orderKey: `slack:C${seq}:tick:a`,
    userId: "U1",
    teamId: "T1",
    channelId: "C1",
    summary: `checkbox tick:a (ticked)`,
    body: { seq },
    receivedAt: new Date(Date.now() - 1_000 + (seq % 1000)),
    ...over,
  };
}

describe.each(DB_KINDS)("intake: exactly once and in order (%s)", (kind) => {
  let real: Database;
  const running: DurableIntake[] = [];
  beforeAll(async () => {
    real = await openTestDatabase(kind);
  });
  afterAll(async () => real?.close());
  beforeEach(async () => {
    for (const i of running.splice(0)) await i.stop();
    await real.prisma.intakeDelivery.deleteMany();
  });

  function intake(over: Partial<IntakeSettings> & { db?: Database; ring?: KeyRing } = {}) {
    const spool = new Spool(join(mkdtempSync(join(tmpdir(), "fc-eo-")), "spool"), over.ring ?? keys, {
      maxFiles: 100,
      maxBytes: 10_000_000,
    });
    const i = new DurableIntake({ db: over.db ?? real, keys: over.ring ?? keys, logger }, spool, {
      storeBudgetMs: 500,
      leaseMs: 2_000,
      maxAttempts: 5,
      pollMs: 50,
      liveLimit: 8,
      ...over,
    });
    running.push(i);
    return { intake: i, spool };
  }

  it("two processes, a short lease and a slow applier: every delivery is applied once", async () => {
    const applied: string[] = [];
    const slow = async (d: StoredDelivery) => {
      applied.push(d.key);
      await sleep(400);
    };
    // A batch of 20 over 4 lanes at 400 ms each: the last rows of the batch start after the 1 s lease.
    const sent = Array.from({ length: 24 }, () => delivery());
    for (const d of sent) {
      expect(await insertDelivery({ db: real, keys }, d, { owner: "x", leaseMs: 1, live: false })).toBe(
        "pending",
      );
    }
    const a = intake({ leaseMs: 1_000 }).intake.handle("slack", slow);
    const b = intake({ leaseMs: 1_000 }).intake.handle("slack", slow);
    a.start();
    await sleep(100);
    b.start();
    await eventually(
      async () => (await real.prisma.intakeDelivery.count({ where: { status: "done" } })) === 24,
      20_000,
      "all applied",
    );
    await sleep(1_200);
    expect(applied.length).toBe(24);
    expect(new Set(applied).size).toBe(24);
  });

  it("marks an applied or failed delivery only for the process that holds its lease", async () => {
    const d = delivery();
    const ctx = { db: real, keys };
    expect(await insertDelivery(ctx, d, { owner: "holder", leaseMs: 60_000, live: true })).toBe("applying");
    expect(await markApplied(ctx, d.key, "someone-else")).toBe(false);
    expect(await markFailed(ctx, { ...d, attempts: 1 }, "boom", 5, "someone-else")).toBe("lost");
    const row = await real.prisma.intakeDelivery.findUniqueOrThrow({ where: { key: d.key } });
    expect(row).toMatchObject({ status: "applying", owner: "holder" });
    expect(await markApplied(ctx, d.key, "holder")).toBe(true);
  });

  it("a tick spooled during a blip, then the live untick after it: the checkbox ends unticked", async () => {
    const sw = switchable(real);
    const { intake: i } = intake({ db: sw.db });
    const applied: string[] = [];
    i.handle("slack", async (d) => {
      applied.push((d.body as { state: string }).state);
    });
    const element = `slack:C9:tick:${seq}`;
    const tick = delivery({ orderKey: element, absolute: true, body: { state: "ticked" } });
    const untick = delivery({
      orderKey: element,
      absolute: true,
      body: { state: "unticked" },
      receivedAt: new Date(tick.receivedAt.getTime() + 5),
    });
    sw.state.down = true;
    expect(await i.take(tick)).toBe("spooled");
    sw.state.down = false;
    // This process keeps later deliveries behind its spool; the untick reaches another replica first.
    expect(await i.take(delivery())).toBe("spooled");
    const other = intake().intake.handle("slack", async (d) => {
      applied.push((d.body as { state: string }).state);
    });
    expect(await other.take(untick)).toBe("apply-now");
    await other.applyNow(untick);
    i.start();
    await eventually(
      async () =>
        (await real.prisma.intakeDelivery.count({ where: { key: { in: [tick.key, untick.key] } } })) === 2 &&
        (await real.prisma.intakeDelivery.count({ where: { key: tick.key, status: "pending" } })) === 0 &&
        (await real.prisma.intakeDelivery.count({ where: { key: tick.key, status: "applying" } })) === 0,
      10_000,
      "tick replayed",
    );
    expect(applied.filter((x) => x !== undefined)).toEqual(["unticked"]);
    const row = await real.prisma.intakeDelivery.findUniqueOrThrow({ where: { key: tick.key } });
    expect(row.status).toBe("obsolete");
  });

  it("a spooled tick replayed while the newer untick is still applying elsewhere is obsolete", async () => {
    const sw = switchable(real);
    const { intake: i } = intake({ db: sw.db });
    const applied: string[] = [];
    const record = async (d: StoredDelivery) => {
      applied.push((d.body as { state?: string }).state ?? "other");
    };
    i.handle("slack", record);
    const element = `slack:C7:tick:${seq}`;
    const tick = delivery({ orderKey: element, absolute: true, body: { state: "ticked" } });
    const untick = delivery({
      orderKey: element,
      absolute: true,
      body: { state: "unticked" },
      receivedAt: new Date(tick.receivedAt.getTime() + 5),
    });
    sw.state.down = true;
    expect(await i.take(tick)).toBe("spooled");
    sw.state.down = false;
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const other = intake().intake.handle("slack", async (d) => {
      await gate;
      await record(d);
    });
    expect(await other.take(untick)).toBe("apply-now");
    const applying = other.applyNow(untick);
    i.start();
    await eventually(
      async () =>
        (await real.prisma.intakeDelivery.findUnique({ where: { key: tick.key } }))?.status === "obsolete",
      10_000,
      "tick recorded obsolete",
    );
    release();
    await applying;
    expect(applied).toEqual(["unticked"]);
  });

  it("a live delivery behind one of the same element that is still applying waits for it", async () => {
    const { intake: i } = intake();
    const order: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    i.handle("slack", async (d) => {
      order.push(`start:${(d.body as { n: number }).n}`);
      if ((d.body as { n: number }).n === 1) await gate;
      order.push(`end:${(d.body as { n: number }).n}`);
    });
    i.start();
    const element = `slack:C8:tick:${seq}`;
    const first = delivery({ orderKey: element, body: { n: 1 } });
    const second = delivery({
      orderKey: element,
      body: { n: 2 },
      receivedAt: new Date(first.receivedAt.getTime() + 5),
    });
    expect(await i.take(first)).toBe("apply-now");
    const running1 = i.applyNow(first);
    await eventually(() => order.length === 1, 5_000, "first started");
    expect(await i.take(second)).toBe("queued");
    await sleep(300);
    expect(order).toEqual(["start:1"]);
    release();
    await running1;
    await eventually(() => order.length === 4, 5_000, "second applied");
    expect(order).toEqual(["start:1", "end:1", "start:2", "end:2"]);
  });

  it("a row that can no longer be decrypted is a dead letter at once; the others are applied", async () => {
    const old: KeyRing = { current: { id: "k0", key: randomBytes(32) }, previous: [] };
    const bad = delivery({ receivedAt: new Date(Date.now() - 10_000) });
    await insertDelivery({ db: real, keys: old }, bad, { owner: "x", leaseMs: 1, live: false });
    const good = Array.from({ length: 3 }, () => delivery());
    for (const d of good)
      await insertDelivery({ db: real, keys }, d, { owner: "x", leaseMs: 1, live: false });
    const applied: string[] = [];
    const { intake: i } = intake({ maxAttempts: 3 });
    i.handle("slack", async (d) => {
      applied.push(d.key);
    });
    i.start();
    await eventually(() => applied.length === 3, 10_000, "good ones applied");
    const row = await real.prisma.intakeDelivery.findUniqueOrThrow({ where: { key: bad.key } });
    expect(row.status).toBe("dead");
    expect(row.attempts).toBeLessThanOrEqual(1);
    expect(row.lastError).toMatch(/decrypt|encryption key "k0"/);
  });
});
