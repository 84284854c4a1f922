/** 2. The app on PGlite and on PostgreSQL: acknowledgement latency, footprint, tick to chat.update. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { SlackDriver } from "../../src/sandbox/slack-driver/index.ts";
import type { StandIns } from "../../src/sandbox/stand-ins.ts";
import { type BenchResults, HR, log, QUICK, secrets } from "../config.ts";
import { ms, rssMiB, stopChild, summarize } from "../lib.ts";
import { startApp } from "../support/app.ts";
import { loadRuns, prepareChecklist, requestFactory } from "../support/load.ts";
import { createPostgresDatabase } from "../support/postgres.ts";

/** Loads the app on each database, then times single ticks until the stand-in sees the chat.update. */
export async function runAppLoad(standIns: StandIns, results: BenchResults): Promise<void> {
  const { slack } = standIns;
  for (const kind of ["pglite", "postgres"] as const) {
    log(`Fleet Concierge on ${kind}`);
    const pg = kind === "postgres" ? await createPostgresDatabase() : null;
    const db = pg ? { url: pg.url } : { dataDir: join(mkdtempSync(join(tmpdir(), "fc-bench-")), "data") };
    const app = await startApp(standIns, db);
    await new Promise((r) => setTimeout(r, 1_000));
    const rssIdle = rssMiB(app.proc.pid);
    const driver = await new SlackDriver({
      url: `${app.url}/slack/events`,
      signingSecret: secrets.signing,
    }).start();
    const company = `Bench${kind}`;
    const { channelId, checklist } = await prepareChecklist(slack, driver, company);
    const send = requestFactory(driver, `${app.url}/slack/events`, company, channelId, checklist);
    const { rows, rssUnderLoad } = await loadRuns(`app (${kind})`, send, app.proc.pid);
    results.load.push(...rows);
    results.footprint[kind] = { startupMs: app.startupMs, rssIdle, rssLoad: rssUnderLoad };

    // Tick → chat.update reaching the Slack stand-in, one tick at a time.
    await new Promise((r) => setTimeout(r, 3_000));
    const samples: number[] = [];
    const items = ["hr-manage", "payments-invoices-reporting"];
    for (let i = 0; i < (QUICK ? 20 : 100); i++) {
      const item = items[i % 2] ?? "hr-manage";
      const updated = new Promise<number>((resolve) => {
        const onCall = (call: { method: string; args: Record<string, unknown> }) => {
          if (call.method === "chat.update" && call.args.channel === channelId) {
            slack.events.off("call", onCall);
            resolve(performance.now());
          }
        };
        slack.events.on("call", onCall);
      });
      const sent = performance.now();
      await driver.blockActions({
        user: { id: HR.id, teamId: HR.teamId },
        channelId,
        message: checklist,
        actions: [
          {
            action_id: `tick:${item}`,
            type: "checkboxes",
            selected_options: i % 4 < 2 ? [{ value: item }] : [],
          },
        ],
      });
      samples.push((await updated) - sent);
    }
    results.tickToUpdate[kind] = summarize(samples);
    log(
      `  tick → chat.update p50 ${ms(results.tickToUpdate[kind].p50)} ms, p95 ${ms(results.tickToUpdate[kind].p95)} ms`,
    );
    await driver.stop();
    await stopChild(app.proc);
    await pg?.drop();
  }
}
