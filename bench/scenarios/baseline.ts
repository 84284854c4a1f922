/**
 * 1. The bare Bolt baseline: the same requests against a Bolt app that only acknowledges — the same
 * payloads (the real checklist messages of the app's customers in every block_actions payload, the same
 * `/fleet status` form bodies), from the same generator process, at the rates the app was measured at.
 */
import { SlackDriver } from "../../src/sandbox/slack-driver/index.ts";
import type { StandIns } from "../../src/sandbox/stand-ins.ts";
import { freePort } from "../../src/sandbox/support/free-port.ts";
import { type BenchResults, log, SECONDS, secrets } from "../config.ts";
import { spawnUntil, stopChild } from "../lib.ts";
import { Boxes, startGenerator, type Target, tickTemplates } from "../support/load.ts";
import { measureRun } from "../support/measure.ts";

/** Runs the load against bench/bare-bolt.ts at `rates`. */
export async function runBaseline(
  standIns: StandIns,
  results: BenchResults,
  targets: Target[],
  rates: number[],
): Promise<void> {
  log("bare Bolt app");
  const port = await freePort();
  const { child } = await spawnUntil(
    process.execPath,
    ["--import", "tsx", "bench/bare-bolt.ts"],
    { SLACK_SIGNING_SECRET: secrets.signing, PORT: String(port) },
    (l) => l.includes('"port"'),
  );
  const url = `http://127.0.0.1:${port}/slack/events`;
  const driver = await new SlackDriver({ url, signingSecret: secrets.signing }).start();
  const gen = await startGenerator(url, secrets.signing, tickTemplates(driver, targets));
  const common = { gen, driver, slack: standIns.slack, targets, boxes: new Boxes(), pid: child.pid };
  await measureRun({ ...common, target: "bare Bolt warm-up", rate: 50, seconds: 2 });
  for (const rate of rates) {
    await new Promise((r) => setTimeout(r, 1_000));
    const raw = await measureRun({ ...common, target: "bare Bolt", rate, seconds: SECONDS });
    results.load.push(raw.row);
  }
  gen.stop();
  await driver.stop();
  await stopChild(child);
}
