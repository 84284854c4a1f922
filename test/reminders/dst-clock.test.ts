/**
 * Day-before reminders on a controllable clock (ManualClock + tick()): 10:00 local on the day before the
 * call in New York and Berlin around both daylight-saving changes, late bookings, moved calls, closed
 * onboardings.
 */
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/context.ts";
import { closeOnboarding } from "../../src/onboarding/close.ts";
import { rescheduleCall } from "../../src/reminders/call.ts";
import { reconcileCallReminders } from "../../src/reminders/schedule.ts";
import { type Scheduler, startScheduler } from "../../src/reminders/scheduler/index.ts";
import { parseLocalDateTime } from "../../src/time.ts";
import { type Harness, HOME_TEAM, REP, startHarness } from "../helpers/harness.ts";
import { metadataMessages, seedOnboarding } from "./helpers.ts";

const rep = { userId: REP.id, teamId: HOME_TEAM.id, internal: true };

function local(text: string, zone: string): Date {
  const parsed = parseLocalDateTime(text, zone);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.instant;
}

describe("day-before reminders on a controllable clock", () => {
  const clock = new ManualClock(new Date("2026-02-01T12:00:00Z"));
  let h: Harness;
  let scheduler: Scheduler;

  beforeAll(async () => {
    h = await startHarness({ clock });
    scheduler = startScheduler(h.app.ctx, { cron: false, owner: "clock-test", planDaily: false });
  });
  afterAll(async () => {
    await scheduler?.stop();
    await h?.stop();
  });

  it("fires at 10:00 local on the day before, in New York and Berlin around both DST changes", async () => {
    // Expected instants worked out by hand: EST = UTC-5, EDT = UTC-4, CET = UTC+1, CEST = UTC+2.
    const cases = [
      { zone: "America/New_York", call: "2026-03-08T15:00", due: "2026-03-07T15:00:00Z" }, // call on the change day
      { zone: "America/New_York", call: "2026-03-09T14:00", due: "2026-03-08T14:00:00Z" }, // reminder on it
      { zone: "America/New_York", call: "2026-11-01T14:00", due: "2026-10-31T14:00:00Z" },
      { zone: "America/New_York", call: "2026-11-02T09:00", due: "2026-11-01T15:00:00Z" },
      { zone: "Europe/Berlin", call: "2026-03-29T14:00", due: "2026-03-28T09:00:00Z" },
      { zone: "Europe/Berlin", call: "2026-03-30T08:30", due: "2026-03-29T08:00:00Z" },
      { zone: "Europe/Berlin", call: "2026-10-25T14:00", due: "2026-10-24T08:00:00Z" },
      { zone: "Europe/Berlin", call: "2026-10-26T14:00", due: "2026-10-25T09:00:00Z" },
    ];
    clock.set(new Date("2026-02-01T12:00:00Z"));
    const seeded = [];
    for (const c of cases) {
      const callAt = local(c.call, c.zone);
      seeded.push({
        ...c,
        callAt,
        ...(await seedOnboarding(h, { callAt, timeZone: c.zone, schedule: h.app.ctx })),
      });
    }
    for (const c of seeded) {
      const due = new Date(c.due);
      clock.set(new Date(due.getTime() - 60_000));
      await scheduler.tick();
      expect(metadataMessages(h.slack, c.channelId), `${c.zone} ${c.call}: not a minute early`).toHaveLength(
        0,
      );

      clock.set(due);
      expect(DateTime.fromJSDate(clock.now(), { zone: c.zone }).toFormat("HH:mm")).toBe("10:00");
      await scheduler.tick();
      const sent = metadataMessages(h.slack, c.channelId);
      expect(sent, `${c.zone} ${c.call}`).toHaveLength(1);
      expect(sent[0]?.metadata?.event_payload).toMatchObject({
        onboarding_id: c.onboardingId,
        call_at: c.callAt.toISOString(),
      });
      expect(sent[0]?.blocks ? JSON.stringify(sent[0].blocks) : "").toContain(
        `<!date^${Math.floor(c.callAt.getTime() / 1000)}^`,
      );
    }
    // Later ticks never repeat one.
    clock.set(new Date("2026-11-01T20:00:00Z"));
    await scheduler.tick();
    for (const c of seeded) expect(metadataMessages(h.slack, c.channelId)).toHaveLength(1);
    const rows = await h.db.prisma.reminder.findMany({
      where: { onboardingId: { in: seeded.map((s) => s.onboardingId) } },
    });
    expect(rows.map((r) => r.status)).toEqual(seeded.map(() => "sent"));
  });

  it("a reminder whose moment already passed when the call is booked goes out at the next tick", async () => {
    clock.set(new Date("2026-06-10T15:00:00Z"));
    const callAt = new Date("2026-06-10T18:00:00Z"); // later today: "the day before 10:00" is yesterday
    const { channelId, onboardingId } = await seedOnboarding(h, {
      callAt,
      timeZone: "Europe/Berlin",
      schedule: h.app.ctx,
    });
    const row = await h.db.prisma.reminder.findFirstOrThrow({ where: { onboardingId } });
    expect(row.dueAt.toISOString()).toBe("2026-06-09T08:00:00.000Z");
    await scheduler.tick();
    expect(metadataMessages(h.slack, channelId)).toHaveLength(1);
    await scheduler.tick();
    expect(metadataMessages(h.slack, channelId)).toHaveLength(1);
  });

  it("also when only the database knows the call (the tick reconciles a missed hook)", async () => {
    clock.set(new Date("2026-06-11T15:00:00Z"));
    const { channelId, onboardingId } = await seedOnboarding(h, {
      callAt: new Date("2026-06-12T01:00:00Z"),
      timeZone: "America/New_York",
    });
    expect(await h.db.prisma.reminder.count({ where: { onboardingId } })).toBe(0);
    await scheduler.tick();
    expect(metadataMessages(h.slack, channelId)).toHaveLength(1);
  });

  it("the tick's reconcile plans missed calls through the driver alone (no Prisma query compiled per tick)", async () => {
    clock.set(new Date("2026-03-06T15:00:00Z"));
    const seeded = [
      await seedOnboarding(h, { callAt: new Date("2026-03-09T15:00:00Z"), timeZone: "America/New_York" }),
      await seedOnboarding(h, { callAt: new Date("2026-03-30T08:00:00Z"), timeZone: "Europe/Berlin" }),
    ];
    const noPrisma = new Proxy(
      {},
      {
        get: () => {
          throw new Error("reconcile used Prisma");
        },
      },
    );
    const ctx = { ...h.app.ctx, db: { ...h.app.ctx.db, prisma: noPrisma as typeof h.app.ctx.db.prisma } };
    expect(await reconcileCallReminders(ctx, clock.now())).toBeGreaterThanOrEqual(2);
    const rows = await h.db.prisma.reminder.findMany({
      where: { onboardingId: { in: seeded.map((s) => s.onboardingId) } },
      orderBy: { dueAt: "asc" },
    });
    // 10:00 local the day before: New York's Sunday 8 March is EDT (UTC-4), Berlin's Sunday 29 March CEST (UTC+2).
    expect(rows.map((r) => [r.status, r.kind, r.dueAt.toISOString(), r.callAt?.toISOString()])).toEqual([
      ["pending", "day_before", "2026-03-08T14:00:00.000Z", "2026-03-09T15:00:00.000Z"],
      ["pending", "day_before", "2026-03-29T08:00:00.000Z", "2026-03-30T08:00:00.000Z"],
    ]);
    expect(await reconcileCallReminders(ctx, clock.now())).toBe(0);
  });

  it("the tick revives a reminder cancelled for the current call (moved away and back without the hook)", async () => {
    clock.set(new Date("2026-06-13T12:00:00Z"));
    const { channelId, onboardingId } = await seedOnboarding(h, {
      callAt: new Date("2026-06-15T16:00:00Z"),
      timeZone: "America/New_York",
      schedule: h.app.ctx,
    });
    await h.db.prisma.reminder.updateMany({
      where: { onboardingId },
      data: { status: "cancelled", dueAt: new Date("2026-06-01T00:00:00Z"), lastError: "the call moved" },
    });
    await scheduler.tick(); // reconciles: pending again, re-timed to 10:00 New York the day before
    const row = await h.db.prisma.reminder.findFirstOrThrow({ where: { onboardingId } });
    expect(row).toMatchObject({ status: "pending", lastError: null });
    expect(row.dueAt.toISOString()).toBe("2026-06-14T14:00:00.000Z");
    expect(metadataMessages(h.slack, channelId)).toHaveLength(0);
    clock.set(new Date("2026-06-14T14:00:00Z"));
    await scheduler.tick();
    await scheduler.tick();
    expect(metadataMessages(h.slack, channelId)).toHaveLength(1);
    expect(await h.db.prisma.reminder.count({ where: { onboardingId } })).toBe(1);
  });

  it("a moved call fires once at the new time and not at the old", async () => {
    clock.set(new Date("2026-07-01T12:00:00Z"));
    const zone = "America/New_York";
    const first = local("2026-07-10T14:00", zone);
    const moved = local("2026-07-20T14:00", zone);
    const { channelId, onboardingId } = await seedOnboarding(h, {
      callAt: first,
      timeZone: zone,
      schedule: h.app.ctx,
    });
    const result = await rescheduleCall(h.app.ctx, {
      onboardingId,
      callAt: moved,
      timeZone: zone,
      actor: rep,
      via: "command",
    });
    expect(result).toMatchObject({ ok: true, changed: true });
    // The short note in the channel says so.
    expect(h.slack.messages(channelId).some((m) => m.text.includes("moved to"))).toBe(true);

    clock.set(new Date("2026-07-09T14:00:00Z")); // 10:00 EDT the day before the old call
    await scheduler.tick();
    clock.set(new Date("2026-07-10T14:00:00Z"));
    await scheduler.tick();
    expect(metadataMessages(h.slack, channelId)).toHaveLength(0);

    clock.set(new Date("2026-07-19T14:00:00Z")); // 10:00 EDT the day before the new call
    await scheduler.tick();
    await scheduler.tick();
    const sent = metadataMessages(h.slack, channelId);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.metadata?.event_payload).toMatchObject({ call_at: moved.toISOString() });
    const rows = await h.db.prisma.reminder.findMany({
      where: { onboardingId },
      orderBy: { createdAt: "asc" },
    });
    expect(rows.map((r) => [r.callAt?.toISOString(), r.status])).toEqual([
      [first.toISOString(), "cancelled"],
      [moved.toISOString(), "sent"],
    ]);
  });

  it("moving a call away and back revives the original reminder, which still fires once", async () => {
    clock.set(new Date("2026-08-01T12:00:00Z"));
    const zone = "Europe/Berlin";
    const original = local("2026-08-12T11:00", zone);
    const { channelId, onboardingId } = await seedOnboarding(h, {
      callAt: original,
      timeZone: zone,
      schedule: h.app.ctx,
    });
    const move = (callAt: Date) =>
      rescheduleCall(h.app.ctx, { onboardingId, callAt, timeZone: zone, actor: rep, via: "modal" });
    await move(local("2026-08-14T11:00", zone));
    await move(original);
    clock.set(new Date("2026-08-11T08:00:00Z"));
    await scheduler.tick();
    await scheduler.tick();
    expect(metadataMessages(h.slack, channelId)).toHaveLength(1);
    const statuses = await h.db.prisma.reminder.findMany({
      where: { onboardingId },
      select: { status: true },
    });
    expect(statuses.map((s) => s.status).sort()).toEqual(["cancelled", "sent"]);
  });

  it("a cancelled or closed onboarding never fires", async () => {
    clock.set(new Date("2026-09-01T12:00:00Z"));
    const callAt = local("2026-09-10T15:00", "America/New_York");
    const closed = await seedOnboarding(h, { callAt, timeZone: "America/New_York", schedule: h.app.ctx });
    const cancelled = await seedOnboarding(h, { callAt, timeZone: "America/New_York", schedule: h.app.ctx });
    const closedLate = await seedOnboarding(h, { callAt, timeZone: "America/New_York", schedule: h.app.ctx });
    await closeOnboarding(h.app.ctx, closed.onboardingId, rep);
    // A status change that bypasses every hook: the tick must still not send.
    await h.db.prisma.onboarding.update({
      where: { id: cancelled.onboardingId },
      data: { status: "cancelled" },
    });

    clock.set(new Date("2026-09-09T14:00:00Z"));
    // Closed after the reminder was claimed but before it was posted: the sender's last check stops it.
    await h.db.prisma.reminder.updateMany({
      where: { onboardingId: closedLate.onboardingId },
      data: { status: "sending", leasedBy: "clock-test", leaseUntil: new Date("2026-09-09T13:59:00Z") },
    });
    await h.db.prisma.onboarding.update({ where: { id: closedLate.onboardingId }, data: { status: "done" } });
    await scheduler.tick();
    clock.set(new Date("2026-09-10T14:00:00Z"));
    await scheduler.tick();
    for (const o of [closed, cancelled, closedLate]) {
      expect(metadataMessages(h.slack, o.channelId)).toHaveLength(0);
      const rows = await h.db.prisma.reminder.findMany({ where: { onboardingId: o.onboardingId } });
      expect(rows.map((r) => r.status)).toEqual(["cancelled"]);
    }
  });
});
