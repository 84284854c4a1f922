/**
 * A time is labelled with the zone it is shown in: `/fleet call` for a 3 PM Chicago call, answered to a rep in
 * Los Angeles, says "3:00 PM Chicago time (CT)" and shows the rep's own 1:00 PM as "your time" — never the
 * rep's clock labelled with the customer's zone, never an IANA name. Zones are typed as people say them.
 */
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { callChangeNote, callChangeReply } from "../../src/blocks/call-change.ts";
import { buildRescheduleModal, readRescheduleModal } from "../../src/blocks/reschedule-modal.ts";
import { parseFleetCommand } from "../../src/slack/commands/parse.ts";
import { resolveTimeZone, zoneName } from "../../src/time-zones.ts";

/** Renders Slack `<!date^…>` tokens the way a Slack client does for a reader in `readerZone` (time only). */
function asReadBy(text: string, readerZone: string): string {
  return text.replace(/<!date\^(\d+)\^([^|>]*)(?:\|[^>]*)?>/g, (_m, secs: string, format: string) => {
    const dt = DateTime.fromSeconds(Number(secs), { zone: readerZone });
    return format
      .replaceAll("{time}", dt.toFormat("h:mm a"))
      .replace(/\{date[a-z_]*\}/g, dt.toFormat("LLL d, yyyy"));
  });
}

const CHICAGO = "America/Chicago";
// 3 PM in Chicago on Dec 8, 2026 (CST, UTC-6) = 21:00 UTC = 1 PM in Los Angeles = 4 PM in New York.
const CALL = DateTime.fromISO("2026-12-08T15:00", { zone: CHICAGO }).toJSDate();
const facts = {
  companyName: "Acme",
  callAt: CALL,
  timeZone: CHICAGO,
  previousCallAt: DateTime.fromISO("2026-12-07T15:00", { zone: CHICAGO }).toJSDate(),
  previousTimeZone: CHICAGO,
  reminderAt: DateTime.fromISO("2026-12-07T10:00", { zone: CHICAGO }).toJSDate(),
  now: new Date("2026-12-01T12:00:00Z"),
};
const IANA = /\b(?:America|Europe|Asia|Africa|Australia|Pacific|Atlantic|Etc)\/[A-Za-z_]+/;

describe("the /fleet call confirmation for a rep in another zone", () => {
  for (const repZone of ["America/Los_Angeles", "America/New_York", "Europe/Berlin"]) {
    it(`shows 3:00 PM Chicago time, and the rep's own clock labelled "your time" (${repZone})`, () => {
      const reply = asReadBy(callChangeReply({ ...facts, changed: true }), repZone);
      expect(reply).toContain("3:00 PM Chicago time (CT)");
      const repClock = DateTime.fromJSDate(CALL, { zone: repZone }).toFormat("h:mm a");
      expect(reply).toContain(`${repClock} your time`);
      // No time in the rep's clock is labelled with the customer's zone.
      expect(reply).not.toMatch(new RegExp(`${repClock}\\s*\\(?(Chicago|CT|America)`));
      expect(reply).not.toMatch(IANA);
    });
  }

  it("the channel note names the new and the old time in the call's zone", () => {
    const note = asReadBy(callChangeNote(facts), "America/Los_Angeles");
    expect(note).toContain("Tuesday, December 8, 2026 at 3:00 PM Chicago time (CT)");
    expect(note).toContain("was Monday, December 7 at 3:00 PM Chicago time (CT)");
    expect(note).not.toMatch(IANA);
  });
});

describe("zones as people say them", () => {
  it("names zones by city and everyday abbreviation", () => {
    expect(zoneName(CHICAGO, CALL)).toBe("Chicago time (CT)");
    expect(zoneName("America/Los_Angeles", CALL)).toBe("Los Angeles time (PT)");
    expect(zoneName("Europe/Berlin", CALL)).toBe("Berlin time (CET)");
    expect(zoneName("Europe/Berlin", new Date("2026-07-01T12:00:00Z"))).toBe("Berlin time (CEST)");
    expect(zoneName("Asia/Kathmandu", CALL)).toBe("Kathmandu time (GMT+5:45)");
    expect(zoneName("UTC", CALL)).toBe("UTC");
  });

  it("reads Central, CT, Chicago, a printed label and IANA names; refuses the rest", () => {
    for (const typed of [
      "Central",
      "CT",
      "ct",
      "central time",
      "Central Standard Time",
      "CST",
      "Chicago",
      "Chicago time (CT)",
      "America/Chicago",
      "america/chicago",
      "US/Central",
    ]) {
      expect(resolveTimeZone(typed), typed).toBe(CHICAGO);
    }
    expect(resolveTimeZone("Pacific")).toBe("America/Los_Angeles");
    expect(resolveTimeZone("ET")).toBe("America/New_York");
    expect(resolveTimeZone("Asia/Kathmandu")).toBe("Asia/Kathmandu");
    for (const bad of ["", "Mars/Olympus", "Centrall", "../etc", "x".repeat(80)])
      expect(resolveTimeZone(bad)).toBeNull();
  });

  it("/fleet call accepts tz=Central and tz=CT", () => {
    const context = { now: facts.now, defaultTimeZone: "America/New_York", providers: [] };
    for (const tz of ["Central", "CT"]) {
      const parsed = parseFleetCommand(`call Acme 2026-12-08T15:00 tz=${tz}`, context);
      expect(parsed).toMatchObject({ ok: true, command: { kind: "call", timeZone: CHICAGO } });
    }
  });

  it("the Move-the-call modal offers a list of zones, with the current one chosen, and reads it back", () => {
    const modal = buildRescheduleModal({
      onboardingId: "o",
      companyName: "Acme",
      callAt: CALL,
      timeZone: CHICAGO,
      now: facts.now,
      reminderLocalTime: "10:00",
    });
    const json = JSON.stringify(modal.blocks);
    expect(json).toContain('"type":"static_select"');
    expect(json).toContain("Chicago time (CT)");
    expect(json).toContain("Los Angeles time (PT)");
    expect(json).toContain("3:00 PM Chicago time (CT)");
    expect(json).not.toContain("(America/Chicago)");
    const picked = readRescheduleModal({
      call_at: { call_at: { selected_date_time: CALL.getTime() / 1000 } },
      call_time_zone: { call_time_zone: { selected_option: { value: "America/Los_Angeles" } } },
    } as never);
    expect(picked.timeZone).toBe("America/Los_Angeles");
    const typed = readRescheduleModal({
      call_time_zone: { call_time_zone: { value: " Central " } },
    } as never);
    expect(typed.timeZone).toBe(CHICAGO);
  });
});
