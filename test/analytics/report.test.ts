/**
 * Every figure of the onboarding report, from a known audit trail (seed.ts), on PGlite and on PostgreSQL:
 * the expected values are worked out by hand in the comments.
 */
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderChartPng } from "../../src/analytics/chart.ts";
import { reportCsv } from "../../src/analytics/csv.ts";
import {
  buildOnboardingReport,
  mondayOf,
  type OnboardingReport,
  reportWindow,
} from "../../src/analytics/report.ts";
import type { Database } from "../../src/db/client.ts";
import { DB_KINDS, openTestDatabase } from "../helpers/db.ts";
import { NOW, seedKnownTrail } from "./seed.ts";

const H = 3_600_000;

describe.each(DB_KINDS)("onboarding report on %s", (kind) => {
  let db: Database;
  let report: OnboardingReport;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await seedKnownTrail(db);
    report = await buildOnboardingReport(db, reportWindow(NOW, 2), { now: NOW, stallAfterDays: 5 });
  });
  afterAll(async () => db?.close());

  it("covers two weeks from Monday 2026-03-09 to now", () => {
    expect(report.from.toISOString()).toBe("2026-03-09T00:00:00.000Z");
    expect(report.to).toEqual(NOW);
    expect(report.weeks.map((w) => w.start.toISOString().slice(0, 10))).toEqual(["2026-03-09", "2026-03-16"]);
  });

  it("counts week over week", () => {
    // Week 1: A and B start in Slack; a1, b1, b2 sent; a1 (first event 16:00), b1 accepted; b2 declined; d2
    // expires 14 days after 02-25 (03-11); A and B connected and verified (B's reconnect on 03-15 not again).
    expect(report.weeks[0]?.counts).toEqual({
      started_slack: 2,
      started_email: 0,
      invite_sent: 3,
      invite_accepted: 2,
      invite_declined: 1,
      invite_expired: 1,
      connected: 2,
      verified: 2,
    });
    // Week 2: C (Slack) and E (email) start; C connects; nothing else.
    expect(report.weeks[1]?.counts).toEqual({
      started_slack: 1,
      started_email: 1,
      invite_sent: 0,
      invite_accepted: 0,
      invite_declined: 0,
      invite_expired: 0,
      connected: 1,
      verified: 0,
    });
    expect(report.customers).toEqual({ slack: 3, email: 1 });
  });

  it("counts invitations and the time to accept", () => {
    const inv = report.invitations;
    expect({ sent: inv.sent, accepted: inv.accepted, declined: inv.declined, expired: inv.expired }).toEqual({
      sent: 3,
      accepted: 2,
      declined: 1,
      expired: 1,
    });
    // 6 h (a1) and 24 h (b1): median 15 h, p90 6 + 0.9 × 18 = 22.2 h.
    expect(inv.timeToAccept.n).toBe(2);
    expect(inv.timeToAccept.medianHours).toBeCloseTo(15, 6);
    expect(inv.timeToAccept.p90Hours).toBeCloseTo(22.2, 6);
  });

  it("times onboard → connected and → verified by provider and auth method", () => {
    expect(report.journeys.map((j) => `${j.providerId}/${j.authMethod}`)).toEqual([
      "gusto/assisted",
      "justworks/credential",
    ]);
    const [gusto, justworks] = report.journeys;
    // Justworks: connected after 24 h (A) and 48 h (B); verified after 48 h and 96 h.
    expect(justworks?.toConnected.n).toBe(2);
    expect(justworks?.toConnected.medianHours).toBeCloseTo(36, 6);
    expect(justworks?.toConnected.p90Hours).toBeCloseTo(45.6, 6);
    expect(justworks?.toVerified.n).toBe(2);
    expect(justworks?.toVerified.medianHours).toBeCloseTo(72, 6);
    expect(justworks?.toVerified.p90Hours).toBeCloseTo(91.2, 6);
    // Gusto (assisted): connected after 24 h, not verified.
    expect(gusto?.toConnected).toEqual({ n: 1, medianHours: 24, p90Hours: 24 });
    expect(gusto?.toVerified).toEqual({ n: 0, medianHours: null, p90Hours: null });
  });

  it("shows the slowest steps and where customers stall", () => {
    // step2: 24 h (A); step1: 2 h (A), 4 h (B's first tick; the untick and re-tick do not count); D's tick is
    // before the window.
    expect(report.slowestSteps.map((s) => [s.itemKey, s.toDone.n, s.toDone.medianHours])).toEqual([
      ["step2", 1, 24],
      ["step1", 2, 3],
    ]);
    expect(report.slowestSteps[1]?.toDone.p90Hours).toBeCloseTo(3.8, 6);
    // Only D is quiet for more than 5 days (B: 4 days, C and E: 1-2 days; A is done).
    expect(report.stalls).toEqual([{ stage: "invitation not accepted", lastStep: "step1", count: 1 }]);
  });

  it("writes every figure to the CSV", () => {
    const csv = reportCsv(report);
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("section,week_start,group,metric,value");
    expect(lines).toContain("weekly,2026-03-09,,invite_expired,1");
    expect(lines).toContain("weekly,2026-03-16,,started_email,1");
    expect(lines).toContain("invitations,,,time_to_accept_p90_hours,22.2");
    expect(lines).toContain("journeys,,justworks/credential,to_verified_median_hours,72");
    expect(lines).toContain("journeys,,gusto/assisted,to_verified_median_hours,");
    expect(lines).toContain("stalls,,invitation not accepted/step1,count,1");
    expect(lines).toContain("customers,,email,started,1");
  });
});

describe("report window and chart", () => {
  it("aligns weeks on UTC Mondays; the weekly post takes whole weeks only", () => {
    expect(mondayOf(new Date("2026-03-15T23:59:00Z")).toISOString()).toBe("2026-03-09T00:00:00.000Z");
    expect(mondayOf(new Date("2026-03-16T00:00:00Z")).toISOString()).toBe("2026-03-16T00:00:00.000Z");
    const whole = reportWindow(NOW, 4, true);
    expect(whole.from.toISOString()).toBe("2026-02-16T00:00:00.000Z");
    expect(whole.to.toISOString()).toBe("2026-03-16T00:00:00.000Z");
    expect(reportWindow(NOW, 1).from.getTime()).toBe(NOW.getTime() - (2 * 24 + 12) * H);
  });

  it("renders a real PNG with the bars drawn", async () => {
    const counts = {
      started_slack: 3,
      started_email: 1,
      invite_sent: 4,
      invite_accepted: 2,
      invite_declined: 0,
    };
    const week = (start: string, n: number) => ({
      start: new Date(start),
      counts: { ...counts, invite_expired: 0, connected: n, verified: n },
    });
    const png = await renderChartPng({
      weeks: [week("2026-03-02", 1), week("2026-03-09", 5)],
    } as OnboardingReport);
    const image = PNG.sync.read(png);
    expect(image.width).toBeGreaterThan(200);
    expect(image.height).toBeGreaterThan(150);
    // Not blank: some pixels are neither white nor grey (the coloured bars).
    let coloured = 0;
    for (let i = 0; i < image.data.length; i += 4) {
      const [r, g, b] = [image.data[i] ?? 0, image.data[i + 1] ?? 0, image.data[i + 2] ?? 0];
      if (Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
    }
    expect(coloured).toBeGreaterThan(500);
  });
});
