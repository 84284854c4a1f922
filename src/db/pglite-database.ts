/**
 * Opening embedded PGlite for src/db/client.ts's openDatabase (which imports this module only when no
 * DATABASE_URL is set): in its worker thread (src/db/pglite-proxy.ts), or in-thread when asked.
 */
import { mkdirSync } from "node:fs";
import type { MessagePort } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import type { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { Logger } from "../logger.ts";
import type { Database } from "./client.ts";
import { lockDataDir } from "./data-dir-lock.ts";
import { PrismaClient } from "./generated/client.ts";
import { checkPgliteFolder, pgliteOptions } from "./pglite-options.ts";
import { PGliteProxy } from "./pglite-proxy.ts";
import { pgliteFolder, takePrestartedPglite } from "./prestart.ts";
import { seedFromPristine } from "./pristine.ts";

/** Opens PGlite under `dataDir` (":memory:" for a throw-away one), without applying migrations. */
export async function openPglite(dataDir: string, inThread: boolean, logger: Logger): Promise<Database> {
  const inMemory = dataDir === ":memory:";
  // Its own sub-folder: PGlite refuses a non-empty folder that is not a database.
  const folder = pgliteFolder(dataDir);
  if (!inMemory) mkdirSync(folder, { recursive: true });
  // Every query fails from then on (and /healthz turns 503): say why once, loudly.
  const onCrash = (err: Error) => logger.error({ err }, "the embedded database's worker thread died");
  // Started by src/main.ts before the app's modules were loaded (./prestart.ts), with DATA_DIR's lock.
  const prestarted = inMemory || inThread ? undefined : takePrestartedPglite(folder, onCrash);
  // One process per DATA_DIR: throws DataDirBusy, naming the holder, before PGlite touches the folder.
  const lock = inMemory ? undefined : (prestarted?.lock ?? lockDataDir(dataDir));
  let started: StartingPglite;
  try {
    started = prestarted ?? startPglite(folder, inMemory, inThread, onCrash);
  } catch (err) {
    lock?.release();
    throw err;
  }
  const { pglite } = started;
  const db = pgliteDatabase(pglite, async () => {
    try {
      await pglite.close();
    } finally {
      lock?.release();
    }
  });
  // Prisma's query compiler (WebAssembly: ~0.15-0.3 s of this thread to load and build) needs no database:
  // it loads while PGlite still starts, instead of on the first query after.
  const compiling = db.prisma.$connect();
  compiling.catch(() => {});
  try {
    await started.ready;
    await compiling;
  } catch (err) {
    // A worker that failed to start is closed, and DATA_DIR's lock released.
    await db.close().catch(() => {});
    throw err;
  }
  return db;
}

/**
 * The embedded database another thread opened, reached over a port of its worker (PGliteProxy.openPort):
 * the intake's applier thread (src/apply-worker/). Closing it closes the port only.
 */
export async function attachPglite(port: MessagePort, logger: Logger): Promise<Database> {
  const onCrash = (err: Error) => logger.error({ err }, "the embedded database's port closed unexpectedly");
  const proxy = await PGliteProxy.attach(port, onCrash);
  return pgliteDatabase(proxy, () => proxy.close());
}

/** Prisma and raw SQL over an open PGlite (in-thread or a proxy); `close` runs after Prisma disconnects. */
function pgliteDatabase(pglite: PGlite | PGliteProxy, close: () => Promise<void>): Database {
  // pglite-prisma-adapter 0.6 is typed against driver-adapter-utils 6.10; the 6.19 runtime protocol is the
  // same (the PGlite database tests exercise every column type we use). The proxy implements the part of
  // PGlite's interface the adapter calls (query with parsers, exec, transaction; see pglite-proxy.ts).
  const adapter = new PrismaPGlite(pglite as PGlite) as unknown as PrismaPg;
  const prisma = new PrismaClient({ adapter });
  const runner = {
    query: async (text: string, params?: readonly unknown[]) =>
      (await pglite.query<Record<string, unknown>>(text, params as unknown[])).rows,
    exec: async (text: string) => {
      await pglite.exec(text);
    },
  };
  return {
    kind: "pglite",
    prisma,
    sql: { ...runner, withSession: (fn) => fn(runner), supportsAdvisoryLocks: false },
    ping: async () => {
      await pglite.query("select 1");
    },
    ...(pglite instanceof PGliteProxy
      ? { share: async () => ({ kind: "pglite", port: await pglite.openPort() }) as const }
      : {}),
    close: async () => {
      try {
        await prisma.$disconnect();
      } finally {
        await close();
      }
    },
  };
}

/** PGlite being started: in its worker thread (a proxy) or in this thread; `ready` settles once it is open. */
interface StartingPglite {
  pglite: PGlite | PGliteProxy;
  ready: Promise<void>;
}

function startPglite(
  folder: string,
  inMemory: boolean,
  inThread: boolean,
  onCrash: (err: Error) => void,
): StartingPglite {
  if (!inThread) {
    const proxy = new PGliteProxy({ ...(inMemory ? {} : { dataDir: folder }), onCrash });
    return { pglite: proxy, ready: proxy.waitReady };
  }
  if (!inMemory) {
    checkPgliteFolder(folder);
    seedFromPristine(folder);
  }
  const pglite = inMemory ? new PGlite(pgliteOptions()) : new PGlite(folder, pgliteOptions());
  return { pglite, ready: pglite.waitReady };
}
