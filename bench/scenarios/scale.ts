/**
 * 4. Scale: SCALE (500,000; BENCH_SCALE) onboardings with two years of history in PostgreSQL — `/fleet
 * status`, the rep's Home and `/fleet report` through the app, the daily health re-check's selection and the
 * analytics report taken live in process (their plans go to docs/bench/scale-plans.md).
 */
import { performance } from "node:perf_hooks";
import { openDatabase } from "../../src/db/client.ts";
import { SlackDriver } from "../../src/sandbox/slack-driver/index.ts";
import type { StandIns } from "../../src/sandbox/stand-ins.ts";
import { createPostgresDatabase } from "../../src/sandbox/support/postgres.ts";
import { seedHistory, seedOnboardings } from "../../src/sandbox/support/seed.ts";
import { type BenchResults, HOME, log, QUICK, quiet, REP, SCALE, secrets } from "../config.ts";
import { ms, stopChild, summarize } from "../lib.ts";
import { startApp } from "../support/app.ts";
import { measureScaleQueries } from "../support/scale-queries.ts";

const WARM_UP = 5;

/** Seeds SCALE onboardings, then times `/fleet status` answers and Home publishes. */
export async function runScale(standIns: StandIns, results: BenchResults): Promise<void> {
  const { slack } = standIns;
  log(`scale: ${SCALE} onboardings in PostgreSQL`);
  const pg = await createPostgresDatabase();
  // No statement timeout for the set-based seed: at 500,000 one statement runs for minutes. A pool of 8: the
  // report runs its five queries at once (Promise.all), and a pool of 2 made them time out queueing.
  const seedDb = await openDatabase({
    url: pg.url,
    dataDir: "unused",
    logger: quiet,
    poolSize: 8,
    statementTimeoutMs: 0,
  });
  const seedStarted = performance.now();
  await seedOnboardings(seedDb, SCALE, REP.id, HOME.id);
  await seedHistory(seedDb);
  const seedMs = performance.now() - seedStarted;
  const counts = await seedDb.sql.query(
    `select (select count(*) from tick)::int as ticks, (select count(*) from audit_event)::int as audit,
            (select count(*) from step_state)::int as steps`,
  );
  log(`  seeded in ${ms(seedMs)} ms: ${JSON.stringify(counts[0])}`);
  const queries = await measureScaleQueries(seedDb, { onboardings: SCALE, samples: QUICK ? 20 : 200 });
  log(
    `  health selection p99 ${ms(queries.healthP99 ?? Number.NaN)} ms; report p50 ${ms(queries.reportP50 ?? Number.NaN)} p99 ${ms(queries.reportP99 ?? Number.NaN)} ms`,
  );
  await seedDb.close();
  const app = await startApp(standIns, { url: pg.url });
  const driver = await new SlackDriver({
    url: `${app.url}/slack/events`,
    signingSecret: secrets.signing,
  }).start();
  const statusTimes: number[] = [];
  const homeTimes: number[] = [];
  // Enough samples for a p99 (the first WARM_UP are JIT and connection warm-up, and are left out).
  const samples = QUICK ? 20 : 200;
  for (let i = 0; i < WARM_UP + samples; i++) {
    const started = performance.now();
    const res = await driver.command({
      // Customers of every size of name, each owned by REP or by another rep (every 50th is REP's).
      text: `status Scale Customer ${1 + ((i * 97) % SCALE)}`,
      userId: REP.id,
      teamId: HOME.id,
      channelId: "C0SALES",
    });
    await driver.waitForResponse(res.responseUrl, 30_000);
    statusTimes.push(performance.now() - started);
    const published = new Promise<number>((resolve) => {
      const onCall = (call: { method: string; args: Record<string, unknown> }) => {
        if (call.method === "views.publish" && call.args.user_id === REP.id) {
          slack.events.off("call", onCall);
          resolve(performance.now());
        }
      };
      slack.events.on("call", onCall);
    });
    const opened = performance.now();
    await driver.event(
      { type: "app_home_opened", user: REP.id, channel: "D0REP", tab: "home", event_ts: `${i}.1` },
      { teamId: HOME.id },
    );
    homeTimes.push((await published) - opened);
  }
  const reports = await timeReportCommand(driver, samples);
  const status = summarize(statusTimes.slice(WARM_UP));
  const home = summarize(homeTimes.slice(WARM_UP));
  results.scale = {
    onboardings: SCALE,
    samples: status.n,
    statusP50: status.p50,
    statusP95: status.p95,
    statusP99: status.p99,
    statusMax: status.max,
    homeP50: home.p50,
    homeP95: home.p95,
    homeP99: home.p99,
    homeMax: home.max,
    seedMs,
    ...queries,
    ...reports,
  };
  log(
    `  ${status.n} each: /fleet status p50 ${ms(status.p50)} p99 ${ms(status.p99)} max ${ms(status.max)} ms; Home p50 ${ms(home.p50)} p99 ${ms(home.p99)} max ${ms(home.max)} ms`,
  );
  log(
    `  /fleet report 4: first ${ms(reports.reportCommandFirstMs)} ms (taken live), then p50 ${ms(reports.reportCommandP50)} p99 ${ms(reports.reportCommandP99)} ms`,
  );
  await driver.stop();
  await stopChild(app.proc);
  await pg.drop();
}

/**
 * `/fleet report 4` → its answer at response_url, `samples` times after the first: the first takes the report
 * live (the app's snapshot is empty), the others are served from the snapshot (src/analytics/snapshots.ts).
 */
async function timeReportCommand(driver: SlackDriver, samples: number) {
  const times: number[] = [];
  for (let i = 0; i < 1 + samples; i++) {
    const started = performance.now();
    const res = await driver.command({
      text: "report 4",
      userId: REP.id,
      teamId: HOME.id,
      channelId: "C0SALES",
    });
    await driver.waitForResponse(res.responseUrl, 120_000);
    times.push(performance.now() - started);
  }
  const served = summarize(times.slice(1));
  return {
    reportCommandFirstMs: times[0] ?? Number.NaN,
    reportCommandP50: served.p50,
    reportCommandP95: served.p95,
    reportCommandP99: served.p99,
    reportCommandMax: served.max,
  };
}
