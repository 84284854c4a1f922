/**
 * Issue 22 point 8, the spool's own durability: the byte count stays right when files are set aside,
 * leftover `.tmp` files (a crash between write and rename) are recovered or reported, set-aside files are
 * counted (for /healthz) and can be put back or discarded.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encryptSecret, type KeyRing } from "../../src/crypto.ts";
import type { IncomingDelivery } from "../../src/intake/delivery.ts";
import { Spool } from "../../src/intake/spool.ts";

const keys: KeyRing = { current: { id: "k1", key: randomBytes(32) }, previous: [] };
const dir = () => join(mkdtempSync(join(tmpdir(), "fc-spool-d-")), "intake-spool");
const delivery = (i: number): IncomingDelivery => ({
  key: `evt:Ev${i}`,
  source: "slack",
  kind: "block_actions",
  orderKey: "slack:C1",
  userId: "U1",
  teamId: "T1",
  channelId: "C1",
  summary: `tick ${i}`,
  body: { i, pad: "x".repeat(200) },
  receivedAt: new Date(1_700_000_000_000 + i),
});
const onDisk = (folder: string) =>
  readdirSync(folder)
    .filter((n) => n.endsWith(".json"))
    .reduce((sum, n) => sum + statSync(join(folder, n)).size, 0);

describe("intake spool durability", () => {
  it("gives the bytes of set-aside files back: three quarantined files leave room again", async () => {
    const folder = dir();
    const one = Buffer.byteLength(
      encryptSecret(JSON.stringify({ ...delivery(1), receivedAt: "2023-11-14T22:13:20.001Z" }), keys)
        .ciphertext,
    );
    const spool = new Spool(folder, keys, { maxFiles: 100, maxBytes: one * 3 + 64 * 1024 - 1 });
    for (const i of [1, 2, 3]) await spool.append(delivery(i));
    expect(await spool.hasRoom()).toBe(false);
    const { entries } = await spool.oldest(10);
    for (const e of entries) await spool.quarantine(e.file);
    expect(await spool.size()).toBe(0);
    expect(await spool.hasRoom()).toBe(true);
    expect(spool.bytesUsed()).toBe(0);
    expect(await spool.setAside()).toMatchObject({ rejected: 3, unreadable: 0 });
  });

  it("keeps its byte count equal to the files on disk through appends, replays and set-asides", async () => {
    const folder = dir();
    const spool = new Spool(folder, keys, { maxFiles: 100, maxBytes: 1_000_000 });
    for (let i = 1; i <= 6; i++) await spool.append(delivery(i));
    writeFileSync(join(folder, "000000000000000-000000-bad.json"), "v1.k9.x.y.z");
    const restarted = new Spool(folder, keys, { maxFiles: 100, maxBytes: 1_000_000 });
    const { entries } = await restarted.oldest(3);
    await restarted.remove(entries[1]?.file ?? "");
    await restarted.quarantine(entries[2]?.file ?? "");
    expect(restarted.bytesUsed()).toBe(onDisk(folder));
    expect(await restarted.size()).toBe(readdirSync(folder).filter((n) => n.endsWith(".json")).length);
  });

  it("recovers a leftover .tmp that holds a whole delivery, and reports one that does not", async () => {
    const folder = dir();
    mkdirSync(folder, { recursive: true });
    const whole = encryptSecret(
      JSON.stringify({ ...delivery(7), receivedAt: new Date(1_700_000_000_007).toISOString() }),
      keys,
    ).ciphertext;
    writeFileSync(join(folder, "001700000000007-000000-aaaa.json.tmp"), whole);
    writeFileSync(join(folder, "001700000000008-000001-bbbb.json.tmp"), whole.slice(0, 20));
    const spool = new Spool(folder, keys, { maxFiles: 100, maxBytes: 1_000_000 });
    expect(await spool.size()).toBe(1);
    const { entries, unreadable } = await spool.oldest(10);
    expect(entries.map((e) => e.delivery.key)).toEqual(["evt:Ev7"]);
    expect(unreadable).toEqual(["001700000000008-000001-bbbb.json.tmp"]);
    expect(readdirSync(folder).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    expect(await spool.setAside()).toMatchObject({ unreadable: 1, rejected: 0 });
  });

  it("lists set-aside files for a person, puts one back for replay, and discards another", async () => {
    const folder = dir();
    const spool = new Spool(folder, keys, { maxFiles: 100, maxBytes: 1_000_000 });
    for (const i of [1, 2]) await spool.append(delivery(i));
    const { entries } = await spool.oldest(10);
    for (const e of entries) await spool.quarantine(e.file);
    const listed = await spool.listSetAside();
    expect(listed.map((f) => f.reason)).toEqual(["rejected", "rejected"]);
    expect(await spool.retrySetAside(listed[0]?.name ?? "")).toBe(true);
    expect(await spool.discardSetAside(listed[1]?.name ?? "")).toBe(true);
    expect(await spool.discardSetAside("../../etc/passwd")).toBe(false);
    expect(await spool.size()).toBe(1);
    expect(spool.bytesUsed()).toBe(onDisk(folder));
    expect((await spool.oldest(10)).entries.map((e) => e.delivery.key)).toEqual(["evt:Ev1"]);
    expect(await spool.setAside()).toMatchObject({ unreadable: 0, rejected: 0 });
  });
});
