import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { formatInZone } from "../src/time.ts";

describe("formatInZone", () => {
  it("reads exactly as luxon's 'ccc, LLL d, yyyy, h:mm a ZZZZ', across zones and DST changes", () => {
    const zones = [
      "America/New_York",
      "Europe/London",
      "Asia/Kolkata",
      "Australia/Sydney",
      "UTC",
      "Asia/Kathmandu",
    ];
    for (const zone of zones) {
      // Every 7 h 13 min through 2026: all hours, both sides of each DST change, noon and midnight.
      for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 433 * 60_000) {
        const d = new Date(t);
        expect(formatInZone(d, zone)).toBe(
          DateTime.fromJSDate(d, { zone }).toFormat("ccc, LLL d, yyyy, h:mm a ZZZZ"),
        );
      }
    }
    expect(formatInZone(new Date(Date.UTC(2026, 6, 1, 16)), "America/New_York")).toBe(
      "Wed, Jul 1, 2026, 12:00 PM EDT",
    );
  });
});
