/** 3. Reminder fan-out: N reminders due at once in N channels, drained by 1 and by 3 scheduler processes. */
import { performance } from "node:perf_hooks";
import { openDatabase } from "../../src/db/client.ts";
import type { StandIns } from "../../src/sandbox/stand-ins.ts";
import { createPostgresDatabase } from "../../src/sandbox/support/postgres.ts";
import { remindersPerChannel, seedFanout } from "../../src/sandbox/support/seed.ts";
import { type BenchResults, FANOUT, HOME, log, quiet, REP } from "../config.ts";
import { ms, spawnUntil, stopChild } from "../lib.ts";
import { appEnv } from "../support/app.ts";

/** Seeds the fan-out, starts the scheduler processes and waits until every channel has its reminder. */
export async function runFanout(standIns: StandIns, results: BenchResults): Promise<void> {
  const { slack } = standIns;
  // BENCH_FANOUT_INSTANCES=1 runs only the one-instance case (e.g. to profile it).
  const counts = (process.env.BENCH_FANOUT_INSTANCES ?? "1,3").split(",").map(Number);
  // BENCH_APP_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) also go to the scheduler processes.
  const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? "").split(" ").filter(Boolean);
  for (const instances of counts) {
    log(`reminder fan-out: ${FANOUT} reminders, ${instances} instance(s)`);
    const pg = await createPostgresDatabase();
    const db = await openDatabase({ url: pg.url, dataDir: "unused", logger: quiet, poolSize: 4 });
    const channels = await seedFanout(db, slack, {
      count: FANOUT,
      label: `fanout-${instances}`,
      repUserId: REP.id,
      homeTeamId: HOME.id,
    });
    // Posts counted as the stand-in receives them: scanning 2,000 channels every 50 ms would itself eat
    // the CPU the stand-in needs to answer. The messages themselves are checked once, at the end.
    let posts = 0;
    const onCall = (call: { method: string; ok: boolean }) => {
      if (call.method === "chat.postMessage" && call.ok) posts++;
    };
    slack.events.on("call", onCall);
    const countPosted = () =>
      posts < FANOUT ? posts : remindersPerChannel(slack, channels).reduce((n, c) => n + c, 0);
    const start = performance.now();
    const children = await Promise.all(
      Array.from({ length: instances }, (_, i) =>
        spawnUntil(
          process.execPath,
          [...nodeArgs, "--import", "tsx", "bench/support/scheduler-child.ts"],
          {
            ...appEnv(standIns, 0, { url: pg.url }),
            SCHEDULER_OWNER: `bench-${i}`,
            SCHEDULER_LEASE_MS: "30000",
          },
          (l) => l.includes("ready"),
        ),
      ),
    );
    // Each child prints `sent <n> cpu <ms>` after a tick that sent something: its CPU since it was ready.
    const cpu = children.map(() => 0);
    children.forEach(({ child }, i) => {
      child.stdout?.on("data", (chunk: Buffer) => {
        for (const m of String(chunk).matchAll(/cpu ([\d.]+)/g)) cpu[i] = Number(m[1]);
      });
    });
    while (countPosted() < FANOUT && performance.now() - start < 300_000)
      await new Promise((r) => setTimeout(r, 50));
    const drainMs = performance.now() - start;
    slack.events.off("call", onCall);
    await new Promise((r) => setTimeout(r, 1_000));
    const perChannel = remindersPerChannel(slack, channels);
    const duplicates = perChannel.reduce((n, c) => n + Math.max(0, c - 1), 0);
    const missing = perChannel.filter((c) => c === 0).length;
    // CPU of all scheduler processes, from ready to their last sending tick, per reminder posted.
    const cpuMsPerReminder = cpu.reduce((a, b) => a + b, 0) / Math.max(1, FANOUT - missing);
    await Promise.all(children.map((c) => stopChild(c.child)));
    await pg.drop();
    // The stand-in allows ~1 message per second per channel; one reminder per channel means the rate
    // limit alone would allow all of them within about one second.
    results.fanout.push({
      instances,
      reminders: FANOUT,
      drainMs,
      perSecond: FANOUT / (drainMs / 1000),
      boundMs: 1_000,
      duplicates,
      missing,
      cpuMsPerReminder,
    });
    log(
      `  drained in ${ms(drainMs)} ms (${(FANOUT / (drainMs / 1000)).toFixed(0)}/s), CPU ${cpuMsPerReminder.toFixed(2)} ms per reminder, duplicates ${duplicates}, missing ${missing}`,
    );
  }
}
