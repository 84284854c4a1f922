/**
 * The onboarding report for Fleet's managers (`/fleet report`, the weekly post). Pure Block Kit: section
 * fields for the figures, and one table block (Slack accepts tables in messages, at most one per message,
 * 100 rows of 20 cells: https://docs.slack.dev/reference/block-kit/blocks/table-block) for week over week.
 * Declares its own input type; src/analytics' report fits it.
 */
import type { KnownBlock } from "@slack/types";

/** n, median and p90 in hours. */
export interface ReportDuration {
  n: number;
  medianHours: number | null;
  p90Hours: number | null;
}

/** What the report view shows. */
export interface ReportViewInput {
  from: Date;
  to: Date;
  weeks: Array<{ start: Date; counts: Record<string, number> }>;
  invitations: {
    sent: number;
    accepted: number;
    declined: number;
    expired: number;
    timeToAccept: ReportDuration;
  };
  journeys: Array<{
    providerId: string;
    authMethod: string;
    toConnected: ReportDuration;
    toVerified: ReportDuration;
  }>;
  slowestSteps: Array<{ itemKey: string; toDone: ReportDuration }>;
  stalls: Array<{ stage: string; lastStep: string | null; count: number }>;
  stallAfterDays: number;
  customers: { slack: number; email: number };
}

/** The table's columns: header and weekly kind. */
const WEEK_COLUMNS: Array<[string, string]> = [
  ["Started (Slack)", "started_slack"],
  ["Started (email)", "started_email"],
  ["Invited", "invite_sent"],
  ["Accepted", "invite_accepted"],
  ["Declined", "invite_declined"],
  ["Expired", "invite_expired"],
  ["Connected", "connected"],
  ["Verified", "verified"],
];
const MAX_LIST = 8;

const day = (d: Date) => d.toISOString().slice(0, 10);
/** The end of the window: a day, with the time when it is not midnight (`/fleet report` answers from a snapshot). */
const until = (d: Date) =>
  d.toISOString().endsWith("T00:00:00.000Z") ? day(d) : d.toISOString().slice(0, 16).replace("T", " ");

/** "5 h" under two days, else "2.5 d"; "—" when there is nothing to measure. */
export function formatHours(hours: number | null): string {
  if (hours === null) return "—";
  if (hours < 48) return `${Math.round(hours * 10) / 10} h`;
  return `${Math.round((hours / 24) * 10) / 10} d`;
}

const duration = (d: ReportDuration) =>
  d.n === 0 ? "—" : `median ${formatHours(d.medianHours)}, p90 ${formatHours(d.p90Hours)} (n=${d.n})`;

const field = (text: string) => ({ type: "mrkdwn" as const, text });
const cell = (text: string | number) => ({ type: "raw_text" as const, text: String(text) });

/** The week-over-week table (one header row, one row per week; at most 26 weeks). */
export function weekTable(input: ReportViewInput): KnownBlock {
  const rows = [
    [cell("Week of"), ...WEEK_COLUMNS.map(([header]) => cell(header))],
    ...input.weeks.map((w) => [
      cell(day(w.start)),
      ...WEEK_COLUMNS.map(([, kind]) => cell(w.counts[kind] ?? 0)),
    ]),
  ];
  return {
    type: "table",
    block_id: `report_weeks_${input.to.getTime()}`,
    column_settings: [{ is_wrapped: false }, ...WEEK_COLUMNS.map(() => ({ align: "right" as const }))],
    rows,
  } as unknown as KnownBlock;
}

function summaryBlocks(input: ReportViewInput): KnownBlock[] {
  const inv = input.invitations;
  return [
    { type: "header", text: { type: "plain_text", text: "Onboarding report" } },
    {
      type: "context",
      elements: [field(`${day(input.from)} → ${until(input.to)} (UTC) · ${input.weeks.length} week(s)`)],
    },
    {
      type: "section",
      text: { type: "mrkdwn", text: "*Slack Connect invitations*" },
      fields: [
        field(`*Sent*\n${inv.sent}`),
        field(`*Accepted*\n${inv.accepted}`),
        field(`*Declined*\n${inv.declined}`),
        field(`*Expired*\n${inv.expired}`),
        field(`*Time to accept*\n${duration(inv.timeToAccept)}`),
        field(`*Customers started*\nSlack ${input.customers.slack} · email ${input.customers.email}`),
      ],
    },
  ];
}

function journeyBlocks(input: ReportViewInput): KnownBlock[] {
  const lines = input.journeys
    .slice(0, MAX_LIST)
    .map(
      (j) =>
        `• *${j.providerId}* (${j.authMethod}) — to connected: ${duration(j.toConnected)}; to verified: ${duration(j.toVerified)}`,
    );
  const text = lines.length ? lines.join("\n") : "_No connection or verification in this period._";
  return [
    {
      type: "section",
      text: { type: "mrkdwn", text: `*From /fleet onboard to connected and verified*\n${text}` },
    },
  ];
}

function stallBlocks(input: ReportViewInput): KnownBlock[] {
  const steps = input.slowestSteps
    .slice(0, MAX_LIST)
    .map((s) => `• \`${s.itemKey}\` — ticked ${duration(s.toDone)} after the start`);
  const stalled = input.stalls
    .slice(0, MAX_LIST)
    .map((s) => `• ${s.count} × ${s.stage}, last step ticked: ${s.lastStep ? `\`${s.lastStep}\`` : "none"}`);
  return [
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: `*Slowest steps*\n${steps.length ? steps.join("\n") : "_No step ticked in this period._"}`,
      },
    },
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: `*Stalled now* (no customer activity for ${input.stallAfterDays}+ days)\n${stalled.length ? stalled.join("\n") : "_None._"}`,
      },
    },
  ];
}

/** The report message: figures in sections, week over week as a table (last: one table per message). */
export function buildReportMessage(input: ReportViewInput): { text: string; blocks: KnownBlock[] } {
  const inv = input.invitations;
  return {
    text: `Onboarding report ${day(input.from)} → ${day(input.to)}: ${inv.sent} invitations sent, ${inv.accepted} accepted.`,
    blocks: [...summaryBlocks(input), ...journeyBlocks(input), ...stallBlocks(input), weekTable(input)],
  };
}
