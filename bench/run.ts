/**
 * `npm run bench`: the numbers behind "fast under load", measured on this machine, side by side with a
 * bare Bolt app in the same run. Prints a table and writes bench/results.md.
 *
 * Everything talks real HTTP on 127.0.0.1: the app runs as its own process (as `npm start` runs it), the
 * load generator as another (bench/support/load-child.ts), the Slack and Finch stand-ins live in this one.
 * BENCH_SECONDS (default 20) sets the length of each fixed-rate run, BENCH_RATES the saturation ladder;
 * BENCH_QUICK=1 shortens everything for a smoke run (and writes nothing). The scenarios are in
 * bench/scenarios, in the order they run here.
 */
import { writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startStandIns } from "../src/sandbox/stand-ins.ts";
import { ACME, type BenchResults, HOME, HR, log, QUICK, REP, SCENARIOS, secrets } from "./config.ts";
import { buildReport, headlines } from "./report.ts";
import { runAppLoad } from "./scenarios/app-load.ts";
import { runBaseline } from "./scenarios/baseline.ts";
import { runFanout } from "./scenarios/fanout.ts";
import { runFootprint } from "./scenarios/footprint.ts";
import { runReplay } from "./scenarios/replay.ts";
import { runScale } from "./scenarios/scale.ts";

const standIns = await startStandIns({
  botToken: secrets.bot,
  homeTeam: HOME,
  botUserId: "U0BOT",
  botId: "B0BOT",
  postMessagePerChannelPerSecond: Number.POSITIVE_INFINITY,
  // The stand-in's workspace-wide chat.postMessage cap (an assumption: Slack publishes none, see
  // docs/stand-ins.md) would bound the 2,000-reminder fan-out at 10/s; the bench measures our CPU instead.
  postMessageWorkspacePerSecond: Number.POSITIVE_INFINITY,
  // The load onboards dozens of customers within a minute to have channels to tick; Slack's Tier 2 limit
  // on conversations.inviteShared (20 per minute) would leave some without their customer.
  inviteSharedPerMinute: Number.POSITIVE_INFINITY,
  // The bench delivers no Events API events; the private channel's new id on sharing is covered by the tests.
  newIdOnShare: false,
  teams: [ACME],
  users: [REP, HR],
  finchClientId: "bench",
  finchClientSecret: secrets.finch,
});
const results: BenchResults = {
  load: [],
  headlines: [],
  tickToUpdate: {},
  loadavg: [],
  footprint: {},
  fanout: [],
  scale: {},
  sections: [],
};
const sampleLoad = () => results.loadavg.push(loadavg()[0] ?? Number.NaN);
sampleLoad();
const loadSampler = setInterval(sampleLoad, 5_000);
const t0 = performance.now();
log(
  `Fleet Concierge benchmark — ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
);

if (SCENARIOS.has("load")) {
  const targets = await runAppLoad(standIns, results);
  // The bare Bolt app gets the same requests, at every rate the app was measured at.
  const rates = [...new Set(results.load.map((r) => r.rate))].sort((a, b) => a - b);
  await runBaseline(standIns, results, targets, rates);
}
// After the load runs: footprint keeps their under-load RSS and replaces start-up and idle RSS by medians.
if (SCENARIOS.has("footprint")) await runFootprint(standIns, results);
if (SCENARIOS.has("fanout")) await runFanout(standIns, results);
if (SCENARIOS.has("scale")) await runScale(standIns, results);
if (SCENARIOS.has("replay")) await runReplay(results);
await standIns.stop();
clearInterval(loadSampler);
results.headlines = headlines(results);

const report = buildReport(results, t0);
log("");
log(report);
if (!QUICK && SCENARIOS.size === 5) writeFileSync(join(import.meta.dirname, "results.md"), report);
process.exit(0);
