/**
 * The call's calendar entry, read back with an independent parser (Mozilla's ical.js): book → move across the
 * end of daylight saving time → cancel keeps one UID, raises SEQUENCE, keeps the call's zone and wall-clock
 * time, and ends in METHOD:CANCEL. The instants are converted with the file's own VTIMEZONE, so a wrong
 * zone definition would show as a wrong UTC time.
 */
import ICAL from "ical.js";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import {
  buildCallCalendar,
  CALL_MINUTES,
  type CallEntry,
  callCalendarFileName,
  callUid,
  googleCalendarLink,
} from "../../src/onboarding/calendar.ts";
import { compactWallTime } from "../../src/time.ts";

const ZONE = "America/New_York";
const booked: CallEntry = {
  onboardingId: "3f7c1a52-8d5e-4d8e-9d61-2f0a4b7e9c11",
  companyName: 'Acme; Corp, "HR"',
  callAt: new Date("2026-10-30T18:30:00Z"), // 14:30 EDT (UTC-4)
  timeZone: ZONE,
  sequence: 0,
  cancelled: false,
  channelUrl: "https://fleet.slack.com/archives/C0ACME",
  organizer: { name: "Rita Rep", email: "rita@fleet.example" },
};
const moved: CallEntry = { ...booked, callAt: new Date("2026-11-03T19:30:00Z"), sequence: 1 }; // 14:30 EST (UTC-5)
const cancelled: CallEntry = { ...moved, sequence: 2, cancelled: true };

/** Parses an .ics text and reads back what calendar apps look at. */
function readBack(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const vtimezone = calendar.getFirstSubcomponent("vtimezone");
  if (!vtimezone) throw new Error("no VTIMEZONE");
  const zone = new ICAL.Timezone(vtimezone);
  ICAL.TimezoneService.register(zone, zone.tzid);
  const vevent = calendar.getFirstSubcomponent("vevent");
  if (!vevent) throw new Error("no VEVENT");
  const event = new ICAL.Event(vevent);
  const dtstart = vevent.getFirstProperty("dtstart");
  return {
    method: calendar.getFirstPropertyValue("method"),
    version: calendar.getFirstPropertyValue("version"),
    uid: event.uid,
    sequence: event.sequence,
    status: vevent.getFirstPropertyValue("status"),
    summary: event.summary,
    description: event.description,
    tzid: dtstart?.getParameter("tzid"),
    wallClock: `${event.startDate.hour}:${String(event.startDate.minute).padStart(2, "0")}`,
    startUtc: event.startDate.toJSDate().toISOString(),
    minutes: event.duration.toSeconds() / 60,
    organizer: vevent.getFirstPropertyValue("organizer"),
    /** RFC 5545 §3.8.7.2: DTSTAMP is in UTC. */
    stampIsUtc:
      (vevent.getFirstPropertyValue("dtstamp") as ICAL.Time | null)?.zone === ICAL.Timezone.utcTimezone,
    vtimezoneId: zone.tzid,
  };
}

