/**
 * Footprint: start-up to a healthy /healthz and idle resident memory of the real app (compiled, as
 * `npm start` runs it: see bench/support/app.ts) on embedded PGlite (a fresh data folder, then a restart on
 * it) and on PostgreSQL.
 * Each is started a few times and the median kept: start-up time on a shared machine is noisy.
 * RSS is VmRSS of the app's process: its main thread and the PGlite worker thread together.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StandIns } from "../../src/sandbox/stand-ins.ts";
import { createPostgresDatabase } from "../../src/sandbox/support/postgres.ts";
import { type BenchResults, log, QUICK } from "../config.ts";
import { ms, rssMiB, stopChild } from "../lib.ts";
import { startApp } from "../support/app.ts";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** One start: time to healthy, then RSS after a second of idling. */
async function startOnce(standIns: StandIns, db: { url?: string; dataDir?: string }) {
  const app = await startApp(standIns, db);
  await new Promise((r) => setTimeout(r, 1_000));
  const rss = rssMiB(app.proc.pid);
  await stopChild(app.proc);
  return { startupMs: app.startupMs, rss };
}

/** Fills `results.footprint` (keeping the under-load maximum measured by the load runs, if any). */
export async function runFootprint(standIns: StandIns, results: BenchResults): Promise<void> {
  const runs = QUICK ? 1 : 3;
  const cases: Array<
    [string, () => Promise<{ db: { url?: string; dataDir?: string }; done(): Promise<void> }>]
  > = [
    [
      "pglite",
      async () => ({
        db: { dataDir: join(mkdtempSync(join(tmpdir(), "fc-foot-")), "data") },
        done: async () => {},
      }),
    ],
    [
      "postgres",
      async () => {
        const pg = await createPostgresDatabase();
        return { db: { url: pg.url }, done: pg.drop };
      },
    ],
  ];
  for (const [kind, open] of cases) {
    const { db, done } = await open();
    // The first start creates the schema (migrations); the restarts find it current, as a deploy does.
    const first = await startOnce(standIns, db);
    const samples = [];
    for (let i = 0; i < runs; i++) samples.push(await startOnce(standIns, db));
    await done();
    const startupMs = median(samples.map((s) => s.startupMs));
    const rssIdle = median(samples.map((s) => s.rss));
    const rssLoad = results.footprint[kind]?.rssLoad ?? Number.NaN;
    results.footprint[kind] = { startupMs, rssIdle, rssLoad };
    results.footprint[`${kind}, first start on an empty database`] = {
      startupMs: first.startupMs,
      rssIdle: first.rss,
      rssLoad: Number.NaN,
    };
    log(
      `footprint (${kind}): first start ${ms(first.startupMs)} ms, restart ${ms(startupMs)} ms, idle RSS ${rssIdle} MiB (first start ${first.rss} MiB)`,
    );
  }
}
