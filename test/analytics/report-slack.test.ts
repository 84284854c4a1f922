/**
 * The report in Slack over real HTTP: `/fleet report [weeks]` answers privately with the figures and a table
 * block; a bad number of weeks is refused in the ack; the weekly post puts the message, a PNG chart (decoded)
 * and the CSV in REPORT_CHANNEL_ID through files.getUploadURLExternal/completeUploadExternal, once.
 */
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postWeeklyReport } from "../../src/analytics/weekly-post.ts";
import { ManualClock } from "../../src/context.ts";
import { type Harness, HOME_TEAM, HR, REP, startHarness } from "../helpers/harness.ts";
import { NOW, seedKnownTrail } from "./seed.ts";

type Block = { type: string; rows?: Array<Array<{ text: string }>>; text?: { text: string } };

describe("the onboarding report in Slack", () => {
  const clock = new ManualClock(NOW);
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ clock });
    await seedKnownTrail(h.db);
  });
  afterAll(async () => h?.stop());

  const run = (text: string, userId = REP.id, teamId = HOME_TEAM.id) =>
    h.driver.command({ text, userId, teamId, channelId: "C0SALES" });

  it("/fleet report 2 answers privately with the figures and the week table", async () => {
    const res = await run("report 2");
    expect(res.status).toBe(200);
    const answer = (await h.driver.waitForResponse(res.responseUrl, 15_000)) as {
      response_type: string;
      text: string;
      blocks: Block[];
    };
    expect(answer.response_type).toBe("ephemeral");
    expect(answer.text).toContain("3 invitations sent, 2 accepted");
    const tables = answer.blocks.filter((b) => b.type === "table");
    expect(tables).toHaveLength(1);
    const rows = tables[0]?.rows?.map((r) => r.map((c) => c.text)) ?? [];
    expect(rows[0]?.[0]).toBe("Week of");
    expect(rows.slice(1)).toEqual([
      ["2026-03-09", "2", "0", "3", "2", "1", "1", "2", "2"],
      ["2026-03-16", "1", "1", "0", "0", "0", "0", "1", "0"],
    ]);
    const text = JSON.stringify(answer.blocks);
    expect(text).toContain("*justworks* (credential) — to connected: median 36 h, p90 45.6 h (n=2)");
    expect(text).toContain("to verified: median 3 d, p90 3.8 d (n=2)");
    expect(text).toContain("1 × invitation not accepted, last step ticked: `step1`");
    // The moment the figures are from (a snapshot of at most 5 minutes: src/analytics/snapshots.ts).
    expect(text).toContain("2026-03-09 → 2026-03-18 12:00 (UTC) · 2 week(s)");
  });

  it("refuses a bad number of weeks, and customers", async () => {
    const res = await run("report 99");
    expect(JSON.stringify(res.body)).toContain("takes a number of weeks from 1 to 26");
    const customer = await run("report", HR.id, HR.teamId);
    expect(JSON.stringify(customer.body)).not.toContain("Onboarding report");
  });

  it("posts the weekly report, chart and CSV to REPORT_CHANNEL_ID once", async () => {
    const channel = h.slack.addChannel({ name: "fleet-reports", isPrivate: false, members: [REP.id] });
    const ctx = { ...h.app.ctx, config: { ...h.app.ctx.config, report: { channelId: channel.id } } };
    expect(await postWeeklyReport(ctx)).toEqual({ message: "made", chart: "made", csv: "made" });
    expect(await postWeeklyReport(ctx)).toEqual({
      message: "done-before",
      chart: "done-before",
      csv: "done-before",
    });

    const messages = h.slack.messages(channel.id);
    const report = messages.find((m) => m.metadata?.event_type === "fleet_onboarding_report");
    expect(report?.text).toContain("2026-02-16 → 2026-03-16");
    const files = h.slack.files.filter((f) => f.channels.includes(channel.id));
    expect(files.map((f) => f.name).sort()).toEqual([
      "onboarding-report-2026-03-16.csv",
      "onboarding-report-2026-03-16.png",
    ]);
    const png = files.find((f) => f.name.endsWith(".png"))?.content ?? Buffer.alloc(0);
    const image = PNG.sync.read(png);
    expect(image.width).toBeGreaterThan(300);
    const csv = files.find((f) => f.name.endsWith(".csv"))?.content?.toString("utf8") ?? "";
    // Whole weeks 02-16 … 03-15: D (email, 02-20) is in it, C and E (03-16, 03-17) are not; d1 expires 03-06.
    expect(csv).toContain("weekly,2026-03-09,,started_slack,2");
    expect(csv).toContain("weekly,2026-03-02,,invite_expired,1");
    expect(csv).toContain("customers,,slack,started,2");
    expect(csv).toContain("customers,,email,started,1");
    // Two messages with files, one report message: nothing was posted twice.
    expect(messages.filter((m) => (m.files ?? []).length > 0)).toHaveLength(2);
  });

  it("posts nothing without REPORT_CHANNEL_ID", async () => {
    expect(await postWeeklyReport(h.app.ctx)).toBe("off");
  });
});
