/**
 * Nothing changed silently: a second `/fleet onboard` of an existing customer says what already exists and
 * lists exactly what it changed (and what it left alone, with the command that does it); a call it moves is
 * announced in the customer's channel with the new and the old time, like `/fleet call`. The first answer
 * echoes what was understood: provider, call in the call's zone and in the rep's.
 */
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/context.ts";
import { acceptInvite, type Harness, HOME_TEAM, HR, HR2, REP, startHarness } from "../helpers/harness.ts";

const CHICAGO = "America/Chicago";
const day = (plus: number) =>
  DateTime.now().setZone(CHICAGO).startOf("day").plus({ days: plus }).toISODate() ?? "";
const FIRST = day(20);
const MOVED = day(21);
const longDay = (iso: string) => DateTime.fromISO(iso, { zone: CHICAGO }).toFormat("cccc, LLLL d");

describe("a second /fleet onboard of an existing customer", () => {
  const clock = new ManualClock();
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ clock });
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function fleet(text: string): Promise<string> {
    clock.set(new Date());
    const res = await h.driver.command({ text, userId: REP.id, teamId: HOME_TEAM.id, channelId: "C0SALES" });
    const ack = JSON.stringify(res.body);
    if (!ack.includes("Working on it")) return ack;
    return ((await h.driver.waitForResponse(res.responseUrl, 10_000)) as { text: string }).text;
  }

  it("the first run echoes the provider, the call in its zone and the rep's, and the HR admins", async () => {
    const report = await fleet(`onboard Acme Corp hr=${HR.email} call=${FIRST}T15:00 tz=Central`);
    expect(report).toContain("Provider: *Justworks*");
    expect(report).toContain(`${longDay(FIRST)}, `);
    expect(report).toContain("at 3:00 PM Chicago time (CT)");
    expect(report).toContain("your time");
    expect(report).toContain(HR.email);
    expect(report).not.toContain(CHICAGO);
    clock.set(new Date());
    await acceptInvite(h, HR.email, HR);
  });

  it("a re-run says what exists, lists what it changed and what it left alone, and notes the moved call", async () => {
    const o = await h.db.prisma.onboarding.findFirstOrThrow();
    const channelId = o.channelId ?? "";
    const notesBefore = h.slack.messages(channelId).length;
    const report = await fleet(
      `onboard Acme Corp hr=${HR.email},${HR2.email} call=${MOVED}T09:30 tz=CT provider=bamboo_hr`,
    );
    expect(report).toContain("*Acme Corp* already has an onboarding");
    expect(report).toContain(`<#${channelId}>`);
    expect(report).toMatch(/Changed:[\s\S]*Added HR admin joe@acme\.example/);
    expect(report).toContain(
      `Moved the call to ${longDay(MOVED)}, ${MOVED.slice(0, 4)} at 9:30 AM Chicago time (CT)`,
    );
    expect(report).toContain(`from ${longDay(FIRST)} at 3:00 PM Chicago time (CT)`);
    expect(report).toMatch(
      /Not changed:[\s\S]*provider[\s\S]*Justworks[\s\S]*\/fleet provider Acme Corp bamboo_hr/,
    );
    expect(report).not.toContain("jane@acme.example (new)");

    // The customer's channel gets the note with the new and the old time, not only the calendar file.
    const newMessages = h.slack.messages(channelId).slice(notesBefore);
    const note = newMessages.find((m) => /moved to/.test(m.text ?? ""));
    expect(note?.text).toContain("9:30 AM Chicago time (CT)");
    expect(note?.text).toContain(`was ${longDay(FIRST)} at 3:00 PM Chicago time (CT)`);
    const after = await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: o.id } });
    expect(after.providerId).toBe("justworks");
    expect(after.callAt).toEqual(DateTime.fromISO(`${MOVED}T09:30`, { zone: CHICAGO }).toJSDate());
  });

  it("the same line again changes nothing and says so", async () => {
    const report = await fleet(`onboard Acme Corp hr=${HR.email},${HR2.email} call=${MOVED}T09:30 tz=CT`);
    expect(report).toContain("already has an onboarding");
    expect(report).toContain("Nothing changed.");
    expect(report).not.toContain("Moved the call");
  });

  it("tz= without call= re-labels the call's zone (same moment), says so, and the channel hears it", async () => {
    const o = await h.db.prisma.onboarding.findFirstOrThrow();
    const channelId = o.channelId ?? "";
    const notesBefore = h.slack.messages(channelId).length;
    const report = await fleet(`onboard Acme Corp hr=${HR.email} tz=Eastern`);
    expect(report).toContain("Changed:");
    expect(report).toContain("Showed the call in New York time (ET) (was Chicago time (CT))");
    expect(report).toContain("10:30 AM New York time (ET)");
    expect(report).not.toContain("Nothing changed.");
    const after = await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: o.id } });
    expect(after.timeZone).toBe("America/New_York");
    expect(after.callAt).toEqual(o.callAt);
    const note = h.slack
      .messages(channelId)
      .slice(notesBefore)
      .find((m) => /New York time/.test(m.text ?? ""));
    expect(note).toBeDefined();
  });

  it("tz= on an onboarding with no call booked sets its zone and says so", async () => {
    await fleet(`onboard Zoneless Co hr=${HR.email}`);
    const report = await fleet(`onboard Zoneless Co hr=${HR.email} tz=Pacific`);
    expect(report).toContain("Set the time zone to Los Angeles time (PT)");
    const o = await h.db.prisma.onboarding.findFirstOrThrow({ where: { customer: { name: "Zoneless Co" } } });
    expect(o.timeZone).toBe("America/Los_Angeles");
  });
});
