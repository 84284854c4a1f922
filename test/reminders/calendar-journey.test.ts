/**
 * The call's calendar entry over real HTTP: `/fleet call` books, moves across a daylight-saving change, and
 * `/fleet done` cancels. Each .ics file the app uploaded (files.getUploadURLExternal → upload →
 * files.completeUploadExternal) is downloaded from the Slack stand-in like a client would, and read back with an
 * independent parser (ical.js): one UID, SEQUENCE 0 → 1 → 2, TZID of the call's zone, METHOD:CANCEL at the end.
 * The day-before reminder carries the same "Add to Google Calendar" link. A failing upload leaves the call booked
 * and tells the rep.
 */
import ICAL from "ical.js";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/context.ts";
import { type Scheduler, startScheduler } from "../../src/reminders/scheduler/index.ts";
import { ActionId, MetadataEventType } from "../../src/slack-gateway/ids.ts";
import { type Harness, HR, REP, startHarness } from "../helpers/harness.ts";
import { metadataMessages } from "./helpers.ts";

const ZONE = "America/New_York";
const text = (value: unknown) => JSON.stringify(value);

/** The first day, at least three days ahead, whose UTC offset in ZONE differs from the day before. */
const dstChangeDay = (() => {
  let d = DateTime.now().setZone(ZONE).startOf("day").plus({ days: 3 });
  while (d.plus({ days: 1 }).offset === d.offset) d = d.plus({ days: 1 });
  return d.plus({ days: 1 });
})();
const bookedDay = dstChangeDay.minus({ days: 2 }).toISODate() ?? "";
const movedDay = dstChangeDay.plus({ days: 2 }).toISODate() ?? "";
const at = (day: string, hhmm: string) => DateTime.fromISO(`${day}T${hhmm}`, { zone: ZONE }).toJSDate();

/** Reads back what calendar apps look at, converting with the file's own VTIMEZONE. */
function readBack(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  const vtimezone = calendar.getFirstSubcomponent("vtimezone");
  if (!vtimezone) throw new Error("no VTIMEZONE");
  const zone = new ICAL.Timezone(vtimezone);
  ICAL.TimezoneService.register(zone, zone.tzid);
  const vevent = calendar.getFirstSubcomponent("vevent");
  if (!vevent) throw new Error("no VEVENT");
  const event = new ICAL.Event(vevent);
  return {
    method: calendar.getFirstPropertyValue("method"),
    uid: event.uid,
    sequence: event.sequence,
    status: vevent.getFirstPropertyValue("status"),
    tzid: vevent.getFirstProperty("dtstart")?.getParameter("tzid"),
    vtimezoneId: zone.tzid,
    wallClock: `${event.startDate.hour}:${String(event.startDate.minute).padStart(2, "0")}`,
    startUtc: event.startDate.toJSDate().toISOString(),
  };
}

