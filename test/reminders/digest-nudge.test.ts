/**
 * The rep's morning digest (08:30 in the rep's Slack time zone, tomorrow's calls with readiness) and
 * customer nudges (untouched steps, at most once a day, Mon–Fri 09:00–18:00 customer time), on a
 * controllable clock; plus the short confirmation when everything is done and verified.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checklistItems } from "../../src/checklist/items.ts";
import { getTemplate } from "../../src/checklist/template-registry.ts";
import { ManualClock } from "../../src/context.ts";
import { recordItemChange } from "../../src/onboarding/checklist-service.ts";
import { type Scheduler, startScheduler } from "../../src/reminders/scheduler/index.ts";
import { MetadataEventType } from "../../src/slack-gateway/ids.ts";
import { dmMessages, type Harness, HOME_TEAM, HR, REP2, startHarness } from "../helpers/harness.ts";
import { metadataMessages, seedOnboarding } from "./helpers.ts";

const BEA = { id: "U0BEA", teamId: HOME_TEAM.id, name: "bea.rep", tz: "Europe/Berlin" };
const text = (value: unknown) => JSON.stringify(value);

async function markAllDone(h: Harness, onboardingId: string, verified: boolean) {
  await h.db.prisma.stepState.createMany({
    data: checklistItems(getTemplate("justworks")).map((i) => ({
      onboardingId,
      itemKey: i.key,
      done: true,
      source: "finch",
    })),
  });
  await h.db.prisma.finchConnection.create({
    data: {
      onboardingId,
      connectionId: `conn-${onboardingId}`,
      providerId: "justworks",
      tokenCiphertext: "x",
      tokenKeyId: "k1",
      status: "connected",
      products: ["company"],
      codeHash: `hash-${onboardingId}`,
      verifiedAt: verified ? new Date("2026-01-01T00:00:00Z") : null,
    },
  });
}

describe("rep digests", () => {
  const clock = new ManualClock(new Date("2026-10-01T12:00:00Z"));
  let h: Harness;
  let scheduler: Scheduler;
  beforeAll(async () => {
    h = await startHarness({ clock });
    h.slack.addUser(BEA);
    scheduler = startScheduler(h.app.ctx, { cron: false, owner: "digest" });
  });
  afterAll(async () => {
    await scheduler?.stop();
    await h?.stop();
  });

  const digests = (userId: string) =>
    dmMessages(h.slack, userId).filter((m) => m.metadata?.event_type === MetadataEventType.repDigest);

  it("at 08:30 in the rep's own zone, lists tomorrow's calls (and only those) with readiness, once", async () => {
    // Berlin switches to winter time on 2026-10-25: the digest that morning is at 08:30 CET = 07:30Z.
    const mine = { ownerUserId: BEA.id, hrUserIds: [HR.id] };
    const ready = await seedOnboarding(h, {
      ...mine,
      company: "Ready Co",
      callAt: new Date("2026-10-26T15:00:00Z"), // 16:00 Berlin, tomorrow
      timeZone: "America/New_York",
    });
    await markAllDone(h, ready.onboardingId, true);
    await seedOnboarding(h, {
      ...mine,
      company: "Early Co",
      callAt: new Date("2026-10-25T23:30:00Z"), // 00:30 Berlin on the 26th: tomorrow for Bea
      timeZone: "America/Los_Angeles",
    });
    await seedOnboarding(h, {
      ...mine,
      company: "Later Co",
      callAt: new Date("2026-10-27T09:00:00Z"), // the day after tomorrow
      timeZone: "Europe/Berlin",
    });
    const closed = await seedOnboarding(h, {
      ...mine,
      company: "Closed Co",
      callAt: new Date("2026-10-26T10:00:00Z"),
      timeZone: "Europe/Berlin",
    });
    await h.db.prisma.onboarding.update({ where: { id: closed.onboardingId }, data: { status: "done" } });
    // Another rep with a call tomorrow gets their own digest, in their own zone (Los Angeles).
    await seedOnboarding(h, {
      ownerUserId: REP2.id,
      company: "Other Rep Co",
      callAt: new Date("2026-10-26T20:00:00Z"),
      timeZone: "America/Los_Angeles",
    });

    clock.set(new Date("2026-10-25T07:29:00Z"));
    await scheduler.tick();
    expect(digests(BEA.id)).toHaveLength(0);
    clock.set(new Date("2026-10-25T07:30:00Z"));
    await scheduler.tick();
    clock.set(new Date("2026-10-25T09:00:00Z"));
    await scheduler.tick();
    const [digest, ...more] = digests(BEA.id);
    expect(more).toHaveLength(0);
    expect(digest?.metadata?.event_payload).toMatchObject({
      kind: "rep_digest",
      user_id: BEA.id,
      date: "2026-10-26",
    });
    const body = text(digest?.blocks);
    expect(body.indexOf("Early Co")).toBeGreaterThan(-1);
    expect(body.indexOf("Early Co")).toBeLessThan(body.indexOf("Ready Co")); // in time order
    expect(body).not.toContain("Later Co");
    expect(body).not.toContain("Closed Co");
    expect(body).not.toContain("Other Rep Co");
    expect(body).toContain("Ready: every step done, Finch verified");
    // Open boxes named with who acts (issue 27), read from the database through digestCalls.
    expect(body).toMatch(/left for the customer: \*[^*]+\* in step 1/);
    expect(digests(REP2.id)).toHaveLength(0); // 08:30 in Los Angeles is later

    clock.set(new Date("2026-10-25T15:30:00Z")); // 08:30 PDT
    await scheduler.tick();
    expect(digests(REP2.id)).toHaveLength(1);
    expect(text(digests(REP2.id)[0]?.blocks)).toContain("Other Rep Co");
  });

  it("no calls tomorrow: no digest; Slack not telling the zone: DEFAULT_TIMEZONE", async () => {
    const quiet = startScheduler(h.app.ctx, { cron: false, owner: "digest-2" });
    h.slack.injectFault({ method: "users.info", error: "user_not_found", times: 5 });
    const LOST = "U0LOSTREP";
    await seedOnboarding(h, {
      ownerUserId: LOST,
      company: "Lost Rep Co",
      callAt: new Date("2026-11-06T15:00:00Z"),
      timeZone: "America/New_York",
    });
    clock.set(new Date("2026-11-04T13:30:00Z")); // 08:30 EST the day before the day before: nothing
    await quiet.tick();
    clock.set(new Date("2026-11-05T13:29:00Z"));
    await quiet.tick();
    expect(digests(LOST)).toHaveLength(0);
    expect(await h.db.prisma.reminder.count({ where: { userId: LOST } })).toBe(0);
    clock.set(new Date("2026-11-05T13:30:00Z")); // 08:30 in New York (DEFAULT_TIMEZONE)
    await quiet.tick();
    const rows = await h.db.prisma.reminder.findMany({ where: { userId: LOST } });
    expect(rows.map((r) => [r.localDate, r.dueAt.toISOString()])).toEqual([
      ["2026-11-05", "2026-11-05T13:30:00.000Z"],
    ]);
    // Slack does not know this user at all (the DM cannot be opened): given up, not retried forever.
    expect(rows[0]).toMatchObject({ status: "failed", lastError: "user_not_found" });
    await quiet.stop();
    h.slack.clearFaults();
  });
});

describe("nudges and the all-done confirmation", () => {
  const clock = new ManualClock(new Date("2026-03-02T15:00:00Z"));
  let h: Harness;
  let scheduler: Scheduler;
  beforeAll(async () => {
    h = await startHarness({ clock });
    scheduler = startScheduler(h.app.ctx, { cron: false, owner: "nudge" });
  });
  afterAll(async () => {
    await scheduler?.stop();
    await h?.stop();
  });

  const nudges = (channelId: string) => metadataMessages(h.slack, channelId, MetadataEventType.nudge);

  it("untouched customer steps: at most one nudge a day, Mon–Fri 09:00–18:00 in the customer's zone", async () => {
    // Created Monday 2026-03-02 09:00 CST; nobody touches anything. US clocks change on Sunday 03-08.
    clock.set(new Date("2026-03-02T15:00:00Z"));
    const o = await seedOnboarding(h, {
      callAt: null,
      timeZone: "America/Chicago",
      hrUserIds: [HR.id],
      createdAt: new Date("2026-03-02T15:00:00Z"),
    });
    const at = async (iso: string) => {
      clock.set(new Date(iso));
      await scheduler.tick();
      return nudges(o.channelId).length;
    };
    expect(await at("2026-03-05T14:59:00Z")).toBe(0); // Thu 08:59 CST, and not 3 days untouched yet
    expect(await at("2026-03-05T15:00:00Z")).toBe(1); // Thu 09:00 CST, 3 days untouched
    expect(await at("2026-03-05T23:00:00Z")).toBe(1); // Thu 17:00: already nudged today
    expect(await at("2026-03-06T23:59:00Z")).toBe(2); // Fri 17:59
    expect(await at("2026-03-07T16:00:00Z")).toBe(2); // Saturday
    expect(await at("2026-03-08T16:00:00Z")).toBe(2); // Sunday
    expect(await at("2026-03-09T13:59:00Z")).toBe(2); // Mon 08:59 CDT
    expect(await at("2026-03-10T00:00:00Z")).toBe(2); // Mon 19:00 CDT
    expect(await at("2026-03-10T14:00:00Z")).toBe(3); // Tue 09:00 CDT
    const [first] = nudges(o.channelId);
    expect(first?.text).toContain("nudge");
    expect(text(first?.blocks)).toContain(`<@${HR.id}>`);
    expect(text(first?.blocks)).toContain("Add Fleet's integration user");
    const row = await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: o.onboardingId } });
    expect(row.lastNudgeAt?.toISOString()).toBe("2026-03-10T14:00:00.000Z");

    // The customer ticks a step on Wednesday: quiet again until it is untouched for 3 days.
    clock.set(new Date("2026-03-11T15:00:00Z"));
    await recordItemChange(h.app.ctx, {
      onboardingId: o.onboardingId,
      itemKey: "add-user",
      done: true,
      source: "slack",
      actor: { userId: HR.id, teamId: "T0ACME", internal: false },
    });
    expect(await at("2026-03-12T15:00:00Z")).toBe(3);
    expect(await at("2026-03-13T15:00:00Z")).toBe(3);
    expect(await at("2026-03-16T15:00:00Z")).toBe(4); // Monday: 5 days untouched
  });

  it("no nudge when no one from the customer joined, on the day before the call, or once closed", async () => {
    clock.set(new Date("2026-04-01T15:00:00Z"));
    const created = new Date("2026-03-20T15:00:00Z");
    const nobody = await seedOnboarding(h, { callAt: null, timeZone: "Europe/Berlin", createdAt: created });
    const callTomorrow = await seedOnboarding(h, {
      callAt: new Date("2026-04-02T12:00:00Z"),
      timeZone: "Europe/Berlin",
      hrUserIds: [HR.id],
      createdAt: created,
    });
    const closed = await seedOnboarding(h, {
      callAt: null,
      timeZone: "Europe/Berlin",
      hrUserIds: [HR.id],
      createdAt: created,
    });
    await h.db.prisma.onboarding.update({ where: { id: closed.onboardingId }, data: { status: "done" } });
    clock.set(new Date("2026-04-01T12:00:00Z")); // Wed 14:00 CEST
    await scheduler.tick();
    for (const o of [nobody, callTomorrow, closed]) expect(nudges(o.channelId)).toHaveLength(0);
    // The day-before reminder did go out for the call tomorrow.
    expect(metadataMessages(h.slack, callTomorrow.channelId)).toHaveLength(1);
  });

  it("everything done and Finch verified: the reminder is a short confirmation", async () => {
    clock.set(new Date("2026-05-01T12:00:00Z"));
    const o = await seedOnboarding(h, {
      callAt: new Date("2026-05-05T14:00:00Z"),
      timeZone: "Europe/Berlin",
      hrUserIds: [HR.id],
      schedule: h.app.ctx,
    });
    await markAllDone(h, o.onboardingId, true);
    clock.set(new Date("2026-05-04T08:00:00Z"));
    await scheduler.tick();
    const [reminder] = metadataMessages(h.slack, o.channelId);
    const body = text(reminder?.blocks);
    expect(body).toContain("All set");
    expect(body).not.toContain("Have these ready");
    expect(body).not.toContain("/connect/");
    expect(reminder?.blocks).toHaveLength(2);
  });
});
