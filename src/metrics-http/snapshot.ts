/**
 * Figures read from the database and the spool at scrape time: the intake queue, overdue reminders and
 * onboardings by status. Three small aggregate queries on indexed columns (status, due_at).
 */
import type { Database } from "../db/client.ts";
import {
  intakeDeliveries,
  intakeOldestPendingSeconds,
  onboardingsByState,
  reminderOldestOverdueSeconds,
  remindersOverdue,
  spoolBytes,
  spoolFiles,
} from "../metrics/instruments.ts";

/** What the snapshot needs of the spool. */
export interface SpoolUsage {
  usage(): Promise<{ files: number; bytes: number }>;
}

const INTAKE_STATES = ["pending", "applying", "dead"] as const;
const ONBOARDING_STATES = ["active", "done", "cancelled"] as const;

const seconds = (now: Date, since: Date | null): number =>
  since ? Math.max(0, (now.getTime() - since.getTime()) / 1000) : 0;

/** Sets the gauges from the database and the spool. */
export async function refreshGauges(db: Database, spool: SpoolUsage, now: Date): Promise<void> {
  await Promise.all([intakeFigures(db, now), reminderFigures(db, now), onboardingFigures(db)]);
  const usage = await spool.usage();
  spoolFiles.set(usage.files);
  spoolBytes.set(usage.bytes);
}

async function intakeFigures(db: Database, now: Date): Promise<void> {
  const rows = await db.prisma.$queryRaw<Array<{ status: string; n: number; oldest: Date | null }>>`
    select status, count(*)::int as n, min(received_at) as oldest
      from intake_delivery where status in ('pending', 'applying', 'dead') group by status`;
  for (const status of INTAKE_STATES) {
    intakeDeliveries.set({ status }, Number(rows.find((r) => r.status === status)?.n ?? 0));
  }
  intakeOldestPendingSeconds.set(seconds(now, rows.find((r) => r.status === "pending")?.oldest ?? null));
}

async function reminderFigures(db: Database, now: Date): Promise<void> {
  const rows = await db.prisma.$queryRaw<Array<{ n: number; oldest: Date | null }>>`
    select count(*)::int as n, min(due_at) as oldest
      from reminder where status in ('pending', 'sending') and due_at <= ${now}`;
  remindersOverdue.set(Number(rows[0]?.n ?? 0));
  reminderOldestOverdueSeconds.set(seconds(now, rows[0]?.oldest ?? null));
}

async function onboardingFigures(db: Database): Promise<void> {
  const rows = await db.prisma.$queryRaw<Array<{ status: string; n: number }>>`
    select status, count(*)::int as n from onboarding group by status`;
  onboardingsByState.reset();
  for (const status of ONBOARDING_STATES) onboardingsByState.set({ status }, 0);
  for (const row of rows) onboardingsByState.set({ status: row.status }, Number(row.n));
}
