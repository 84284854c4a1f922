/**
 * 2. The app on PGlite and on PostgreSQL: a tick-only run at 10 ticks/s (tick → chat.update), then the
 * saturation ladder (BENCH_RATES: always up to 100/s, then until a limit breaks), each with acknowledgement latency from
 * the scheduled send, completion (chat.update, `tick` row, response_url answer) and the backlog left when
 * the load stopped. The load comes from its own process (bench/support/load-child.ts).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/db/client.ts";
import { SlackDriver } from "../../src/sandbox/slack-driver/index.ts";
import type { StandIns } from "../../src/sandbox/stand-ins.ts";
import { createPostgresDatabase } from "../../src/sandbox/support/postgres.ts";
import {
  type BenchResults,
  CHANNELS,
  DATABASES,
  log,
  QUICK,
  quiet,
  RATES,
  SECONDS,
  secrets,
} from "../config.ts";
import { rssMiB, stopChild } from "../lib.ts";
import { startApp } from "../support/app.ts";
import { EffectTracker, tickRows } from "../support/effects.ts";
import { Boxes, prepareChecklists, startGenerator, type Target, tickTemplates } from "../support/load.ts";
import { finishRow, measureRun, type RawRun } from "../support/measure.ts";

/** Loads the app on each database; returns the last database's customers (the baseline sends the same). */
export async function runAppLoad(standIns: StandIns, results: BenchResults): Promise<Target[]> {
  const { slack } = standIns;
  let lastTargets: Target[] = [];
  for (const kind of DATABASES) {
    log(`Fleet Concierge on ${kind}`);
    const pg = kind === "postgres" ? await createPostgresDatabase() : null;
    const db = pg ? { url: pg.url } : { dataDir: join(mkdtempSync(join(tmpdir(), "fc-bench-")), "data") };
    const app = await startApp(standIns, db);
    await new Promise((r) => setTimeout(r, 1_000));
    const rssIdle = rssMiB(app.proc.pid);
    const url = `${app.url}/slack/events`;
    const driver = await new SlackDriver({ url, signingSecret: secrets.signing }).start();
    const targets = await prepareChecklists(slack, driver, `Bench${kind}`, CHANNELS);
    lastTargets = targets;
    const gen = await startGenerator(url, secrets.signing, tickTemplates(driver, targets));
    const tracker = new EffectTracker(slack, driver);
    const boxes = new Boxes();
    const target = `app (${kind})`;
    const common = { gen, driver, slack, targets, boxes, tracker, pid: app.proc.pid };
    let rssLoad = 0;
    const sampler = setInterval(() => {
      rssLoad = Math.max(rssLoad, rssMiB(app.proc.pid) || 0);
    }, 500);

    await measureRun({ ...common, target: `${target} warm-up`, rate: 25, seconds: QUICK ? 1 : 4 });
    const tick10 = await measureRun({ ...common, target, rate: 10, seconds: SECONDS, onlyTicks: true });
    const ladder: RawRun[] = [];
    for (const rate of RATES) {
      await new Promise((r) => setTimeout(r, 1_000));
      const raw = await measureRun({ ...common, target, rate, seconds: SECONDS });
      ladder.push(raw);
      // Always up to 100/s (a target is stated there), then up to the first rate that breaks a limit.
      if (raw.row.saturated && rate >= 100) break;
    }
    clearInterval(sampler);
    gen.stop();
    tracker.stop();
    await driver.stop();
    await stopChild(app.proc);

    // The `tick` rows, read once the app is gone (PGlite has a single owner).
    const database = await openDatabase({ ...db, dataDir: db.dataDir ?? "unused", logger: quiet });
    const rows = await tickRows(database);
    await database.close();
    for (const raw of [tick10, ...ladder]) finishRow(raw, rows);
    results.tickToUpdate[kind] = tick10.row;
    results.load.push(...ladder.map((r) => r.row));
    results.footprint[kind] = { startupMs: app.startupMs, rssIdle, rssLoad };
    await pg?.drop();
  }
  return lastTargets;
}
