/**
 * `npm run db:upgrade-embedded`: upgrades DATA_DIR's embedded database from PGlite 0.3 (PostgreSQL 17) to
 * this release's PGlite (src/db/upgrade-pglite.ts). Stop the app first: PGlite has a single owner.
 */
import { loadConfigOrExit } from "../config.ts";
import { upgradeEmbeddedDatabase } from "../db/upgrade-pglite.ts";
import { createLogger } from "../logger.ts";

const config = loadConfigOrExit();
const logger = createLogger({ level: config.logLevel });
if (config.database.url) {
  logger.error("DATABASE_URL is set: the upgrade is for the embedded database under DATA_DIR only");
  process.exit(1);
}
try {
  const outcome = await upgradeEmbeddedDatabase(config.database.dataDir, logger);
  if (!outcome.upgraded) {
    logger.info(
      { dataDir: config.database.dataDir },
      outcome.reason === "current"
        ? "the embedded database is already current"
        : "there is no embedded database",
    );
  }
} catch (err) {
  logger.fatal({ err }, "the embedded database could not be upgraded; the old folder is unchanged");
  process.exit(1);
}
