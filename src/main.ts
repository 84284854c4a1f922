/**
 * Entry point: read the configuration, start in HTTP, Socket Mode or sandbox mode, and stop gracefully on
 * SIGTERM/SIGINT (stop accepting, finish work in flight, stop jobs, close the database, exit 0).
 */
import { loadConfigOrExit } from "./config.ts";
import { createLogger, wantsPrettyLogs } from "./logger.ts";

const config = loadConfigOrExit();
const logger = createLogger({
  level: config.logLevel,
  pretty: wantsPrettyLogs(config, process.stdout.isTTY === true),
});
// Embedded PGlite starts in its worker thread while the app's modules load (see src/db/prestart.ts);
// PostgreSQL mode never loads PGlite's modules.
if (config.mode !== "sandbox" && !config.database.url && !config.database.pgliteInThread) {
  try {
    (await import("./db/prestart.ts")).prestartPglite(config.database.dataDir);
  } catch (err) {
    // Another process has DATA_DIR open (the message names it): stop before touching the database.
    logger.fatal({ err }, "Fleet Concierge could not start");
    process.exit(1);
  }
}
const { startFleet } = await import("./fleet.ts");

process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled promise rejection"));
// A bug must not take the process down silently: log it; the orchestrator restarts us after a clean exit.
process.on("uncaughtException", (err) => {
  logger.fatal({ err }, "uncaught exception; exiting");
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 1_000).unref();
});

try {
  const running =
    config.mode === "sandbox"
      ? await (await import("./sandbox/sandbox-mode.ts")).startSandbox(config, logger)
      : await startFleet(config, { logger });
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    // A stuck dependency must not keep the process alive forever.
    setTimeout(() => {
      logger.error("graceful stop took too long; exiting");
      process.exit(1);
    }, 25_000 + config.http.drainMs).unref();
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "error while stopping");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
} catch (err) {
  logger.fatal({ err }, "Fleet Concierge could not start");
  process.exit(1);
}
