/**
 * `npm run keys:reencrypt` (or `node dist/src/cli/keys-cli.js` in the image): re-encrypts every stored secret
 * (Finch tokens, intake rows, this instance's spool files) under the current TOKEN_ENCRYPTION_KEY, so an old key
 * can then be removed from TOKEN_ENCRYPTION_PREVIOUS_KEYS. Uses the app's configuration. With embedded PGlite,
 * stop the app first (one process per DATA_DIR); on PostgreSQL it may run beside live replicas (each value is
 * swapped only if unchanged), but run it on every instance's DATA_DIR for their spools.
 */
import { loadConfigOrExit } from "../config.ts";
import { openDatabase } from "../db/client.ts";
import { reEncryptAll, verifyKeyRing } from "../keys.ts";
import { createLogger } from "../logger.ts";

const config = loadConfigOrExit();
const logger = createLogger({ level: config.logLevel });
if (!config.encryption.key) {
  logger.fatal("TOKEN_ENCRYPTION_KEY is required");
  process.exit(1);
}
const keys = {
  current: { id: config.encryption.keyId, key: config.encryption.key },
  previous: config.encryption.previous,
};
try {
  const db = await openDatabase({
    url: config.database.url,
    dataDir: config.database.dataDir,
    pgliteInThread: config.database.pgliteInThread,
    statementTimeoutMs: config.database.statementTimeoutMs,
    logger,
  });
  try {
    await verifyKeyRing(db, keys);
    const report = await reEncryptAll(db, keys, config.intake.spoolDir);
    const { unreadable, ...counts } = report;
    logger.info({ ...counts, keyId: keys.current.id }, "stored secrets re-encrypted under the current key");
    if (unreadable.length > 0) {
      logger.error(
        { unreadable: unreadable.slice(0, 50), count: unreadable.length },
        "some stored values open with no configured key; they were left as they are — keep the old key until they are dealt with",
      );
      process.exitCode = 2;
    }
  } finally {
    await db.close();
  }
} catch (err) {
  logger.fatal({ err }, "re-encryption failed");
  process.exit(1);
}
