/** `/fleet report [weeks]` parsing and the report view's Block Kit limits (26 weeks, many providers). */
import { describe, expect, it } from "vitest";
import { findBlockKitViolations } from "../../src/blocks/limits.ts";
import { buildReportMessage, formatHours, type ReportViewInput } from "../../src/blocks/onboarding-report.ts";
import { parseFleetCommand } from "../../src/slack/commands/parse.ts";

const context = { now: new Date("2026-03-18T12:00:00Z"), defaultTimeZone: "UTC", providers: [] };
const parse = (text: string) => parseFleetCommand(text, context);

describe("/fleet report [weeks]", () => {
  it("takes 1–26 weeks, 4 by default", () => {
    expect(parse("report")).toEqual({ ok: true, command: { kind: "report", weeks: 4 } });
    expect(parse("report 26")).toEqual({ ok: true, command: { kind: "report", weeks: 26 } });
    expect(parse("REPORT 1")).toEqual({ ok: true, command: { kind: "report", weeks: 1 } });
    for (const bad of ["report 0", "report 27", "report -1", "report two", "report 4 5", "report 2.5"]) {
      const result = parse(bad);
      expect(result.ok, bad).toBe(false);
      if (!result.ok) expect(result.error).toContain("from 1 to 26");
    }
  });

  it("is in the help", () => {
    const help = parse("help report");
    expect(help).toEqual({ ok: true, command: { kind: "help", topic: "report" } });
  });
});

describe("the report view", () => {
  const duration = { n: 3, medianHours: 30, p90Hours: 200 };
  const big: ReportViewInput = {
    from: new Date("2025-09-22T00:00:00Z"),
    to: new Date("2026-03-18T12:00:00Z"),
    weeks: Array.from({ length: 26 }, (_, i) => ({
      start: new Date(Date.UTC(2025, 8, 22 + 7 * i)),
      counts: { started_slack: i, verified: 1 },
    })),
    invitations: { sent: 10, accepted: 5, declined: 1, expired: 2, timeToAccept: duration },
    journeys: Array.from({ length: 40 }, (_, i) => ({
      providerId: `provider_with_a_long_name_${i}`,
      authMethod: "credential",
      toConnected: duration,
      toVerified: duration,
    })),
    slowestSteps: Array.from({ length: 5 }, (_, i) => ({ itemKey: `step_${i}`, toDone: duration })),
    stalls: Array.from({ length: 30 }, (_, i) => ({ stage: "not connected", lastStep: `s${i}`, count: i })),
    stallAfterDays: 5,
    customers: { slack: 9, email: 1 },
  };

  it("stays within Block Kit limits with one table of at most 100 rows and 20 cells", () => {
    const { blocks, text } = buildReportMessage(big);
    expect(findBlockKitViolations(blocks, { maxBlocks: 50 })).toEqual([]);
    const tables = blocks.filter((b) => b.type === "table") as unknown as Array<{ rows: unknown[][] }>;
    expect(tables).toHaveLength(1);
    expect(tables[0]?.rows).toHaveLength(27);
    expect(Math.max(...(tables[0]?.rows ?? []).map((r) => r.length))).toBeLessThanOrEqual(20);
    expect(blocks.at(-1)?.type).toBe("table");
    expect(text).toContain("10 invitations sent, 5 accepted");
  });

  it("formats durations in hours under two days, else days", () => {
    expect(formatHours(null)).toBe("—");
    expect(formatHours(5.25)).toBe("5.3 h");
    expect(formatHours(47.9)).toBe("47.9 h");
    expect(formatHours(72)).toBe("3 d");
  });
});
