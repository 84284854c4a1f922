import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  connectLinkToken,
  decryptSecret,
  encryptSecret,
  needsReEncryption,
  readConnectLinkToken,
} from "../src/crypto.ts";

const ring = (id: string, key = randomBytes(32)) => ({
  current: { id, key },
  previous: [] as Array<{ id: string; key: Buffer }>,
});

describe("secrets at rest", () => {
  it("round-trips with AES-256-GCM and never contains the plaintext", () => {
    const r = ring("k1");
    const { ciphertext, keyId } = encryptSecret("access-token-123", r);
    expect(keyId).toBe("k1");
    expect(ciphertext).not.toContain("access-token-123");
    expect(decryptSecret(ciphertext, r)).toBe("access-token-123");
    expect(encryptSecret("access-token-123", r).ciphertext).not.toBe(ciphertext);
  });

  it("rotates: a value written with an old key stays readable and is flagged for re-encryption", () => {
    const old = ring("k1");
    const { ciphertext } = encryptSecret("tok", old);
    const rotated = { current: { id: "k2", key: randomBytes(32) }, previous: [old.current] };
    expect(decryptSecret(ciphertext, rotated)).toBe("tok");
    expect(needsReEncryption(ciphertext, rotated)).toBe(true);
    expect(() => decryptSecret(ciphertext, ring("k2"))).toThrow(/not configured/);
  });

  it("detects tampering", () => {
    const r = ring("k1");
    const { ciphertext } = encryptSecret("tok", r);
    const parts = ciphertext.split(".");
    parts[4] = Buffer.from("evil").toString("base64url");
    expect(() => decryptSecret(parts.join("."), r)).toThrow();
  });
});

describe("connect link tokens", () => {
  it("carry at least 128 bits of HMAC and map back to the onboarding", () => {
    const r = ring("k1");
    const id = "0b7f2c4e-1234-4abc-8def-0123456789ab";
    const token = connectLinkToken(id, r);
    expect(Buffer.from(token.split(".")[1] ?? "", "base64url").length * 8).toBeGreaterThanOrEqual(128);
    expect(readConnectLinkToken(token, r)).toBe(id);
  });

  it("keep working after a key rotation while the old key is in the ring", () => {
    const old = ring("k1");
    const token = connectLinkToken("0b7f2c4e-1234-4abc-8def-0123456789ab", old);
    const rotated = { current: { id: "k2", key: randomBytes(32) }, previous: [old.current] };
    expect(readConnectLinkToken(token, rotated)).toBe("0b7f2c4e-1234-4abc-8def-0123456789ab");
    expect(readConnectLinkToken(token, { ...rotated, previous: [] })).toBeNull();
  });

  it("refuses forged, altered and foreign tokens", () => {
    const r = ring("k1");
    const token = connectLinkToken("0b7f2c4e-1234-4abc-8def-0123456789ab", r);
    const other = connectLinkToken("1b7f2c4e-1234-4abc-8def-0123456789ab", r);
    expect(readConnectLinkToken(`${token.split(".")[0]}.${other.split(".")[1]}`, r)).toBeNull();
    expect(readConnectLinkToken(token, ring("k1"))).toBeNull();
    expect(readConnectLinkToken("not-a-token", r)).toBeNull();
    expect(readConnectLinkToken(`${token}x`, r)).toBeNull();
  });
});