describe("the call in the calendar", () => {
  const clock = new ManualClock();
  let h: Harness;
  let scheduler: Scheduler;
  let onboardingId = "";
  let channelId = "";
  const downloaded: ReturnType<typeof readBack>[] = [];

  beforeAll(async () => {
    h = await startHarness({ clock });
    scheduler = startScheduler(h.app.ctx, { cron: false, owner: "calendar-journey" });
  });
  afterAll(async () => {
    await scheduler?.stop();
    await h?.stop();
  });

  async function fleet(commandText: string) {
    clock.set(new Date());
    const res = await h.driver.command({
      text: commandText,
      userId: REP.id,
      teamId: REP.teamId,
      channelId: "C0SALES",
    });
    const ack = text(res.body);
    if (!ack.includes("Working on it")) return ack;
    return text(await h.driver.waitForResponse(res.responseUrl, 10_000));
  }

  /** The .ics files shared in the channel so far, downloaded over HTTP with the bot token. */
  async function calendarFiles() {
    const shared = h.slack
      .messages(channelId)
      .flatMap((m) => m.files ?? [])
      .filter((f) => f.name.endsWith(".ics"));
    return Promise.all(
      shared.map(async (f) => {
        const url = new URL(`/files-pri/${f.id}/${encodeURIComponent(f.name)}`, h.slack.url);
        const res = await fetch(url, { headers: { authorization: `Bearer ${h.secrets.botToken}` } });
        expect(res.status).toBe(200);
        return { name: f.name, ics: await res.text() };
      }),
    );
  }

  /** The "Add to Google Calendar" button of the newest call note. */
  function calendarButtonUrl(): string | undefined {
    const note = h.slack
      .messages(channelId)
      .filter((m) => text(m.blocks ?? []).includes(ActionId.addToCalendar))
      .at(-1);
    const match = /"url":"(https:\/\/calendar\.google\.com[^"]+)"/.exec(text(note?.blocks));
    return match?.[1];
  }

  it("books with /fleet call: the channel gets the .ics (SEQUENCE 0, the call's TZID) and a Google link", async () => {
    expect(await fleet(`onboard Acme Corp hr=${HR.email}`)).toContain("Checklist pinned");
    const o = await h.db.prisma.onboarding.findFirstOrThrow();
    onboardingId = o.id;
    channelId = o.channelId ?? "";
    expect(await fleet(`call Acme Corp ${bookedDay}T14:30 tz=${ZONE}`)).toContain("booked for");

    const files = await calendarFiles();
    expect(files).toHaveLength(1);
    expect(files[0]?.name).toBe("fleet-onboarding-call-acme-corp.ics");
    const booked = readBack(files[0]?.ics ?? "");
    downloaded.push(booked);
    expect(booked).toMatchObject({
      method: "PUBLISH",
      sequence: 0,
      status: "CONFIRMED",
      tzid: ZONE,
      vtimezoneId: ZONE,
      wallClock: "14:30",
      startUtc: at(bookedDay, "14:30").toISOString(),
    });
    const link = new URL(calendarButtonUrl() ?? "");
    expect(link.host).toBe("calendar.google.com");
    expect(link.searchParams.get("ctz")).toBe(ZONE);
    expect(link.searchParams.get("dates")?.startsWith(`${bookedDay.replaceAll("-", "")}T143000/`)).toBe(true);
  });

  it("moves across the DST change: same UID, SEQUENCE 1, same wall clock at another UTC offset", async () => {
    expect(await fleet(`call Acme Corp ${movedDay}T14:30`)).toContain("moved to");
    const files = await calendarFiles();
    expect(files).toHaveLength(2);
    const moved = readBack(files[1]?.ics ?? "");
    downloaded.push(moved);
    expect(moved).toMatchObject({ method: "PUBLISH", sequence: 1, tzid: ZONE, wallClock: "14:30" });
    expect(moved.uid).toBe(downloaded[0]?.uid);
    expect(moved.startUtc).toBe(at(movedDay, "14:30").toISOString());
    // The same 14:30 is a different UTC hour on each side of the change: the VTIMEZONE carries both rules.
    expect(new Date(moved.startUtc).getUTCHours()).not.toBe(
      new Date(downloaded[0]?.startUtc ?? "").getUTCHours(),
    );
    expect(calendarButtonUrl()).toContain(`dates=${movedDay.replaceAll("-", "")}T143000`);
  });

  it("the day-before reminder carries the same Add to Google Calendar link", async () => {
    const reminder = await h.db.prisma.reminder.findFirstOrThrow({
      where: { onboardingId, status: "pending" },
    });
    clock.set(reminder.dueAt);
    expect(await scheduler.tick()).toBe(1);
    const [message] = metadataMessages(h.slack, channelId).filter(
      (m) => m.metadata?.event_type === MetadataEventType.reminder,
    );
    const button = /"action_id":"add_to_calendar","text":[^}]+},"url":"([^"]+)"/.exec(text(message?.blocks));
    expect(button?.[1]).toBe(calendarButtonUrl());
  });

  it("/fleet done cancels: METHOD:CANCEL, STATUS:CANCELLED, SEQUENCE 2, same UID and zone", async () => {
    expect(await fleet("done Acme Corp")).toContain("is closed");
    const files = await calendarFiles();
    expect(files).toHaveLength(3);
    expect(files[2]?.name).toBe("fleet-onboarding-call-acme-corp-cancelled.ics");
    const cancelled = readBack(files[2]?.ics ?? "");
    expect(cancelled).toMatchObject({ method: "CANCEL", status: "CANCELLED", sequence: 2, tzid: ZONE });
    expect(cancelled.uid).toBe(downloaded[0]?.uid);
    expect(cancelled.startUtc).toBe(downloaded[1]?.startUtc);
    // Three distinct uploads, each through Slack's external upload flow.
    expect(h.slack.callsTo("files.getUploadURLExternal")).toHaveLength(3);
    expect(h.slack.callsTo("files.completeUploadExternal").map((c) => c.args.channel_id)).toEqual([
      channelId,
      channelId,
      channelId,
    ]);
  });

  it("/fleet onboard with call= shares the file too; a re-run with another call= moves it (SEQUENCE 1)", async () => {
    expect(
      await fleet(`onboard Gamma Ltd hr=gamma@gamma.example call=${bookedDay}T11:00 tz=${ZONE}`),
    ).toContain("Checklist pinned");
    const o = await h.db.prisma.onboarding.findFirstOrThrow({ where: { customer: { name: "Gamma Ltd" } } });
    const icsIn = async () => {
      const shared = h.slack.messages(o.channelId ?? "").flatMap((m) => m.files ?? []);
      return Promise.all(
        shared.map(async (f) => {
          const url = new URL(`/files-pri/${f.id}/${encodeURIComponent(f.name)}`, h.slack.url);
          const res = await fetch(url, { headers: { authorization: `Bearer ${h.secrets.botToken}` } });
          return readBack(await res.text());
        }),
      );
    };
    expect(await icsIn()).toEqual([
      expect.objectContaining({ method: "PUBLISH", sequence: 0, tzid: ZONE, wallClock: "11:00" }),
    ]);
    await fleet(`onboard Gamma Ltd hr=gamma@gamma.example call=${movedDay}T11:00 tz=${ZONE}`);
    const [first, second, ...more] = await icsIn();
    expect(more).toEqual([]);
    expect(second).toMatchObject({
      sequence: 1,
      uid: first?.uid,
      startUtc: at(movedDay, "11:00").toISOString(),
    });
  });

  it("a failed upload leaves the call booked and tells the rep", async () => {
    expect(await fleet(`onboard Beta Inc hr=beta@beta.example`)).toContain("Checklist pinned");
    const before = h.slack.files.filter((f) => f.completed).length;
    // Slack keeps failing: an internal_error may mean it shared the file anyway, so each attempt looks first.
    h.slack.injectFault({ method: "files.completeUploadExternal", error: "internal_error", times: 10 });
    const reply = await fleet(`call Beta Inc ${bookedDay}T10:00 tz=${ZONE}`).finally(() =>
      h.slack.clearFaults(),
    );
    expect(reply).toContain("booked for");
    expect(reply).toContain("calendar file could not be shared");
    const o = await h.db.prisma.onboarding.findFirstOrThrow({ where: { customer: { name: "Beta Inc" } } });
    expect(o.callAt).toEqual(at(bookedDay, "10:00"));
    expect(await h.db.prisma.reminder.count({ where: { onboardingId: o.id, status: "pending" } })).toBe(1);
    expect(h.slack.files.filter((f) => f.completed)).toHaveLength(before);
  });
});
