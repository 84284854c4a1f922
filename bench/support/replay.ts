/**
 * The replay measurement (issue 22): `count` deliveries spooled during an outage, spread over the spools of
 * `replicas` intakes on one database, then the database is back and every replica replays and applies.
 * Reports the time to drain and how many deliveries were applied twice or never. On PostgreSQL each replica
 * has its own connection pool (as separate processes would); PGlite takes one process, so there the replicas
 * are intakes in this process sharing the embedded database.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { KeyRing } from "../../src/crypto.ts";
import { type Database, openDatabase } from "../../src/db/client.ts";
import type { IncomingDelivery } from "../../src/intake/delivery.ts";
import { DurableIntake } from "../../src/intake/intake.ts";
import { Spool } from "../../src/intake/spool.ts";
import { countWaiting } from "../../src/intake/store.ts";
import { createLogger } from "../../src/logger.ts";
import { createPostgresDatabase } from "../../src/sandbox/support/postgres.ts";

export interface ReplayResult {
  kind: "pglite" | "postgres";
  count: number;
  replicas: number;
  drainMs: number;
  applied: number;
  duplicates: number;
  missing: number;
}

const quiet = createLogger({ level: "silent" });

async function databases(kind: ReplayResult["kind"], replicas: number) {
  if (kind === "pglite") {
    const db = await openDatabase({ dataDir: ":memory:", logger: quiet });
    return { dbs: Array.from({ length: replicas }, () => db), close: () => db.close() };
  }
  const pg = await createPostgresDatabase();
  const dbs: Database[] = [];
  for (let i = 0; i < replicas; i++) {
    dbs.push(await openDatabase({ url: pg.url, dataDir: "unused", logger: quiet, poolSize: 6 }));
  }
  return {
    dbs,
    close: async () => {
      for (const db of dbs) await db.close();
      await pg.drop();
    },
  };
}

function spooled(i: number, at: number): IncomingDelivery {
  return {
    key: `replay:${i}`,
    source: "slack",
    kind: "event:member_joined_channel",
    // A few deliveries per channel, so per-channel order is exercised across replicas.
    orderKey: `slack:C${i % 500}`,
    userId: "U1",
    teamId: "T1",
    channelId: `C${i % 500}`,
    summary: "member joined",
    body: { i },
    receivedAt: new Date(at + i),
  };
}

/** Spools, replays and applies `count` deliveries over `replicas` intakes; see the file comment. */
export async function measureReplay(options: {
  kind: ReplayResult["kind"];
  count: number;
  replicas: number;
  /** Work per delivery in the applier (a Slack call stands in as a wait). */
  workMs?: number;
  timeoutMs?: number;
}): Promise<ReplayResult> {
  const { kind, count, replicas } = options;
  const keys: KeyRing = { current: { id: "bench", key: randomBytes(32) }, previous: [] };
  const { dbs, close } = await databases(kind, replicas);
  const root = mkdtempSync(join(tmpdir(), "fc-replay-"));
  const seen = new Map<string, number>();
  const intakes: DurableIntake[] = [];
  try {
    const at = Date.now() - 3_600_000;
    for (let r = 0; r < replicas; r++) {
      const spool = new Spool(join(root, `spool-${r}`), keys, { maxFiles: count, maxBytes: 2 ** 31 });
      for (let i = r; i < count; i += replicas) await spool.append(spooled(i, at));
      const intake = new DurableIntake({ db: dbs[r] as Database, keys, logger: quiet }, spool, {
        storeBudgetMs: 300,
        leaseMs: 5_000,
        maxAttempts: 10,
        pollMs: 50,
        liveLimit: 8,
      });
      intake.handle("slack", async (d) => {
        seen.set(d.key, (seen.get(d.key) ?? 0) + 1);
        if (options.workMs) await new Promise((resolve) => setTimeout(resolve, options.workMs));
      });
      intakes.push(intake);
    }
    const started = performance.now();
    for (const intake of intakes) intake.start();
    const deadline = started + (options.timeoutMs ?? 600_000);
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (seen.size >= count && (await countWaiting({ db: dbs[0] as Database, keys })) === 0) break;
      if (performance.now() > deadline) break;
    }
    const drainMs = performance.now() - started;
    // A late double apply would show within a lease; wait a little before counting.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const applied = [...seen.values()].reduce((a, b) => a + b, 0);
    const duplicates = [...seen.values()].reduce((a, n) => a + Math.max(0, n - 1), 0);
    return { kind, count, replicas, drainMs, applied, duplicates, missing: count - seen.size };
  } finally {
    for (const intake of intakes) await intake.stop();
    await close();
    rmSync(root, { recursive: true, force: true });
  }
}
