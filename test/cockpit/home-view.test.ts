/**
 * The App Home at its fullest stays within Slack's limits: ten onboardings, a page of dead letters (with Retry,
 * Discard, Retry all and paging) and a week of failed reminders. Pure builders, no Slack.
 */
import { describe, expect, it } from "vitest";
import { buildHomeView } from "../../src/blocks/home.ts";
import { findBlockKitViolations } from "../../src/blocks/limits.ts";
import { type FailedReminderView, failedReminderAlertText } from "../../src/blocks/reminder-failures.ts";
import type { HomePage, HomeRow } from "../../src/cockpit/home-data.ts";
import { ActionId } from "../../src/slack-gateway/ids.ts";

const long = (n: number) => "Ünïcode *bold* _it_ <&> ".repeat(n);

const row = (i: number): HomeRow => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
  company: long(8),
  channelId: `C${i}`,
  ownerUserId: "U0REP",
  callAt: new Date("2026-04-02T15:00:00Z"),
  timeZone: "America/New_York",
  stepsDone: 3,
  stepsTotal: 9,
  customerStepsOpen: 4,
  connection: "broken",
  missingPermissions: 3,
  invites: { sent: 2, accepted: 1, failed: 1, declined: 1, left: 1 },
  lastActivityAt: new Date("2026-03-20T10:00:00Z"),
  stalled: true,
  atRiskTomorrow: true,
  createdAt: new Date("2026-03-01T10:00:00Z"),
  waiting: {
    who: "customer",
    userIds: ["U0HR1", "U0HR2"],
    emails: ["late@acme.example"],
    what: "step",
    step: { number: 3, title: long(4) },
  },
  flags: [
    { kind: "call_risk", hoursToCall: 20, openCustomerBoxes: 4, verified: false },
    { kind: "broken", missingPermissions: 3 },
    { kind: "stalled", idleDays: 13 },
  ],
  risk: 0,
  idleDays: 13,
});

const failed = (i: number): FailedReminderView => ({
  id: `r${i}`,
  kind: i % 3 === 0 ? "rep_digest" : i % 3 === 1 ? "day_before" : "nudge",
  companyName: long(6),
  channelId: `C${i}`,
  callAt: new Date("2026-04-02T15:00:00Z"),
  dueAt: new Date("2026-04-01T14:00:00Z"),
  timeZone: "Europe/Berlin",
  reason: long(20),
});

describe("the App Home view", () => {
  it("a full page with dead letters and failed reminders keeps Slack's limits", () => {
    const page: HomePage = {
      rows: Array.from({ length: 10 }, (_, i) => row(i)),
      page: 3,
      pageSize: 10,
      total: 500,
      scope: "all",
      deadLetters: {
        total: 240,
        page: 7,
        pageSize: 5,
        items: Array.from({ length: 5 }, (_, i) => ({
          key: `slack:${"k".repeat(400)}:${i}`,
          source: "slack",
          kind: "block_actions",
          summary: long(30),
          userId: "U0HR",
          channelId: "C1",
          attempts: 10,
          lastError: long(50),
          receivedAt: new Date("2026-04-01T10:00:00Z"),
        })),
      },
      failedReminders: Array.from({ length: 5 }, (_, i) => failed(i)),
    };
    const view = buildHomeView(page, { teamId: "T0FLEET" });
    expect(findBlockKitViolations(view.blocks as never, { maxBlocks: 100 })).toEqual([]);
    const json = JSON.stringify(view.blocks);
    for (const id of [ActionId.deadLetterRetryAll, ActionId.deadLetterDiscard, ActionId.deadLetterRetry]) {
      expect(json).toContain(`"${id}"`);
    }
    expect(json).toContain(`${ActionId.deadLetterPage}:newer`);
    expect(json).toContain(`${ActionId.deadLetterPage}:older`);
    expect(json).toContain("page 8 of 48");
    expect(json).toContain("could not be sent");
  });

  it("no dead letters and no failed reminders: neither section", () => {
    const view = buildHomeView(
      { rows: [], page: 0, pageSize: 10, total: 0, scope: "mine", deadLetters: null, failedReminders: [] },
      { teamId: "T0FLEET" },
    );
    const json = JSON.stringify(view.blocks);
    expect(json).not.toContain("dead_letters");
    expect(json).not.toContain("failed_reminders");
  });

  it("the rep's DM says what failed, for whom, why, and what to do", () => {
    const text = failedReminderAlertText({
      ...failed(1),
      companyName: "Acme <Corp>",
      reason: "channel_not_found",
    });
    expect(text).toContain("The day-before reminder for *Acme &lt;Corp&gt;*");
    expect(text).toContain("channel_not_found");
    expect(text).toContain("reach out to the customer yourself");
    expect(failedReminderAlertText({ ...failed(0), reason: null })).toContain("Your morning digest");
  });
});
