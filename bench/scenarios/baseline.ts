/** 1. The bare Bolt baseline: the same load against a Bolt app that only acknowledges. */
import { SlackDriver } from "../../src/sandbox/slack-driver/index.ts";
import { type BenchResults, log, secrets } from "../config.ts";
import { spawnUntil, stopChild } from "../lib.ts";
import { freePort } from "../support/free-port.ts";
import { loadRuns, requestFactory } from "../support/load.ts";

/** Runs the load against bench/bare-bolt.ts. */
export async function runBaseline(results: BenchResults): Promise<void> {
  log("bare Bolt app");
  const port = await freePort();
  const { child } = await spawnUntil(
    process.execPath,
    ["--import", "tsx", "bench/bare-bolt.ts"],
    { SLACK_SIGNING_SECRET: secrets.signing, PORT: String(port) },
    (l) => l.includes('"port"'),
  );
  const driver = await new SlackDriver({
    url: `http://127.0.0.1:${port}/slack/events`,
    signingSecret: secrets.signing,
  }).start();
  const fakeChecklist = { ts: "1700000000.000100", text: "x", blocks: [] };
  const send = requestFactory(
    driver,
    `http://127.0.0.1:${port}/slack/events`,
    "Bare",
    "C0BARE",
    fakeChecklist,
  );
  const { rows } = await loadRuns("bare Bolt", send, child.pid);
  results.load.push(...rows);
  await driver.stop();
  await stopChild(child);
}
