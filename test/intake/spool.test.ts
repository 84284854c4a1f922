/** The local spool: durable across a restart, encrypted, in arrival order, bounded, and never silent. */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { KeyRing } from "../../src/crypto.ts";
import type { IncomingDelivery } from "../../src/intake/delivery.ts";
import { Spool, SpoolFullError } from "../../src/intake/spool.ts";

const keys: KeyRing = { current: { id: "k1", key: randomBytes(32) }, previous: [] };
const dir = () => join(mkdtempSync(join(tmpdir(), "fc-spool-")), "intake-spool");
const delivery = (i: number): IncomingDelivery => ({
  key: `evt:Ev${i}`,
  source: "slack",
  kind: "block_actions",
  orderKey: "slack:C1",
  userId: "U1",
  teamId: "T1",
  channelId: "C1",
  summary: `tick ${i}`,
  body: { response_url: "https://hooks.slack.com/secret-path", i },
  receivedAt: new Date(1_700_000_000_000 + i),
});

describe("intake spool", () => {
  it("keeps deliveries across a restart, encrypted, and gives them back oldest first", async () => {
    const folder = dir();
    const spool = new Spool(folder, keys, { maxFiles: 10, maxBytes: 1_000_000 });
    expect(await spool.size()).toBe(0);
    for (const i of [3, 1, 2]) await spool.append(delivery(i));
    for (const name of readdirSync(folder)) {
      expect(readFileSync(join(folder, name), "utf8")).not.toContain("secret-path");
    }
    const restarted = new Spool(folder, keys, { maxFiles: 10, maxBytes: 1_000_000 });
    expect(await restarted.size()).toBe(3);
    const { entries } = await restarted.oldest(10);
    expect(entries.map((e) => e.delivery.key)).toEqual(["evt:Ev1", "evt:Ev2", "evt:Ev3"]);
    expect(entries[0]?.delivery.receivedAt).toEqual(new Date(1_700_000_000_001));
    expect(entries[0]?.delivery.body).toEqual(delivery(1).body);
    for (const entry of entries) await restarted.remove(entry.file);
    expect(await restarted.size()).toBe(0);
    expect(readdirSync(folder)).toEqual([]);
  });

  it("refuses beyond its file and byte limits (the caller then withholds the 2xx)", async () => {
    const byFiles = new Spool(dir(), keys, { maxFiles: 2, maxBytes: 1_000_000 });
    await byFiles.append(delivery(1));
    await byFiles.append(delivery(2));
    await expect(byFiles.append(delivery(3))).rejects.toBeInstanceOf(SpoolFullError);
    const byBytes = new Spool(dir(), keys, { maxFiles: 100, maxBytes: 600 });
    await byBytes.append(delivery(1));
    await expect(byBytes.append(delivery(2))).rejects.toBeInstanceOf(SpoolFullError);
    // Room again once replayed.
    const { entries } = await byBytes.oldest(10);
    await byBytes.remove(entries[0]?.file ?? "");
    await byBytes.append(delivery(2));
  });

  it("moves a file it cannot read aside (e.g. another key) and reports it, instead of dropping it", async () => {
    const folder = dir();
    const spool = new Spool(folder, keys, { maxFiles: 10, maxBytes: 1_000_000 });
    await spool.append(delivery(1));
    writeFileSync(join(folder, "000000000000000-000000-bad.json"), "v1.k9.x.y.z");
    const restarted = new Spool(folder, keys, { maxFiles: 10, maxBytes: 1_000_000 });
    const { entries, unreadable } = await restarted.oldest(10);
    expect(unreadable).toEqual(["000000000000000-000000-bad.json"]);
    expect(entries.map((e) => e.delivery.key)).toEqual(["evt:Ev1"]);
    expect(readdirSync(folder)).toContain("000000000000000-000000-bad.json.unreadable");
  });
});
