/**
 * The scale test's in-process measurements on the seeded PostgreSQL database: the daily health re-check's
 * selection (src/finch/health-watch.ts) and the analytics report (src/analytics), timed as the app runs them,
 * and their query plans (EXPLAIN ANALYZE, BUFFERS) written to docs/bench/scale-plans.md so the analysis can
 * quote the plans that give the figures.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import {
  invitationFigures,
  journeyFigures,
  slowestSteps,
  stalls,
  weeklyCounts,
} from "../../src/analytics/figures.ts";
import { buildOnboardingReport, DEFAULT_REPORT_WEEKS, reportWindow } from "../../src/analytics/report.ts";
import type { Database } from "../../src/db/client.ts";
import { dueHealthChecks } from "../../src/finch/health-watch.ts";
import { summarize } from "../lib.ts";

/** The health selection as SQL (what Prisma sends for dueHealthChecks), for its plan. */
const HEALTH_SELECTION_SQL = `select c.id, c.onboarding_id, c.next_health_check_at from finch_connection c
  join onboarding o on o.id = c.onboarding_id
 where o.status = 'done' and c.verified_at is not null and c.status <> 'disconnected'
   and c.next_health_check_at <= $1
 order by c.next_health_check_at asc limit 50`;

/** Times `run` `samples` times after `warmUp` unmeasured runs. */
async function timed(run: () => Promise<unknown>, samples: number, warmUp = 3) {
  const times: number[] = [];
  for (let i = 0; i < warmUp + samples; i++) {
    const started = performance.now();
    await run();
    if (i >= warmUp) times.push(performance.now() - started);
  }
  return summarize(times);
}

/** A Database whose SQL runs as EXPLAIN ANALYZE, keeping each plan under `label`. */
function explaining(db: Database, plans: Array<[string, string]>, label: string): Database {
  const query = async (text: string, params?: readonly unknown[]) => {
    const rows = await db.sql.query(`explain (analyze, buffers, costs off) ${text}`, params);
    plans.push([label, rows.map((r) => String(r["QUERY PLAN"])).join("\n")]);
    return [];
  };
  return { ...db, sql: { ...db.sql, query } };
}

/** Measures and captures; returns the p50/p95/p99/max of each. */
export async function measureScaleQueries(
  db: Database,
  input: { onboardings: number; samples: number; plansFile?: string },
): Promise<Record<string, number>> {
  const now = new Date();
  const window = reportWindow(now, DEFAULT_REPORT_WEEKS);
  const health = await timed(() => dueHealthChecks(db, now), input.samples);
  const report = await timed(
    () => buildOnboardingReport(db, window, { now, stallAfterDays: 5 }),
    Math.max(5, Math.floor(input.samples / 4)),
  );
  const plans: Array<[string, string]> = [];
  const rows = await db.sql.query(`explain (analyze, buffers, costs off) ${HEALTH_SELECTION_SQL}`, [now]);
  plans.push(["daily health re-check: selection", rows.map((r) => String(r["QUERY PLAN"])).join("\n")]);
  const { from, to } = window;
  await weeklyCounts(explaining(db, plans, "report: week over week"), from, to, now);
  await invitationFigures(explaining(db, plans, "report: invitations"), from, to, now);
  await journeyFigures(explaining(db, plans, "report: onboard → connected / verified"), from, to);
  await slowestSteps(explaining(db, plans, "report: slowest steps"), from, to);
  await stalls(explaining(db, plans, "report: where customers stall"), now, 5);
  const file = input.plansFile ?? join(import.meta.dirname, "..", "..", "docs", "bench", "scale-plans.md");
  writeFileSync(
    file,
    [
      `# Query plans at ${input.onboardings} onboardings (PostgreSQL)`,
      "",
      `Captured by the bench's scale scenario (bench/support/scale-queries.ts) on ${now.toISOString()}: EXPLAIN (ANALYZE, BUFFERS) of the daily health re-check's selection and of each analytics report query (window: the last ${DEFAULT_REPORT_WEEKS} weeks).`,
      ...plans.flatMap(([label, plan]) => ["", `## ${label}`, "", "```", plan, "```"]),
      "",
    ].join("\n"),
  );
  return {
    healthP50: health.p50,
    healthP95: health.p95,
    healthP99: health.p99,
    healthMax: health.max,
    reportSamples: report.n,
    reportP50: report.p50,
    reportP95: report.p95,
    reportP99: report.p99,
    reportMax: report.max,
  };
}
