/**
 * `npm run bench`: the numbers behind "fast under load", measured on this machine, side by side with a
 * bare Bolt app in the same run. Prints a table and writes bench/results.md.
 *
 * Everything talks real HTTP on 127.0.0.1: the app runs as its own process (the real `src/main.ts`), the
 * Slack and Finch stand-ins and the load generator live in this process. BENCH_SECONDS (default 20) sets
 * the length of each fixed-rate run; BENCH_QUICK=1 shortens everything for a smoke run (and writes nothing).
 * The scenarios are in bench/scenarios, in the order they run here.
 */
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startStandIns } from "../src/sandbox/stand-ins.ts";
import { ACME, type BenchResults, HOME, HR, log, QUICK, REP, secrets } from "./config.ts";
import { buildReport } from "./report.ts";
import { runAppLoad } from "./scenarios/app-load.ts";
import { runBaseline } from "./scenarios/baseline.ts";
import { runFanout } from "./scenarios/fanout.ts";
import { runScale } from "./scenarios/scale.ts";

const standIns = await startStandIns({
  botToken: secrets.bot,
  homeTeam: HOME,
  botUserId: "U0BOT",
  botId: "B0BOT",
  postMessagePerChannelPerSecond: Number.POSITIVE_INFINITY,
  teams: [ACME],
  users: [REP, HR],
  finchClientId: "bench",
  finchClientSecret: secrets.finch,
});
const results: BenchResults = { load: [], footprint: {}, tickToUpdate: {}, fanout: [], scale: {} };
const t0 = performance.now();
log(
  `Fleet Concierge benchmark — ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
);

await runBaseline(results);
await runAppLoad(standIns, results);
await runFanout(standIns, results);
await runScale(standIns, results);
await standIns.stop();

const report = buildReport(results, t0);
log("");
log(report);
if (!QUICK) writeFileSync(join(import.meta.dirname, "results.md"), report);
process.exit(0);
