/**
 * The call over real HTTP: booked at onboarding, moved with `/fleet call` (re-read in the customer's zone),
 * refused when past / non-existent / in an unknown zone / not a rep, reminded the day before with what is
 * open, listed in the rep's morning digest, and moved again from the digest's Reschedule button and modal.
 */
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RescheduleField } from "../../src/blocks/reschedule-modal.ts";
import { ManualClock } from "../../src/context.ts";
import { type Scheduler, startScheduler } from "../../src/reminders/scheduler/index.ts";
import { MetadataEventType } from "../../src/slack-gateway/ids.ts";
import {
  ACME_TEAM,
  acceptInvite,
  dmMessages,
  eventually,
  type Harness,
  HOME_TEAM,
  HR,
  REP,
  startHarness,
} from "../helpers/harness.ts";
import { metadataMessages } from "./helpers.ts";

const text = (value: unknown) => JSON.stringify(value);
const unix = (d: Date) => Math.floor(d.getTime() / 1000);
const BERLIN = "Europe/Berlin";
const CHICAGO = "America/Chicago";

// Dates are relative to today: the app checks Slack request timestamps against its clock, so every
// request is made with the clock back at the real time, and the journey must stay valid in any year.
const today = DateTime.now().setZone(BERLIN).startOf("day");
const firstDay = today.plus({ days: 20 }).toISODate() ?? "";
const movedDay = today.plus({ days: 21 }).toISODate() ?? "";
const at = (day: string, hhmm: string, zone: string) =>
  DateTime.fromISO(`${day}T${hhmm}`, { zone }).toJSDate();
/** 10:00 local on the day before `call` in `zone`, computed independently of the app's helpers. */
const dayBefore10 = (call: Date, zone: string) =>
  DateTime.fromJSDate(call, { zone }).minus({ days: 1 }).set({ hour: 10, minute: 0 }).toJSDate();
/** The last Sunday of March next year: 02:30 does not exist in Berlin, but does in New York (already EDT). */
const berlinGapDay = (() => {
  let d = DateTime.fromObject({ year: today.year + 1, month: 3, day: 31 }, { zone: BERLIN });
  while (d.weekday !== 7) d = d.minus({ days: 1 });
  return d.toISODate() ?? "";
})();

