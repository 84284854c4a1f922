/**
 * Secrets at rest and in links.
 * - Finch access tokens: AES-256-GCM, stored as `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url) with the key id
 *   beside it, so TOKEN_ENCRYPTION_KEY can be rotated (old keys stay readable via TOKEN_ENCRYPTION_PREVIOUS_KEYS).
 * - Finch Connect links: `<onboarding id>.<HMAC>` — 128-bit HMAC tag keyed with a key derived from the
 *   encryption key (HKDF), so the link is unguessable, needs no storage and never goes stale.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";

/** The current key and any older ones still accepted for decryption. */
export interface KeyRing {
  current: { id: string; key: Buffer };
  previous: Array<{ id: string; key: Buffer }>;
}

/** Encrypts a secret with the current key. */
export function encryptSecret(plaintext: string, ring: KeyRing): { ciphertext: string; keyId: string } {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", ring.current.key, iv);
  cipher.setAAD(Buffer.from(ring.current.id));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  const parts = [
    "v1",
    ring.current.id,
    iv.toString("base64url"),
    tag.toString("base64url"),
    body.toString("base64url"),
  ];
  return { ciphertext: parts.join("."), keyId: ring.current.id };
}

/** Decrypts a value written by {@link encryptSecret} with whichever key of the ring it names. */
export function decryptSecret(stored: string, ring: KeyRing): string {
  const [version, keyId, iv, tag, body] = stored.split(".");
  if (version !== "v1" || !keyId || !iv || !tag || body === undefined)
    throw new Error("unreadable encrypted value");
  const key = [ring.current, ...ring.previous].find((k) => k.id === keyId)?.key;
  if (!key) throw new Error(`encryption key "${keyId}" is not configured`);
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAAD(Buffer.from(keyId));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}

/** Whether a stored value was written with an older key (re-encrypt it on next use). */
export function needsReEncryption(stored: string, ring: KeyRing): boolean {
  return stored.split(".")[1] !== ring.current.id;
}

/** Link keys derived once per encryption key: every checklist render signs a Connect link. */
const linkKeys = new WeakMap<Buffer, Buffer>();

function linkTag(id: string, key: Buffer): Buffer {
  let linkKey = linkKeys.get(key);
  if (!linkKey) {
    linkKey = Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), "fleet-concierge/connect-link", 32));
    linkKeys.set(key, linkKey);
  }
  return createHmac("sha256", linkKey).update(id).digest().subarray(0, 16);
}

/** The unguessable token in an onboarding's Finch Connect link. */
export function connectLinkToken(onboardingId: string, ring: KeyRing): string {
  const id = onboardingId.replace(/-/g, "");
  return `${id}.${linkTag(id, ring.current.key).toString("base64url")}`;
}

/** The onboarding id a link token stands for, or null when it was forged or altered. */
export function readConnectLinkToken(token: string, ring: KeyRing): string | null {
  const m = /^([0-9a-f]{32})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m) return null;
  const given = Buffer.from(m[2] ?? "", "base64url");
  // Links posted before a key rotation keep working while the old key is in the ring.
  const valid = [ring.current, ...ring.previous].some((k) => {
    const expected = linkTag(m[1] ?? "", k.key);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!valid) return null;
  const h = m[1] ?? "";
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** One-way fingerprint (authorization codes, for replay detection without storing them). */
export function fingerprint(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}
