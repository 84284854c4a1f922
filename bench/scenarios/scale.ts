/** 4. Scale: 50,000 onboardings in PostgreSQL — `/fleet status` and the rep's Home. */
import { performance } from "node:perf_hooks";
import { openDatabase } from "../../src/db/client.ts";
import { SlackDriver } from "../../src/sandbox/slack-driver/index.ts";
import type { StandIns } from "../../src/sandbox/stand-ins.ts";
import { type BenchResults, HOME, log, quiet, REP, SCALE, secrets } from "../config.ts";
import { ms, stopChild, summarize } from "../lib.ts";
import { startApp } from "../support/app.ts";
import { createPostgresDatabase } from "../support/postgres.ts";
import { seedOnboardings } from "../support/seed.ts";

/** Seeds SCALE onboardings, then times `/fleet status` answers and Home publishes. */
export async function runScale(standIns: StandIns, results: BenchResults): Promise<void> {
  const { slack } = standIns;
  log(`scale: ${SCALE} onboardings in PostgreSQL`);
  const pg = await createPostgresDatabase();
  const seedDb = await openDatabase({ url: pg.url, dataDir: "unused", logger: quiet, poolSize: 2 });
  await seedOnboardings(seedDb, SCALE, REP.id, HOME.id);
  await seedDb.close();
  const app = await startApp(standIns, { url: pg.url });
  const driver = await new SlackDriver({
    url: `${app.url}/slack/events`,
    signingSecret: secrets.signing,
  }).start();
  const statusTimes: number[] = [];
  const homeTimes: number[] = [];
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    const res = await driver.command({
      text: `status Scale Customer ${500 + i * 50}`,
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
  results.scale = {
    onboardings: SCALE,
    statusP50: summarize(statusTimes.slice(2)).p50,
    statusMax: summarize(statusTimes.slice(2)).max,
    homeP50: summarize(homeTimes.slice(2)).p50,
    homeMax: summarize(homeTimes.slice(2)).max,
  };
  log(
    `  /fleet status p50 ${ms(results.scale.statusP50 ?? Number.NaN)} ms, Home p50 ${ms(results.scale.homeP50 ?? Number.NaN)} ms`,
  );
  await driver.stop();
  await stopChild(app.proc);
  await pg.drop();
}
