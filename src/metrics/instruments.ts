/**
 * The process's Prometheus instruments (prom-client). One registry per process, as prom-client intends: a
 * process runs one app, and the counters (Slack and Finch calls, apply latency, reminder lag) are facts of
 * the process. Figures read from the database (queues, onboardings) are set at scrape time (snapshot.ts).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** The registry `GET /metrics` serializes. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

const registers = [metricsRegistry];

/** Slack Web API HTTP attempts by method (`chat.postMessage`) and outcome (ok, error, rate_limited …). */
export const slackCalls = new Counter({
  name: "fleet_slack_api_calls_total",
  help: "Slack Web API requests (each attempt) by method and outcome; rate_limited is Slack's 429",
  labelNames: ["method", "outcome"] as const,
  registers,
});

/** Finch API HTTP attempts by method and path template (`GET /employer/directory`) and outcome. */
export const finchCalls = new Counter({
  name: "fleet_finch_api_calls_total",
  help: "Finch API requests (each attempt) by method and outcome; rate_limited is Finch's 429",
  labelNames: ["method", "outcome"] as const,
  registers,
});

/** How long applying one stored delivery took (Slack events and commands, Finch webhooks). */
export const intakeApplySeconds = new Histogram({
  name: "fleet_intake_apply_seconds",
  help: "Time to apply one stored delivery, by source and outcome (applied, failed)",
  labelNames: ["source", "outcome"] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers,
});

/** Due → sent of each reminder (app clock), by kind. */
export const reminderLagSeconds = new Histogram({
  name: "fleet_reminder_lag_seconds",
  help: "Time from a reminder's due moment to its post, by kind",
  labelNames: ["kind"] as const,
  buckets: [1, 5, 15, 60, 120, 300, 900, 3600, 4 * 3600, 24 * 3600],
  registers,
});

/** Intake rows by status (pending, applying, dead). */
export const intakeDeliveries = new Gauge({
  name: "fleet_intake_deliveries",
  help: "Stored deliveries waiting (pending), being applied (applying) or given up on (dead)",
  labelNames: ["status"] as const,
  registers,
});

/** Age of the oldest pending delivery (0 when none). */
export const intakeOldestPendingSeconds = new Gauge({
  name: "fleet_intake_oldest_pending_seconds",
  help: "Age of the oldest pending delivery in seconds (0 when none is pending)",
  registers,
});

/** The local spool (deliveries kept on disk while the database does not answer). */
export const spoolFiles = new Gauge({
  name: "fleet_intake_spool_files",
  help: "Deliveries in the local spool (written while the database did not answer)",
  registers,
});

/** Bytes in the local spool. */
export const spoolBytes = new Gauge({
  name: "fleet_intake_spool_bytes",
  help: "Bytes in the local spool",
  registers,
});

/** Pending reminders already due, and how late the oldest is. */
export const remindersOverdue = new Gauge({
  name: "fleet_reminders_overdue",
  help: "Reminders due but not yet sent (pending or being sent)",
  registers,
});

/** How late the most overdue reminder is. */
export const reminderOldestOverdueSeconds = new Gauge({
  name: "fleet_reminder_oldest_overdue_seconds",
  help: "How long the most overdue unsent reminder has been due, in seconds (0 when none)",
  registers,
});

/** Onboardings by status (active, done, cancelled). */
export const onboardingsByState = new Gauge({
  name: "fleet_onboardings",
  help: "Onboardings by status",
  labelNames: ["status"] as const,
  registers,
});

/** Records one applied (or failed) delivery. */
export function observeApply(source: string, outcome: "applied" | "failed", seconds: number): void {
  intakeApplySeconds.observe({ source, outcome }, Math.max(0, seconds));
}

/** Records a reminder's post: its lag from due to sent. */
export function observeReminderSent(kind: string, dueAt: Date, sentAt: Date): void {
  reminderLagSeconds.observe({ kind }, Math.max(0, (sentAt.getTime() - dueAt.getTime()) / 1000));
}
