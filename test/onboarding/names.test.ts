import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CHANNEL_NAME_MAX, channelNameFor, customerNameKey } from "../../src/onboarding/names.ts";

describe("channel names", () => {
  it("transliterates and keeps only Slack's allowed characters", () => {
    expect(channelNameFor("Café Ünïcode, Inc.")).toBe("fleet-cafe-uenicode-inc");
    expect(channelNameFor("Straße & Søn ŁÓDŹ")).toBe("fleet-strasse-and-son-lodz");
    expect(channelNameFor("日本")).toBe("fleet-customer");
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
  });
});
