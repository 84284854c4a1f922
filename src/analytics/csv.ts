/** The report as one CSV in long form (section, week, group, metric, value): easy to pivot in a sheet. */
import type { DurationStat } from "./figures.ts";
import { type OnboardingReport, WEEKLY_KINDS } from "./report.ts";

const HEADER = ["section", "week_start", "group", "metric", "value"] as const;

/** RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so a sheet never runs it as a formula. */
export function csvCell(value: string | number | null): string {
  if (value === null) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const hours = (h: number | null) => (h === null ? null : Math.round(h * 100) / 100);

function durationRows(section: string, group: string, prefix: string, s: DurationStat) {
  return [
    [section, "", group, `${prefix}_n`, s.n],
    [section, "", group, `${prefix}_median_hours`, hours(s.medianHours)],
    [section, "", group, `${prefix}_p90_hours`, hours(s.p90Hours)],
  ];
}

/** Every figure of the report, one per line. */
export function reportCsv(report: OnboardingReport): string {
  const rows: Array<Array<string | number | null>> = [];
  for (const week of report.weeks) {
    const start = week.start.toISOString().slice(0, 10);
    for (const kind of WEEKLY_KINDS) rows.push(["weekly", start, "", kind, week.counts[kind]]);
  }
  const inv = report.invitations;
  for (const [metric, value] of Object.entries({
    sent: inv.sent,
    accepted: inv.accepted,
    declined: inv.declined,
    expired: inv.expired,
  })) {
    rows.push(["invitations", "", "", metric, value]);
  }
  rows.push(...durationRows("invitations", "", "time_to_accept", inv.timeToAccept));
  for (const j of report.journeys) {
    const group = `${j.providerId}/${j.authMethod}`;
    rows.push(...durationRows("journeys", group, "to_connected", j.toConnected));
    rows.push(...durationRows("journeys", group, "to_verified", j.toVerified));
  }
  for (const s of report.slowestSteps)
    rows.push(...durationRows("slowest_steps", s.itemKey, "to_done", s.toDone));
  for (const s of report.stalls)
    rows.push(["stalls", "", `${s.stage}/${s.lastStep ?? "(none)"}`, "count", s.count]);
  rows.push(["customers", "", "slack", "started", report.customers.slack]);
  rows.push(["customers", "", "email", "started", report.customers.email]);
  return `${[HEADER as readonly (string | number | null)[], ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n")}\r\n`;
}
