import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import {
  dayBeforeDedupeKey,
  dayBeforeDueAt,
  digestDue,
  isNudgeWindow,
  localDateOf,
  localDayBounds,
  localTimeOn,
  nextLocalDate,
  nudgeAllowed,
  retryBackoffMs,
  retryPlan,
  untouchedFor,
  wallTimeOf,
} from "../../src/reminders/rules.ts";
import { parseLocalDateTime } from "../../src/time.ts";

const local = (text: string, zone: string) => {
  const parsed = parseLocalDateTime(text, zone);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.instant;
};

describe("day-before moment", () => {
  it.each([
    ["America/New_York", "2026-03-08T15:00", "2026-03-07T15:00:00.000Z"],
    ["America/New_York", "2026-03-09T00:30", "2026-03-08T14:00:00.000Z"],
    ["America/New_York", "2026-11-01T14:00", "2026-10-31T14:00:00.000Z"],
    ["America/New_York", "2026-11-02T01:30", "2026-11-01T15:00:00.000Z"],
    ["Europe/Berlin", "2026-03-29T23:59", "2026-03-28T09:00:00.000Z"],
    ["Europe/Berlin", "2026-03-30T14:00", "2026-03-29T08:00:00.000Z"],
    ["Europe/Berlin", "2026-10-25T14:00", "2026-10-24T08:00:00.000Z"],
    ["Europe/Berlin", "2026-10-26T14:00", "2026-10-25T09:00:00.000Z"],
    ["Asia/Kolkata", "2026-06-01T09:00", "2026-05-31T04:30:00.000Z"],
    ["Australia/Sydney", "2026-04-06T09:00", "2026-04-05T00:00:00.000Z"], // AEDT ends 04-05 03:00
  ])("%s call %s → reminder %s (10:00 local the day before)", (zone, call, expected) => {
    expect(dayBeforeDueAt(local(call, zone), zone, "10:00").toISOString()).toBe(expected);
  });

  it("agrees with luxon's day arithmetic around every clock change of two years, changes at midnight included", () => {
    const zones = [
      "America/New_York",
      "Europe/Berlin",
      "America/Santiago",
      "America/Havana",
      "Asia/Beirut",
      "Australia/Lord_Howe",
      "Africa/Cairo",
      "America/St_Johns",
      "Pacific/Chatham",
      "Asia/Kolkata",
    ];
    const times = ["00:00", "00:30", "02:30", "10:00"];
    const viaLuxon = (at: Date, zone: string, hhmm: string) => {
      const [hour, minute] = hhmm.split(":").map(Number) as [number, number];
      return DateTime.fromJSDate(at, { zone })
        .startOf("day")
        .minus({ days: 1 })
        .set({ hour, minute })
        .toJSDate();
    };
    const differ: string[] = [];
    let compared = 0;
    for (const zone of zones) {
      const offsetAt = (t: number) => DateTime.fromMillis(t, { zone }).offset;
      for (let day = Date.UTC(2026, 0, 1); day < Date.UTC(2028, 0, 1); day += 86_400_000) {
        // Weekly, and every 37 minutes for the three days after a change (the day before is then on the other side).
        const changed = offsetAt(day) !== offsetAt(day - 86_400_000);
        const step = changed ? 37 * 60_000 : 7 * 86_400_000;
        for (let t = day; t < day + (changed ? 3 * 86_400_000 : 1); t += step) {
          for (const hhmm of times) {
            compared++;
            const at = new Date(t);
            if (dayBeforeDueAt(at, zone, hhmm).getTime() !== viaLuxon(at, zone, hhmm).getTime()) {
              differ.push(`${zone} ${at.toISOString()} ${hhmm}`);
            }
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(10_000);
    expect(differ.slice(0, 5)).toEqual([]);
  }, 60_000);

  it("a reminder time inside a DST gap moves forward like the clocks", () => {
    const due = dayBeforeDueAt(local("2026-03-09T12:00", "America/New_York"), "America/New_York", "02:30");
    expect(due.toISOString()).toBe("2026-03-08T07:30:00.000Z"); // 03:30 EDT
  });

  it("the dedupe key changes with the call instant, not with its zone", () => {
    const at = new Date("2026-12-03T13:30:00Z");
    expect(dayBeforeDedupeKey("o1", at)).toBe("day_before:o1:2026-12-03T13:30:00.000Z");
    expect(dayBeforeDedupeKey("o1", new Date(at.getTime() + 60_000))).not.toBe(dayBeforeDedupeKey("o1", at));
  });
});

describe("local days", () => {
  it("knows 23- and 25-hour days", () => {
    const spring = localDayBounds("2026-03-08", "America/New_York");
    const fall = localDayBounds("2026-11-01", "America/New_York");
    expect(spring.end.getTime() - spring.start.getTime()).toBe(23 * 3_600_000);
    expect(fall.end.getTime() - fall.start.getTime()).toBe(25 * 3_600_000);
    expect(nextLocalDate("2026-12-31")).toBe("2027-01-01");
    expect(localDateOf(new Date("2026-03-01T03:00:00Z"), "America/Los_Angeles")).toBe("2026-02-28");
    expect(localTimeOn("2026-10-25", "Europe/Berlin", "08:30").toISOString()).toBe(
      "2026-10-25T07:30:00.000Z",
    );
  });

  it("re-reads a typed wall time in another zone", () => {
    const typed = local("2026-12-03T14:30", "America/New_York");
    const wall = wallTimeOf(typed, "America/New_York");
    expect(wall).toBe("2026-12-03T14:30");
    expect(local(wall, "Europe/Berlin").toISOString()).toBe("2026-12-03T13:30:00.000Z");
    // Ambiguous fall-back hour: the wall time survives the round trip either way.
    expect(wallTimeOf(local("2026-11-01T01:30", "America/New_York"), "America/New_York")).toBe(
      "2026-11-01T01:30",
    );
  });
});

describe("nudge window", () => {
  it.each([
    ["2026-03-02T15:00:00Z", "America/Chicago", true], // Mon 09:00 CST
    ["2026-03-02T14:59:00Z", "America/Chicago", false], // Mon 08:59
    ["2026-03-06T23:59:00Z", "America/Chicago", true], // Fri 17:59
    ["2026-03-07T00:00:00Z", "America/Chicago", false], // Fri 18:00
    ["2026-03-07T16:00:00Z", "America/Chicago", false], // Saturday
    ["2026-03-09T14:00:00Z", "America/Chicago", true], // Mon 09:00 CDT after the change
    ["2026-03-09T14:00:00Z", "Asia/Tokyo", false], // the same instant is 23:00 in Tokyo
    ["2026-03-09T08:30:00Z", "Europe/Berlin", true], // Mon 09:30 CET
  ])("%s in %s → %s", (iso, zone, expected) => {
    expect(isNudgeWindow(new Date(iso), zone)).toBe(expected);
  });

  const base = {
    now: new Date("2026-03-05T15:00:00Z"), // Thu 09:00 CST
    timeZone: "America/Chicago",
    nudgeAfterDays: 3,
    lastTouch: new Date("2026-03-02T15:00:00Z"),
    lastNudgeAt: null,
    callAt: null,
    openCustomerSteps: ["Add Fleet's integration user"],
    customerInChannel: true,
  };

  it("allows a nudge only when every rule holds, and says which one does not", () => {
    expect(nudgeAllowed(base)).toEqual({ ok: true });
    const reasons = [
      { openCustomerSteps: [] },
      { customerInChannel: false },
      { now: new Date("2026-03-07T16:00:00Z") },
      { lastNudgeAt: new Date("2026-03-05T14:59:00Z") }, // 08:59 the same local day
      { lastTouch: new Date("2026-03-02T15:01:00Z") },
      { callAt: new Date("2026-03-06T16:00:00Z") }, // tomorrow
      { callAt: new Date("2026-03-05T22:00:00Z") }, // later today
    ].map((change) => nudgeAllowed({ ...base, ...change }));
    expect(reasons.map((r) => (r.ok ? "ok" : r.reason))).toEqual([
      "the customer's steps are done",
      "nobody from the customer is in the channel yet",
      "outside Mon–Fri 09:00–18:00 local time",
      "already nudged today",
      "the customer worked on the checklist recently",
      "the call is today or tomorrow",
      "the call is today or tomorrow",
    ]);
    // Nudged yesterday (local time), a call next week: fine.
    expect(
      nudgeAllowed({
        ...base,
        lastNudgeAt: new Date("2026-03-05T05:00:00Z"),
        callAt: new Date("2026-03-12T16:00:00Z"),
      }),
    ).toEqual({ ok: true });
  });

  it("untouched means whole days", () => {
    const touch = new Date("2026-03-02T15:00:00Z");
    expect(untouchedFor(touch, new Date("2026-03-05T14:59:59Z"), 3)).toBe(false);
    expect(untouchedFor(touch, new Date("2026-03-05T15:00:00Z"), 3)).toBe(true);
  });
});

describe("digest moment", () => {
  it("is due from the local digest time for a few hours, on DST days too", () => {
    expect(digestDue(new Date("2026-10-25T07:29:00Z"), "Europe/Berlin", "08:30")).toBeNull();
    expect(digestDue(new Date("2026-10-25T07:30:00Z"), "Europe/Berlin", "08:30")).toEqual({
      localDate: "2026-10-25",
      tomorrow: "2026-10-26",
      dueAt: new Date("2026-10-25T07:30:00Z"),
    });
    expect(digestDue(new Date("2026-10-25T10:29:00Z"), "Europe/Berlin", "08:30")).not.toBeNull();
    expect(digestDue(new Date("2026-10-25T10:30:00Z"), "Europe/Berlin", "08:30")).toBeNull();
    expect(
      digestDue(new Date("2026-03-08T12:30:00Z"), "America/New_York", "08:30")?.dueAt.toISOString(),
    ).toBe("2026-03-08T12:30:00.000Z");
  });
});

describe("retry backoff", () => {
  it("doubles from 30 s and stops at 15 min", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(retryBackoffMs)).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 900_000, 900_000, 900_000,
    ]);
  });

  it("the day-before reminder's email is tried until two hours before the call, like its Slack post", () => {
    const callAt = new Date("2031-03-04T16:00:00Z");
    const lastTry = new Date("2031-03-04T14:00:00Z");
    for (const kind of ["day_before", "day_before_email"]) {
      // Far past maxAttempts, still before the last moment: brought forward to it, not given up.
      const before = { kind, callAt, attempts: 50, maxAttempts: 8, now: new Date("2031-03-04T13:55:00Z") };
      expect(retryPlan(before), kind).toEqual({ giveUp: false, notBefore: lastTry });
      expect(retryPlan({ ...before, now: lastTry }), kind).toEqual({ giveUp: true });
    }
    // A nudge's email gives up after maxAttempts, as the nudge does.
    const nudge = { kind: "nudge_email", callAt, attempts: 8, maxAttempts: 8, now: lastTry };
    expect(retryPlan({ ...nudge, now: new Date("2031-03-01T10:00:00Z") })).toEqual({ giveUp: true });
  });
});