describe("booking and moving the call", () => {
  const clock = new ManualClock();
  let h: Harness;
  let scheduler: Scheduler;
  let onboardingId = "";
  let channelId = "";

  beforeAll(async () => {
    h = await startHarness({ clock });
    scheduler = startScheduler(h.app.ctx, { cron: false, owner: "journey" });
  });
  afterAll(async () => {
    await scheduler?.stop();
    await h?.stop();
  });

  /** Back to real time before talking HTTP (Slack request timestamps are checked against the clock). */
  const realTime = () => clock.set(new Date());

  async function fleet(commandText: string, user: { id: string; teamId: string } = REP, channel = "C0SALES") {
    realTime();
    const res = await h.driver.command({
      text: commandText,
      userId: user.id,
      teamId: user.teamId,
      channelId: channel,
    });
    const ack = text(res.body);
    // Input errors and refusals come back in the ack; work results through response_url.
    if (!ack.includes("Working on it")) return ack;
    return text(await h.driver.waitForResponse(res.responseUrl, 10_000));
  }

  const reminders = () =>
    h.db.prisma.reminder.findMany({ where: { onboardingId }, orderBy: { createdAt: "asc" } });

  it("onboarding with call= and tz= schedules the reminder at 10:00 Berlin time the day before", async () => {
    const report = await fleet(`onboard Acme Corp hr=${HR.email} call=${firstDay}T14:30 tz=Europe/Berlin`);
    expect(report).toContain("Checklist pinned");
    const o = await h.db.prisma.onboarding.findFirstOrThrow({ include: { customer: true } });
    onboardingId = o.id;
    channelId = o.channelId ?? "";
    expect(o.callAt).toEqual(at(firstDay, "14:30", BERLIN));
    expect(o.timeZone).toBe(BERLIN);
    const [r] = await reminders();
    expect(r).toMatchObject({ kind: "day_before", status: "pending", callAt: o.callAt });
    expect(r?.dueAt).toEqual(dayBefore10(at(firstDay, "14:30", BERLIN), BERLIN));
    realTime();
    await acceptInvite(h, HR.email, HR);
  });

  it("/fleet call without tz= reads the time in the customer's zone, moves the reminder, updates the checklist, notes and audits", async () => {
    const updatesBefore = h.slack.callsTo("chat.update").length;
    const reply = await fleet(`call Acme Corp ${movedDay}T09:00`);
    expect(reply).toContain("moved to");
    // The time in the customer's zone, labelled with it; the same instant in the rep's own zone.
    expect(reply).toContain("9:00 AM Berlin time (CET)");
    expect(reply).toContain("at {time} your time|");
    expect(reply).not.toContain("Europe/Berlin");
    const o = await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: onboardingId } });
    const moved = at(movedDay, "09:00", BERLIN);
    expect(o.callAt).toEqual(moved); // 09:00 in Berlin, not 09:00 in New York (DEFAULT_TIMEZONE)
    expect(moved).not.toEqual(at(movedDay, "09:00", "America/New_York"));
    expect((await reminders()).map((r) => [r.status, r.dueAt])).toEqual([
      ["cancelled", dayBefore10(at(firstDay, "14:30", BERLIN), BERLIN)],
      ["pending", dayBefore10(moved, BERLIN)],
    ]);
    // The pinned checklist shows the new time; the channel gets a short note.
    const update = h.slack.callsTo("chat.update").slice(updatesBefore).at(-1);
    expect(text(update?.args.blocks)).toContain(`<!date^${unix(moved)}^`);
    // The note is followed by the calendar file (test/reminders/calendar-journey.test.ts).
    const note = h.slack
      .messages(channelId)
      .filter((m) => !m.files)
      .at(-1);
    expect(note?.text).toContain("moved to");
    expect(note?.text).toContain("at 9:00 AM Berlin time (CET)* (was ");
    const event = await h.db.prisma.auditEvent.findFirstOrThrow({
      where: { onboardingId, action: "call.moved" },
    });
    expect(event.detail).toMatchObject({
      from: at(firstDay, "14:30", BERLIN).toISOString(),
      to: moved.toISOString(),
      timeZone: BERLIN,
      via: "command",
    });
    expect(event.actorUserId).toBe(REP.id);
  });

  it("refuses a past time, a time that does not exist, an unknown zone and non-reps, changing nothing", async () => {
    const before = await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: onboardingId } });
    const yesterday = today.minus({ days: 1 }).toISODate();
    expect(await fleet(`call Acme Corp ${yesterday}T10:00`)).toContain("in the past");
    expect(await fleet(`call Acme Corp ${berlinGapDay}T02:30 tz=Europe/Berlin`)).toContain("does not exist");
    expect(await fleet(`call Acme Corp ${movedDay}T10:00 tz=Mars/Olympus`)).toContain("is not a time zone");
    // 02:30 that day exists in New York (the parser's default zone) but not in Berlin: caught on re-reading.
    expect(await fleet(`call Acme Corp ${berlinGapDay}T02:30`)).toContain(
      "does not exist in Berlin time (CEST)",
    );
    // The customer's HR admin, even in the customer channel, may not move the call.
    const refused = await fleet(`call ${movedDay}T10:00`, { id: HR.id, teamId: ACME_TEAM.id }, channelId);
    expect(refused).toContain("for Fleet's team");
    const after = await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: onboardingId } });
    expect(after.callAt).toEqual(before.callAt);
    expect(after.timeZone).toBe(before.timeZone);
    expect((await reminders()).filter((r) => r.status === "pending")).toHaveLength(1);
  });

  it("the day before at 10:00 Berlin time the channel gets one reminder with what is open and what to have ready", async () => {
    const due = dayBefore10(at(movedDay, "09:00", BERLIN), BERLIN);
    clock.set(new Date(due.getTime() - 60_000));
    expect(await scheduler.tick()).toBe(0);
    clock.set(due);
    expect(await scheduler.tick()).toBe(1);
    const [reminder] = metadataMessages(h.slack, channelId);
    expect(reminder?.metadata).toEqual({
      event_type: MetadataEventType.reminder,
      event_payload: {
        kind: "day_before",
        reminder_id: (await reminders()).at(-1)?.id,
        onboarding_id: onboardingId,
        call_at: at(movedDay, "09:00", BERLIN).toISOString(),
      },
    });
    const body = text(reminder?.blocks);
    expect(body).toContain(`<@${HR.id}>`);
    expect(body).toContain("Still open");
    expect(body).toContain("Add Fleet's integration user");
    // The integration user's mailbox is Fleet's: Fleet holds its login, the HR admin only joins as an admin.
    expect(body).toContain("Your Justworks admin login");
    expect(body).toContain("@fleet.example");
    expect(body).not.toContain("Temporary password");
    expect(body).toContain(`${h.app.ctx.publicUrl}connect/`);
    expect(await scheduler.tick()).toBe(0);
    expect(metadataMessages(h.slack, channelId)).toHaveLength(1);
  });

  it("the rep's digest at 08:30 in the rep's zone lists tomorrow's call with its readiness, once", async () => {
    // REP has no tz in the stand-in, which then reports America/Los_Angeles.
    const callInLa = DateTime.fromJSDate(at(movedDay, "09:00", BERLIN), { zone: "America/Los_Angeles" });
    const digestAt = callInLa.minus({ days: 1 }).set({ hour: 8, minute: 30 }).toJSDate();
    clock.set(new Date(digestAt.getTime() - 60_000));
    await scheduler.tick();
    expect(
      dmMessages(h.slack, REP.id).filter((m) => m.metadata?.event_type === MetadataEventType.repDigest),
    ).toHaveLength(0);
    clock.set(digestAt); // 08:30 in Los Angeles, the day before the call's date there
    await scheduler.tick();
    await scheduler.tick();
    const digests = dmMessages(h.slack, REP.id).filter(
      (m) => m.metadata?.event_type === MetadataEventType.repDigest,
    );
    expect(digests).toHaveLength(1);
    expect(digests[0]?.metadata?.event_payload).toMatchObject({
      user_id: REP.id,
      date: callInLa.toISODate(),
    });
    const body = text(digests[0]?.blocks);
    expect(body).toContain("Acme Corp");
    // Open boxes named with who acts (issue 27), read from the database through digestCalls.
    expect(body).toMatch(/left for the customer: \*[^*]+\* in step 1/);
    expect(body).toContain("Finch: not connected");
    expect(body).toContain('"action_id":"reschedule"');
  });

  it("the digest's Reschedule button opens the modal; a submission moves the call and the zone", async () => {
    const digest = dmMessages(h.slack, REP.id).find(
      (m) => m.metadata?.event_type === MetadataEventType.repDigest,
    );
    if (!digest) throw new Error("no digest");
    realTime();
    // Someone outside our workspace gets a refusal, and no modal.
    const modalsBefore = h.slack.openedViews.length;
    await h.driver.blockActions({
      user: { id: HR.id, teamId: ACME_TEAM.id },
      channelId,
      message: digest,
      actions: [{ action_id: "reschedule" }],
    });
    await eventually(() => h.slack.ephemerals(channelId).some((e) => e.user === HR.id), 5_000, "refusal");
    expect(h.slack.openedViews).toHaveLength(modalsBefore);

    await h.driver.blockActions({
      user: { id: REP.id, teamId: HOME_TEAM.id },
      channelId: digest.channel,
      message: digest,
      actions: [{ action_id: "reschedule" }],
    });
    const view = await eventually(
      () => h.slack.openedViews.find((v) => v.callback_id === "reschedule_modal"),
      5_000,
      "reschedule modal",
    );
    expect(view.private_metadata).toBe(onboardingId);
    expect(text(view.blocks)).toContain(`"initial_date_time":${unix(at(movedDay, "09:00", BERLIN))}`);
    expect(text(view.blocks)).toContain('"value":"Europe/Berlin"}');

    const values = (when: number, zone: string) => ({
      [RescheduleField.call]: {
        [RescheduleField.call]: { type: "datetimepicker", selected_date_time: when },
      },
      [RescheduleField.timeZone]: {
        [RescheduleField.timeZone]: { type: "static_select", selected_option: { value: zone } },
      },
    });
    const submit = (when: number, zone: string) =>
      h.driver.viewSubmission({
        user: { id: REP.id, teamId: HOME_TEAM.id },
        view: {
          id: view.id,
          callback_id: "reschedule_modal",
          private_metadata: onboardingId,
          state: { values: values(when, zone) } as never,
        },
      });
    const newCall = DateTime.now().plus({ days: 25 }).startOf("hour").toJSDate();
    const past = await submit(unix(new Date(Date.now() - 86_400_000)), CHICAGO);
    expect(past.body).toMatchObject({
      response_action: "errors",
      errors: { [RescheduleField.call]: expect.stringContaining("past") },
    });
    // The menu offers known zones only; a forged or stale value is still refused.
    const zone = await submit(unix(newCall), "Middle Earth");
    expect(zone.body).toMatchObject({
      response_action: "errors",
      errors: { [RescheduleField.timeZone]: expect.stringContaining("not a time zone") },
    });
    const good = await submit(unix(newCall), CHICAGO);
    expect(good.status).toBe(200);
    const o = await eventually(
      async () => {
        const row = await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: onboardingId } });
        return row.timeZone === CHICAGO ? row : null;
      },
      5_000,
      "the moved call",
    );
    expect(o.callAt).toEqual(newCall);
    const pending = (await reminders()).filter((r) => r.status === "pending");
    expect(pending.map((r) => r.dueAt)).toEqual([dayBefore10(newCall, CHICAGO)]);
    await eventually(
      () => dmMessages(h.slack, REP.id).some((m) => m.text.includes("moved to")),
      5_000,
      "the rep's confirmation",
    );
    const audit = await h.db.prisma.auditEvent.findFirstOrThrow({
      where: { onboardingId, action: "call.moved" },
      orderBy: { at: "desc" },
    });
    expect(audit.detail).toMatchObject({ via: "modal", timeZone: CHICAGO });
  });

  it("closing the onboarding stops its reminder; /fleet call then refuses", async () => {
    await fleet("done Acme Corp");
    expect((await reminders()).filter((r) => r.status === "pending")).toHaveLength(0);
    expect(await fleet(`call Acme Corp ${movedDay}T10:00`)).toContain("there is no call to book");
    const { callAt } = await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: onboardingId } });
    clock.set(dayBefore10(callAt ?? new Date(), CHICAGO));
    await scheduler.tick();
    expect(metadataMessages(h.slack, channelId)).toHaveLength(1);
  });
});
