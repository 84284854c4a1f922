/**
 * The encryption keys over time.
 * - At start, {@link verifyKeyRing} refuses a key that no longer matches its id: each id keeps a check value
 *   (an HMAC of a fixed text under the key) in `encryption_key_check`, so a key replaced without a new
 *   TOKEN_ENCRYPTION_KEY_ID is caught before it can write values nobody can read back (and before every
 *   stored value under that id turns into dead letters). An id seen for the first time is first tried on a
 *   stored value, when there is one (installations from before the check).
 * - {@link reEncryptAll} (`npm run keys:reencrypt`) re-encrypts every stored secret under the current key:
 *   Finch tokens, intake payloads and spool files (set-aside ones included), so an old key can be removed
 *   from TOKEN_ENCRYPTION_PREVIOUS_KEYS safely afterwards. Each value is swapped only if unchanged meanwhile.
 */
import { createHmac } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { decryptSecret, encryptSecret, type KeyRing, needsReEncryption } from "./crypto.ts";
import type { Database } from "./db/client.ts";
import { writeFileDurably } from "./intake/spool.ts";

/** The check value of a key: proves which key an id stood for without storing the key. */
export function keyCheckValue(key: Buffer): string {
  return createHmac("sha256", key).update("fleet-concierge/key-check/v1").digest("base64url").slice(0, 22);
}

/** Thrown at start when a configured key does not match its id. The message says what to do. */
export class KeyMismatchError extends Error {}

/** Checks every key of the ring against its id's check value (recording ids seen for the first time). */
export async function verifyKeyRing(db: Database, ring: KeyRing): Promise<void> {
  const keys = [
    { ...ring.current, setting: "TOKEN_ENCRYPTION_KEY" },
    ...ring.previous.map((k) => ({ ...k, setting: "TOKEN_ENCRYPTION_PREVIOUS_KEYS" })),
  ];
  for (const { id, key, setting } of keys) {
    const check = keyCheckValue(key);
    let row = await db.prisma.encryptionKeyCheck.findUnique({ where: { keyId: id } });
    if (!row) {
      await tryOnStoredValue(db, { current: { id, key }, previous: [] }, setting);
      await db.prisma.encryptionKeyCheck.createMany({
        data: [{ keyId: id, checkValue: check }],
        skipDuplicates: true,
      });
      row = await db.prisma.encryptionKeyCheck.findUniqueOrThrow({ where: { keyId: id } });
    }
    if (row.checkValue !== check) throw mismatch(id, setting);
  }
}

function mismatch(id: string, setting: string): KeyMismatchError {
  return new KeyMismatchError(
    `${setting}: the key given for id "${id}" is not the key that id stood for when values were encrypted ` +
      `with it, so they could not be read back. Set the original key for "${id}", or give the new key a new ` +
      "id (TOKEN_ENCRYPTION_KEY_ID) and keep the old one in TOKEN_ENCRYPTION_PREVIOUS_KEYS.",
  );
}

/** Installations from before the check: a stored value under the id must decrypt with the given key. */
async function tryOnStoredValue(db: Database, ring: KeyRing, setting: string): Promise<void> {
  const prefix = `v1.${ring.current.id}.%`;
  const rows = await db.prisma.$queryRaw<Array<{ value: string }>>`
    (select token_ciphertext as value from finch_connection where token_ciphertext like ${prefix} limit 1)
    union all
    (select payload as value from intake_delivery where payload like ${prefix} limit 1)`;
  const sample = rows[0]?.value;
  if (!sample) return;
  try {
    decryptSecret(sample, ring);
  } catch {
    throw mismatch(ring.current.id, setting);
  }
}

/** What {@link reEncryptAll} did, per kind of stored secret. */
export interface ReEncryptReport {
  finchTokens: number;
  intakeRows: number;
  spoolFiles: number;
  /** Values no key of the ring opens (listed by where they are; left as they are). */
  unreadable: string[];
}

/** Re-encrypts every stored secret still under an older key with the current one. */
export async function reEncryptAll(db: Database, ring: KeyRing, spoolDir: string): Promise<ReEncryptReport> {
  const report: ReEncryptReport = { finchTokens: 0, intakeRows: 0, spoolFiles: 0, unreadable: [] };
  await reEncryptFinchTokens(db, ring, report);
  await reEncryptIntakeRows(db, ring, report);
  await reEncryptSpool(spoolDir, ring, report);
  return report;
}

async function reEncryptFinchTokens(db: Database, ring: KeyRing, report: ReEncryptReport): Promise<void> {
  const rows = await db.prisma.finchConnection.findMany({
    where: { tokenKeyId: { not: ring.current.id } },
    select: { id: true, tokenCiphertext: true },
  });
  for (const row of rows) {
    const fresh = reseal(row.tokenCiphertext, ring);
    if (!fresh) {
      report.unreadable.push(`finch_connection ${row.id}`);
      continue;
    }
    const { count } = await db.prisma.finchConnection.updateMany({
      where: { id: row.id, tokenCiphertext: row.tokenCiphertext },
      data: { tokenCiphertext: fresh, tokenKeyId: ring.current.id },
    });
    report.finchTokens += count;
  }
}

async function reEncryptIntakeRows(db: Database, ring: KeyRing, report: ReEncryptReport): Promise<void> {
  const rows = await db.prisma.intakeDelivery.findMany({
    where: { payload: { not: null }, NOT: { payload: { startsWith: `v1.${ring.current.id}.` } } },
    select: { key: true, payload: true },
  });
  for (const row of rows) {
    const fresh = row.payload === null ? null : reseal(row.payload, ring);
    if (!fresh) {
      report.unreadable.push(`intake_delivery ${row.key}`);
      continue;
    }
    const { count } = await db.prisma.intakeDelivery.updateMany({
      where: { key: row.key, payload: row.payload },
      data: { payload: fresh },
    });
    report.intakeRows += count;
  }
}

async function reEncryptSpool(dir: string, ring: KeyRing, report: ReEncryptReport): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => /\.json(\.tmp|\.unreadable|\.rejected)?$/.test(n))) {
    const file = join(dir, name);
    const text = await readFile(file, "utf8").catch(() => null);
    if (text === null || !needsReEncryption(text, ring)) continue;
    const fresh = reseal(text, ring);
    if (!fresh) {
      report.unreadable.push(`spool ${name}`);
      continue;
    }
    await writeFileDurably(dir, name, fresh);
    report.spoolFiles += 1;
  }
}

/** The value under the current key, or null when no key of the ring opens it. */
function reseal(stored: string, ring: KeyRing): string | null {
  if (!needsReEncryption(stored, ring)) return stored;
  try {
    return encryptSecret(decryptSecret(stored, ring), ring).ciphertext;
  } catch {
    return null;
  }
}