describe("the call's iCalendar file", () => {
  it("book → move across the DST change → cancel: one UID, rising SEQUENCE, the call's zone, then CANCEL", () => {
    const [first, second, third] = [booked, moved, cancelled].map((entry) =>
      readBack(buildCallCalendar(entry)),
    );
    for (const entry of [first, second, third]) {
      expect(entry?.uid).toBe(callUid(booked.onboardingId));
      expect(entry?.version).toBe("2.0");
      expect(entry?.tzid).toBe(ZONE);
      expect(entry?.vtimezoneId).toBe(ZONE);
      expect(entry?.wallClock).toBe("14:30");
      expect(entry?.minutes).toBe(CALL_MINUTES);
      expect(entry?.stampIsUtc).toBe(true);
      expect(String(entry?.organizer).toLowerCase()).toBe("mailto:rita@fleet.example");
    }
    expect([first?.sequence, second?.sequence, third?.sequence]).toEqual([0, 1, 2]);
    expect([first?.method, second?.method, third?.method]).toEqual(["PUBLISH", "PUBLISH", "CANCEL"]);
    expect([first?.status, second?.status, third?.status]).toEqual(["CONFIRMED", "CONFIRMED", "CANCELLED"]);
    // Same wall-clock time, different UTC offsets: EDT before 1 November 2026, EST after.
    expect(first?.startUtc).toBe("2026-10-30T18:30:00.000Z");
    expect(second?.startUtc).toBe("2026-11-03T19:30:00.000Z");
  });

  it('escapes what the company typed (; , " and newlines) so it reads back unchanged', () => {
    const entry = readBack(buildCallCalendar({ ...booked, companyName: 'Acme; Corp, "HR"\nEvil:1' }));
    expect(entry.summary).toBe('Fleet onboarding call — Acme; Corp, "HR"\nEvil:1');
    expect(entry.description).toContain("https://fleet.slack.com/archives/C0ACME");
  });

  it("writes a zone on the other side of the world with its own rules (Europe/Berlin, spring forward)", () => {
    const berlin = { ...booked, timeZone: "Europe/Berlin", callAt: new Date("2027-03-29T08:00:00Z") }; // 10:00 CEST
    const entry = readBack(buildCallCalendar(berlin));
    expect(entry.tzid).toBe("Europe/Berlin");
    expect(entry.wallClock).toBe("10:00");
    expect(entry.startUtc).toBe("2027-03-29T08:00:00.000Z");
  });

  it("names the file after the company, marking a cancellation", () => {
    expect(callCalendarFileName(booked)).toBe("fleet-onboarding-call-acme-corp-hr.ics");
    expect(callCalendarFileName(cancelled)).toBe("fleet-onboarding-call-acme-corp-hr-cancelled.ics");
    expect(callCalendarFileName({ companyName: "株式会社", cancelled: false })).toBe(
      "fleet-onboarding-call-customer.ics",
    );
  });
});

describe("the Add to Google Calendar link", () => {
  it("gives the call's wall-clock times in its zone, whatever side of the DST change", () => {
    for (const [entry, dates] of [
      [booked, "20261030T143000/20261030T151500"],
      [moved, "20261103T143000/20261103T151500"],
    ] as const) {
      const url = new URL(googleCalendarLink(entry));
      expect(url.origin + url.pathname).toBe("https://calendar.google.com/calendar/render");
      expect(url.searchParams.get("action")).toBe("TEMPLATE");
      expect(url.searchParams.get("dates")).toBe(dates);
      expect(url.searchParams.get("ctz")).toBe(ZONE);
      expect(url.searchParams.get("text")).toContain("Acme; Corp");
    }
  });
});

describe("the Google link's wall-clock times", () => {
  it("are luxon's yyyyLLdd'T'HHmmss in the call's zone, around clock changes and in odd offsets too", () => {
    const zones = [
      "America/New_York",
      "Europe/Berlin",
      "Australia/Lord_Howe",
      "Asia/Kathmandu",
      "America/St_Johns",
      "Pacific/Chatham",
      "America/Santiago",
      "UTC",
      "Not/AZone",
    ];
    const differ: string[] = [];
    for (const zone of zones) {
      for (
        let t = Date.UTC(2026, 0, 1, 0, 0, 17);
        t < Date.UTC(2028, 0, 1);
        t += 5 * 3_600_000 + 11 * 60_000
      ) {
        const at = new Date(t);
        const expected = DateTime.fromJSDate(at, { zone }).toFormat("yyyyLLdd'T'HHmmss");
        if (compactWallTime(at, zone) !== expected) differ.push(`${zone} ${at.toISOString()} ${expected}`);
      }
    }
    expect(differ.slice(0, 5)).toEqual([]);
  }, 60_000);
});
