/**
 * Entry point of the applier thread (INTAKE_APPLY_IN_WORKER=1; started by src/slack/intake/applier-thread.ts):
 * a Bolt app with every listener and its own context — Slack client, caches, hooks, and its own connection to
 * the database (a PostgreSQL pool, or a port of embedded PGlite's worker) — that applies the stored deliveries
 * the main thread hands over. It receives nothing from Slack itself: the main thread verifies, stores and
 * acknowledges; an `ack` a listener gives here travels back to answer the request there.
 */

import { parentPort, workerData } from "node:worker_threads";
import { App, type Receiver } from "@slack/bolt";
import { WebClient } from "@slack/web-api";
import { InFlight } from "./background.ts";
import type { Config } from "./config.ts";
import { systemClock } from "./context.ts";
import { openSharedDatabase } from "./db/client.ts";
import { newAppContext } from "./fleet.ts";
import { SetAsideLedger } from "./intake/set-aside-ledger.ts";
import { Spool } from "./intake/spool.ts";
import { createLogger } from "./logger.ts";
import { metricsRegistry } from "./metrics/instruments.ts";
import type { ApplierWorkerData, FromApplier, ToApplier } from "./slack/intake/applier-thread.ts";
import { forwardReplayedAnswer } from "./slack/intake/notices.ts";
import { slackApplier } from "./slack/intake/receiver.ts";
import { registerListeners } from "./slack/listeners/index.ts";
import { webClientOptions } from "./slack-gateway/client-options.ts";
import { toSlackLogger } from "./slack-gateway/slack-logger.ts";
import { lowerThreadPriority } from "./worker-thread.ts";

type Port = NonNullable<typeof parentPort>;

/** Nice levels below the main thread (Linux). */
const APPLIER_NICENESS = 15;

/** Keys crossed the thread boundary as Uint8Array (structured clone): make them Buffers again. */
function reviveConfig(config: Config): Config {
  const buf = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  const { key, previous } = config.encryption;
  return {
    ...config,
    encryption: {
      ...config.encryption,
      ...(key ? { key: buf(key) } : {}),
      previous: previous.map((p) => ({ ...p, key: buf(p.key) })),
    },
  };
}

/** What the main thread's errorText reads of an error: its name and message, and a database error's cause. */
function failure(id: number, err: unknown): FromApplier {
  const e = err instanceof Error ? err : new Error(String(err));
  const meta = (err as { meta?: { driverAdapterError?: { cause?: { code?: string; message?: string } } } })
    ?.meta?.driverAdapterError?.cause;
  return {
    type: "failed",
    id,
    name: e.name,
    message: e.message,
    ...(meta ? { cause: { code: meta.code, message: meta.message } } : {}),
  };
}

async function main(port: Port, data: ApplierWorkerData): Promise<void> {
  const post = (msg: FromApplier) => port.postMessage(msg);
  // Below the main thread and below embedded PGlite's thread (10): the acknowledgements' inserts come first,
  // applying takes what CPU is left (measured: at the same priority the applies starved the inserts).
  lowerThreadPriority(APPLIER_NICENESS);
  const config = reviveConfig(data.config);
  const logger = createLogger({ level: config.logLevel }).child({ thread: "applier" });
  process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled promise rejection"));
  const db = await openSharedDatabase(data.db, logger);
  const client = new WebClient(config.slack.botToken, webClientOptions(config, logger));
  const ctx = newAppContext(config, {
    logger,
    db,
    clock: systemClock,
    client,
    identity: data.identity,
    publicUrl: data.publicUrl,
  });
  const { spoolDir, spoolMaxFiles, spoolMaxBytes } = config.intake;
  // The rep's set-aside buttons act here: the same folder (same DATA_DIR, same instance id) as the main thread's
  // ledger, whose timer alone carries out other replicas' requests; this one is never started.
  const spool = new Spool(spoolDir, ctx.keys, { maxFiles: spoolMaxFiles, maxBytes: spoolMaxBytes });
  ctx.setAside = new SetAsideLedger({ db, logger }, spool, config.intake.pollMs);
  // Deliveries arrive from the main thread, never from Slack: the receiver only hands the app over.
  const receiver: Receiver = { init: () => {}, start: async () => {}, stop: async () => {} };
  const app = new App({
    token: config.slack.botToken,
    receiver,
    logger: toSlackLogger(logger),
    botUserId: data.identity.botUserId,
    botId: data.identity.botId,
    tokenVerificationEnabled: false,
    clientOptions: webClientOptions(config, logger),
  });
  ctx.slack = app.client;
  const inFlight = new InFlight();
  registerListeners(app, ctx, inFlight);
  const apply = slackApplier(app, {
    logger,
    forwardAnswer: (delivery, answer) => forwardReplayedAnswer(ctx, delivery, answer),
  });

  port.on("message", (msg: ToApplier) => {
    if (msg.type === "apply") {
      const event = msg.live
        ? { ...msg.live, ack: async (response?: unknown) => post({ type: "ack", id: msg.id, response }) }
        : undefined;
      apply(msg.delivery, event).then(
        (outcome) => post({ type: "applied", id: msg.id, ...(outcome ? { outcome } : {}) }),
        (err: unknown) => post(failure(msg.id, err)),
      );
    } else if (msg.type === "metrics") {
      // Counters and histograms only (Slack and Finch calls): the process figures are the main thread's.
      metricsRegistry.getMetricsAsJSON().then(
        (all) => {
          const metrics = all.filter(
            (m) => m.name.startsWith("fleet_") && ["counter", "histogram"].includes(String(m.type)),
          );
          post({ type: "metrics", id: msg.id, metrics: metrics as never });
        },
        (err: unknown) => post(failure(msg.id, err)),
      );
    } else if (msg.type === "stop") {
      void (async () => {
        const drained = await inFlight.drain(15_000);
        if (!drained) logger.warn({ pending: inFlight.size }, "applier thread stopped with work in flight");
        ctx.memory.dispose();
        await db.close();
        post({ type: "stopped", id: msg.id });
      })();
    }
  });
  post({ type: "ready" });
}

const data = workerData as Partial<ApplierWorkerData> | null;
if (parentPort && data?.fleetApplyWorker === true) {
  const port = parentPort;
  await main(port, data as ApplierWorkerData).catch((err: unknown) => {
    port.postMessage({
      type: "startFailed",
      message: err instanceof Error ? err.message : String(err),
    } satisfies FromApplier);
  });
}
