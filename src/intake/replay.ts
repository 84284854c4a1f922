/**
 * Replaying the local spool into the intake table once the database answers again, oldest first. A file the
 * database refuses while it answers everything else is set aside, so one bad file cannot hold back the rest.
 */
import type { KeyRing } from "../crypto.ts";
import type { Database } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import type { Spool } from "./spool.ts";
import { insertDelivery } from "./store.ts";

/** Moves every spooled delivery into the table (queued for the worker); throws while the database is away. */
export async function replaySpool(
  deps: { db: Database; keys: KeyRing },
  spool: Spool,
  owner: string,
  leaseMs: number,
  log: Logger,
): Promise<void> {
  for (;;) {
    const { entries, unreadable } = await spool.oldest(100);
    for (const name of unreadable) {
      log.error({ file: name }, "unreadable spool file moved aside (wrong encryption key?)");
    }
    if (entries.length === 0) return;
    for (const entry of entries) {
      try {
        await insertDelivery(deps, entry.delivery, { owner, leaseMs, live: false });
      } catch (err) {
        // Still away: stop here and try again next round. Answering, yet refusing this one: set it aside.
        const away = await deps.db.ping().then(
          () => false,
          () => true,
        );
        if (away) throw err;
        await spool.quarantine(entry.file);
        log.error({ err, file: entry.file }, "spooled delivery refused by the database; moved aside");
        continue;
      }
      await spool.remove(entry.file);
    }
    log.info({ replayed: entries.length }, "spooled deliveries moved into the database");
  }
}
