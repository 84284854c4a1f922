/**
 * Release step: apply pending migrations and exit (`npm run migrate`, or `node dist/src/cli/migrate-cli.js`
 * in the image). Uses the same configuration as the app.
 */
import { loadConfigOrExit } from "../config.ts";
import { openDatabase } from "../db/client.ts";
import { createLogger } from "../logger.ts";

const config = loadConfigOrExit();
const logger = createLogger({ level: config.logLevel });
try {
  const db = await openDatabase({
    url: config.database.url,
    dataDir: config.database.dataDir,
    pgliteInThread: config.database.pgliteInThread,
    statementTimeoutMs: config.database.statementTimeoutMs,
    logger,
  });
  await db.close();
  logger.info("database is up to date");
} catch (err) {
  logger.fatal({ err }, "migration failed");
  process.exit(1);
}
