/** The onboarding report: week windows (UTC Mondays), then every figure of figures.ts for them. */
import type { AppContext } from "../context.ts";
import type { Database } from "../db/client.ts";
import {
  type InvitationFigures,
  invitationFigures,
  type JourneyFigures,
  journeyFigures,
  type StallFigures,
  type StepFigures,
  slowestSteps,
  stalls,
  type WeeklyKind,
  weeklyCounts,
} from "./figures.ts";

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** `/fleet report [weeks]` accepts 1–26 weeks. */
export const MAX_REPORT_WEEKS = 26;
export const DEFAULT_REPORT_WEEKS = 4;

/** Every weekly kind, in the order the table and the CSV show them. */
export const WEEKLY_KINDS: readonly WeeklyKind[] = [
  "started_slack",
  "started_email",
  "invite_sent",
  "invite_accepted",
  "invite_declined",
  "invite_expired",
  "connected",
  "verified",
];

/** One week's counts. */
export interface WeekRow {
  start: Date;
  counts: Record<WeeklyKind, number>;
}

/** Everything the report shows. */
export interface OnboardingReport {
  from: Date;
  to: Date;
  weeks: WeekRow[];
  invitations: InvitationFigures;
  journeys: JourneyFigures[];
  slowestSteps: StepFigures[];
  stalls: StallFigures[];
  stallAfterDays: number;
  /** Onboardings started in the window: email customers (an HR admin works by email) and the others (Slack). */
  customers: { slack: number; email: number };
}

/** Monday 00:00 UTC of the week holding `at`. */
export function mondayOf(at: Date): Date {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * DAY_MS);
}

/**
 * The window of a report: `weeks` weeks ending now (the last one is the current week so far), or — for the
 * weekly post (`complete`) — the `weeks` whole weeks before this Monday.
 */
export function reportWindow(now: Date, weeks: number, complete = false): { from: Date; to: Date } {
  const monday = mondayOf(now);
  if (complete) return { from: new Date(monday.getTime() - weeks * WEEK_MS), to: monday };
  return { from: new Date(monday.getTime() - (weeks - 1) * WEEK_MS), to: now };
}

/** The report of the last `weeks` weeks, the current one so far, taken now (`/fleet report` serves it from src/analytics/snapshots.ts). */
export function reportForLastWeeks(
  ctx: Pick<AppContext, "db" | "clock" | "config">,
  weeks: number,
): Promise<OnboardingReport> {
  const now = ctx.clock.now();
  return buildOnboardingReport(ctx.db, reportWindow(now, weeks), {
    now,
    stallAfterDays: ctx.config.thresholds.stallAfterDays,
  });
}

/** Builds the report for a window. */
export async function buildOnboardingReport(
  db: Database,
  window: { from: Date; to: Date },
  options: { now: Date; stallAfterDays: number },
): Promise<OnboardingReport> {
  const { from, to } = window;
  const [counts, invitations, journeys, steps, stalled] = await Promise.all([
    weeklyCounts(db, from, to, options.now),
    invitationFigures(db, from, to, options.now),
    journeyFigures(db, from, to),
    slowestSteps(db, from, to),
    stalls(db, options.now, options.stallAfterDays),
  ]);
  const weekCount = Math.max(1, Math.ceil((to.getTime() - from.getTime()) / WEEK_MS));
  const weeks: WeekRow[] = Array.from({ length: weekCount }, (_, i) => ({
    start: new Date(from.getTime() + i * WEEK_MS),
    counts: Object.fromEntries(WEEKLY_KINDS.map((k) => [k, 0])) as Record<WeeklyKind, number>,
  }));
  for (const c of counts) {
    const row = weeks[c.week];
    if (row) row.counts[c.kind] = c.n;
  }
  const total = (kind: WeeklyKind) => weeks.reduce((sum, w) => sum + w.counts[kind], 0);
  return {
    from,
    to,
    weeks,
    invitations,
    journeys,
    slowestSteps: steps,
    stalls: stalled,
    stallAfterDays: options.stallAfterDays,
    customers: { slack: total("started_slack"), email: total("started_email") },
  };
}
