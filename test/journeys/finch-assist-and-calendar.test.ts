/**
 * Issue #21 points 3 and 5, through the real command: a rep onboarding a provider that connects only
 * through Finch's assisted flow hears at once that Finch Assist is off (FINCH_ASSIST, default off), and a
 * call booked with `/fleet onboard … call=` carries the "Add to Google Calendar" link, as `/fleet call` does.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HOME_TEAM, HR, REP, startHarness } from "../helpers/harness.ts";

async function onboardText(h: Harness, extra: string, company = `Assist ${randomBytes(3).toString("hex")}`) {
  const sales = h.slack.addChannel({ name: `sales-${randomBytes(4).toString("hex")}`, members: [REP.id] });
  const res = await h.driver.command({
    text: `onboard ${company} hr=${HR.email} ${extra}`,
    userId: REP.id,
    teamId: HOME_TEAM.id,
    channelId: sales.id,
  });
  expect(res.status).toBe(200);
  const body = (await h.driver.waitForResponse(res.responseUrl, 15_000)) as { text?: string };
  return body.text ?? "";
}

describe("Finch Assist and the booked call's calendar link", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.stop());

  it("warns the rep at once when an assisted-only provider is onboarded while FINCH_ASSIST is off", async () => {
    expect(h.config.finch.assistEnabled).toBe(false);
    const assisted = await onboardText(h, "provider=adp_totalsource");
    expect(assisted).toContain("Finch Assist");
    expect(assisted).toContain("FINCH_ASSIST=0");
    // An automated provider needs no Finch Assist: no warning.
    expect(await onboardText(h, "provider=paychex_flex")).not.toContain("Finch Assist");
  });

  it("gives the rep and the channel the Add to Google Calendar link of a call booked with call=", async () => {
    const link = /<https:\/\/calendar\.google\.com\/calendar\/[^|>]+\|Add to Google Calendar>/;
    const company = `Booked ${randomBytes(3).toString("hex")}`;
    const text = await onboardText(
      h,
      "provider=bamboo_hr call=2030-01-15T10:00 tz=America/New_York",
      company,
    );
    expect(text).toMatch(link);
    const o = await h.db.prisma.onboarding.findFirstOrThrow({ where: { customer: { name: company } } });
    const calendarNote = h.slack
      .messages(o.channelId!)
      .find((m) => (m.text ?? "").includes("for your calendar"));
    expect(calendarNote?.text).toMatch(link);
  });
});
