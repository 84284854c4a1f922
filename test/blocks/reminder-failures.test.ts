/** What a rep is told of a reminder that could not be sent: in Slack, or by email to the customer. */
import { describe, expect, it } from "vitest";
import { failedReminderAlertText, failedReminderLine } from "../../src/blocks/reminder-failures.ts";

const base = {
  id: "r-1",
  companyName: "Acme",
  channelId: "C0ACME",
  callAt: new Date("2031-03-04T16:00:00Z"),
  dueAt: new Date("2031-03-03T16:00:00Z"),
  timeZone: "America/Chicago",
};

describe("failed reminder lines", () => {
  it("a Slack post names the channel and what Slack said", () => {
    const line = failedReminderLine({ ...base, kind: "day_before", reason: "channel_not_found" });
    expect(line).toContain("The day-before reminder for *Acme*");
    expect(line).toContain("could not be posted in <#C0ACME>. Slack said: `channel_not_found`.");
  });

  it("an email copy says the customer did not get it and what the mail server said, not Slack", () => {
    const reason = "jane@acme.example: the mail server refused it (EENVELOPE 451)";
    const line = failedReminderLine({ ...base, kind: "day_before_email", reason });
    expect(line).toContain("The day-before reminder email for *Acme*");
    expect(line).toContain(`could not be emailed to the customer. The mail server said: \`${reason}\`.`);
    expect(line).not.toContain("Slack said");
    expect(line).not.toContain("could not be posted");
    const nudge = failedReminderAlertText({ ...base, kind: "nudge_email", reason });
    expect(nudge).toMatch(/^:warning: The nudge email for \*Acme\*/);
    expect(nudge).toContain("Please reach out to the customer yourself.");
  });
});
