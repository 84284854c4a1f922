/**
 * Issue 22 point 8 with replicas: each instance records its set-aside spool files in the shared database
 * (src/intake/set-aside-ledger.ts), so every replica lists every instance's; a Retry or Discard of a file
 * another instance holds is recorded there and carried out by the holder alone.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { KeyRing } from "../../src/crypto.ts";
import { type CarriedOutRequest, SetAsideLedger } from "../../src/intake/set-aside-ledger.ts";
import { Spool } from "../../src/intake/spool.ts";
import { createLogger } from "../../src/logger.ts";
import { DB_KINDS, openTestDatabase } from "../helpers/db.ts";

const keys: KeyRing = { current: { id: "k1", key: randomBytes(32) }, previous: [] };
const logger = createLogger({ level: "silent" });
const REP = { userId: "U0REP", teamId: "T0FLEET" };

/** A spool in a fresh folder with `rejected` files the database refused and one file no key opens. */
async function spoolWithSetAside(rejected: number): Promise<Spool> {
  const dir = join(mkdtempSync(join(tmpdir(), "fc-ledger-")), "intake-spool");
  const spool = new Spool(dir, keys, { maxFiles: 100, maxBytes: 10_000_000 });
  for (let i = 0; i < rejected; i++) {
    await spool.append({
      key: `evt:Ledger${i}:${randomBytes(3).toString("hex")}`,
      source: "slack",
      kind: "event:app_home_opened",
      orderKey: null,
      userId: "U1",
      teamId: "T1",
      channelId: null,
      summary: `event ${i}`,
      body: { i },
      receivedAt: new Date(1_700_000_000_000 + i),
    });
  }
  writeFileSync(join(dir, "001700000009999-000009-ffff.json"), "not a ciphertext");
  const { entries } = await spool.oldest(100);
  for (const entry of entries) await spool.quarantine(entry.file);
  return spool;
}

describe.each(DB_KINDS)("set-aside ledger (%s)", (kind) => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => db?.close());
  beforeEach(async () => {
    await db.prisma.intakeSetAside.deleteMany();
  });

  it("records an instance's set-aside files under an id kept in its folder; a restart keeps the id", async () => {
    const spool = await spoolWithSetAside(2);
    const ledger = new SetAsideLedger({ db, logger }, spool, 1_000);
    expect(await ledger.sync()).toBe(3);
    const id = readFileSync(join(spool.dir, "instance-id"), "utf8");
    const rows = await db.prisma.intakeSetAside.findMany({ orderBy: { name: "asc" } });
    expect(rows.map((r) => [r.instance, r.reason])).toEqual([
      [id, "rejected"],
      [id, "rejected"],
      [id, "unreadable"],
    ]);
    // A file removed by hand while the process was down: the restarted one (same folder, same id) drops its row.
    const gone = rows[0]?.name ?? "";
    rmSync(join(spool.dir, gone));
    const restarted = new SetAsideLedger({ db, logger }, spool, 1_000);
    expect(await restarted.instanceId()).toBe(id);
    await restarted.sync();
    expect((await db.prisma.intakeSetAside.findMany()).map((r) => r.name).sort()).toEqual(
      rows.slice(1).map((r) => r.name),
    );
  });

  it("an instance with nothing set aside writes no id, no folder and no row", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "fc-ledger-")), "intake-spool");
    const ledger = new SetAsideLedger(
      { db, logger },
      new Spool(dir, keys, { maxFiles: 10, maxBytes: 1_000_000 }),
      1_000,
    );
    await ledger.pass();
    expect(existsSync(dir)).toBe(false);
    expect(await db.prisma.intakeSetAside.count()).toBe(0);
  });

  it("lists every instance's files; a request on another instance's file waits for the holder, who alone does it", async () => {
    const spoolA = await spoolWithSetAside(2);
    const spoolB = await spoolWithSetAside(1);
    const a = new SetAsideLedger({ db, logger }, spoolA, 1_000);
    const b = new SetAsideLedger({ db, logger }, spoolB, 1_000);
    const carried: CarriedOutRequest[] = [];
    a.onCarriedOut = async (request) => {
      carried.push(request);
    };
    await a.sync();
    const seenByB = await b.page(0, 10);
    expect(seenByB.total).toBe(5);
    const idA = await a.instanceId();
    const onA = seenByB.items.filter((f) => f.instance === idA);
    expect(onA).toHaveLength(3);
    const [retried, discarded] = onA.filter((f) => f.reason === "rejected");
    if (!retried || !discarded) throw new Error("two rejected files expected on A");

    // Pressed on B: recorded, not done (B does not touch A's folder).
    expect(await b.act("retry", { name: retried.name, instance: retried.instance }, REP)).toBe("requested");
    expect(await b.act("discard", { name: discarded.name, instance: discarded.instance }, REP)).toBe(
      "requested",
    );
    expect(existsSync(join(spoolA.dir, retried.name))).toBe(true);
    const waiting = (await b.page(0, 10)).items.filter((f) => f.requested);
    expect(waiting.map((f) => [f.name, f.requested?.action, f.requested?.userId])).toEqual([
      [retried.name, "retry", REP.userId],
      [discarded.name, "discard", REP.userId],
    ]);

    // A's next pass carries both out and reports them; the rows go.
    await a.pass();
    expect(readdirSync(spoolA.dir).filter((n) => n.endsWith(".json"))).toEqual([
      retried.name.replace(/\.rejected$/, ""),
    ]);
    expect(existsSync(join(spoolA.dir, discarded.name))).toBe(false);
    expect(carried.map((c) => [c.action, c.name, c.done, c.by.userId]).sort()).toEqual(
      [
        ["discard", discarded.name, true, REP.userId],
        ["retry", retried.name, true, REP.userId],
      ].sort(),
    );
    expect((await b.page(0, 10)).total).toBe(3);
    // A file no longer listed (done meanwhile): a late press says so.
    expect(await b.act("discard", { name: discarded.name, instance: discarded.instance }, REP)).toBe("gone");
  });
});
