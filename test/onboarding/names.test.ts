import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CHANNEL_NAME_MAX, channelNameFor, customerNameKey } from "../../src/onboarding/names.ts";

describe("channel names", () => {
  it("transliterates and keeps only Slack's allowed characters", () => {
    expect(channelNameFor("Café Ünïcode, Inc.")).toBe("fleet-cafe-uenicode-inc");
    expect(channelNameFor("Straße & Søn ŁÓDŹ")).toBe("fleet-strasse-and-son-lodz");
    // Names with no Latin letters get a stable hash, so two of them never share a channel name.
    expect(channelNameFor("日本")).toMatch(/^fleet-customer-[0-9a-f]{6}$/);
    expect(channelNameFor("株式会社テスト")).not.toBe(channelNameFor("ソニー"));
    expect(channelNameFor("Acme", 2)).toBe("fleet-acme-2");
  });

  it("is always a valid Slack channel name of at most 80 characters", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 300 }),
        fc.option(fc.integer({ min: 2, max: 999 })),
        (name, suffix) => {
          const channel = channelNameFor(name, suffix ?? undefined);
          expect(channel.length).toBeLessThanOrEqual(CHANNEL_NAME_MAX);
          expect(channel).toMatch(/^fleet-[a-z0-9-]*[a-z0-9]$/);
        },
      ),
    );
  });

  it("matches customer names regardless of case, accents and punctuation", () => {
    expect(customerNameKey("ACME, Inc.")).toBe(customerNameKey("acme inc"));
    expect(customerNameKey("Café")).toBe(customerNameKey("cafe"));
    // Scripts without transliteration keep their letters: different customers, different keys.
    expect(customerNameKey("株式会社テスト")).not.toBe(customerNameKey("ソニー"));
    expect(customerNameKey("한국회사")).not.toBe("");
  });
});
