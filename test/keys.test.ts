/**
 * Issue 22 point 3, keys: a key replaced under the same id is refused at start with a clear message, and
 * `keys:reencrypt` moves every stored secret (Finch tokens, intake rows, spool files) under the current key,
 * after which the old key can be removed.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, type KeyRing } from "../src/crypto.ts";
import type { Database } from "../src/db/client.ts";
import { startFleet } from "../src/fleet.ts";
import { Spool } from "../src/intake/spool.ts";
import { insertDelivery } from "../src/intake/store.ts";
import { KeyMismatchError, reEncryptAll, verifyKeyRing } from "../src/keys.ts";
import { createLogger } from "../src/logger.ts";
import { openTestDatabase } from "./helpers/db.ts";
import { insertOnboarding } from "./helpers/fixtures.ts";
import { startHarness } from "./helpers/harness.ts";

const k0 = { id: "k0", key: randomBytes(32) };
const k1 = { id: "k1", key: randomBytes(32) };

describe("encryption keys", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase("pglite");
  });
  afterAll(async () => db?.close());
  beforeEach(async () => {
    await db.prisma.encryptionKeyCheck.deleteMany();
    await db.prisma.intakeDelivery.deleteMany();
    await db.prisma.finchConnection.deleteMany();
  });

  async function finchToken(ring: KeyRing, token: string): Promise<string> {
    const suffix = randomBytes(4).toString("hex");
    const onboarding = await insertOnboarding(db);
    const sealed = encryptSecret(token, ring);
    const row = await db.prisma.finchConnection.create({
      data: {
        onboardingId: onboarding.id,
        connectionId: `conn-${suffix}`,
        providerId: "justworks",
        tokenCiphertext: sealed.ciphertext,
        tokenKeyId: sealed.keyId,
        status: "connected",
        products: [],
        codeHash: suffix,
      },
    });
    return row.id;
  }

  it("refuses a key replaced under the same id, naming the setting and what to do", async () => {
    await verifyKeyRing(db, { current: k1, previous: [] });
    await verifyKeyRing(db, { current: k1, previous: [] });
    const replaced = { current: { id: "k1", key: randomBytes(32) }, previous: [] };
    await expect(verifyKeyRing(db, replaced)).rejects.toBeInstanceOf(KeyMismatchError);
    await expect(verifyKeyRing(db, replaced)).rejects.toThrow(/TOKEN_ENCRYPTION_KEY.*"k1".*new id/);
  });

  it("refuses, on an installation from before the check, a key that cannot open a value stored under its id", async () => {
    await finchToken({ current: k1, previous: [] }, "tok-secret");
    const replaced = { current: { id: "k1", key: randomBytes(32) }, previous: [] };
    await expect(verifyKeyRing(db, replaced)).rejects.toBeInstanceOf(KeyMismatchError);
    expect(await db.prisma.encryptionKeyCheck.count()).toBe(0);
    await verifyKeyRing(db, { current: k1, previous: [] });
  });

  it("re-encrypts Finch tokens, intake rows and spool files under the current key; the old key can go", async () => {
    const old: KeyRing = { current: k0, previous: [] };
    const both: KeyRing = { current: k1, previous: [k0] };
    const onlyNew: KeyRing = { current: k1, previous: [] };
    const connection = await finchToken(old, "tok-secret");
    await insertDelivery(
      { db, keys: old },
      {
        key: "evt:old",
        source: "slack",
        kind: "block_actions",
        orderKey: null,
        userId: null,
        teamId: null,
        channelId: null,
        summary: "tick",
        body: { n: 1 },
        receivedAt: new Date(),
      },
      { owner: "x", leaseMs: 1, live: false },
    );
    const spoolDir = join(mkdtempSync(join(tmpdir(), "fc-keys-")), "intake-spool");
    const spool = new Spool(spoolDir, old, { maxFiles: 10, maxBytes: 1_000_000 });
    await spool.append({
      key: "evt:spooled",
      source: "slack",
      kind: "block_actions",
      orderKey: null,
      userId: null,
      teamId: null,
      channelId: null,
      summary: "tick",
      body: { n: 2 },
      receivedAt: new Date(),
    });

    const report = await reEncryptAll(db, both, spoolDir);
    expect(report).toEqual({ finchTokens: 1, intakeRows: 1, spoolFiles: 1, unreadable: [] });

    const row = await db.prisma.finchConnection.findUniqueOrThrow({ where: { id: connection } });
    expect(row.tokenKeyId).toBe("k1");
    expect(decryptSecret(row.tokenCiphertext, onlyNew)).toBe("tok-secret");
    const intake = await db.prisma.intakeDelivery.findUniqueOrThrow({ where: { key: "evt:old" } });
    expect(JSON.parse(decryptSecret(intake.payload ?? "", onlyNew))).toEqual({ n: 1 });
    const fresh = new Spool(spoolDir, onlyNew, { maxFiles: 10, maxBytes: 1_000_000 });
    const { entries, unreadable } = await fresh.oldest(10);
    expect(unreadable).toEqual([]);
    expect(entries.map((e) => e.delivery.key)).toEqual(["evt:spooled"]);
    expect(readdirSync(spoolDir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    for (const name of readdirSync(spoolDir))
      expect(readFileSync(join(spoolDir, name), "utf8")).toMatch(/^v1\.k1\./);
    // Run again: nothing left to do.
    expect(await reEncryptAll(db, both, spoolDir)).toEqual({
      finchTokens: 0,
      intakeRows: 0,
      spoolFiles: 0,
      unreadable: [],
    });
  });
});

describe("starting with a replaced key", () => {
  it("the app refuses to start when TOKEN_ENCRYPTION_KEY is not the key its id stood for", async () => {
    const h = await startHarness();
    let second: Awaited<ReturnType<typeof startFleet>> | undefined;
    try {
      const base = h.app.ctx.config;
      const config = {
        ...base,
        encryption: { ...base.encryption, key: randomBytes(32) },
        http: { ...base.http, port: 0 },
      };
      const start = startFleet(config, { logger: createLogger({ level: "silent" }), db: h.db });
      second = await start.catch(() => undefined);
      await expect(start).rejects.toThrow(/TOKEN_ENCRYPTION_KEY: the key given for id "k1" is not the key/);
    } finally {
      await second?.stop();
      await h.stop();
    }
  }, 120_000);
});
