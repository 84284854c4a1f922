/**
 * Starting embedded PGlite's worker thread before the rest of the app is loaded: PGlite's start-up (compiling
 * its WebAssembly, opening the data folder; ~2 s of CPU) then runs on the second core while the main thread
 * loads and compiles the app's modules (also ~2 s), instead of after them. src/main.ts calls
 * {@link prestartPglite} first thing; src/db/client.ts's openDatabase takes the worker for the same folder.
 * This module imports nothing heavy, so main.ts can load it before everything else.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { type DataDirLock, lockDataDir } from "./data-dir-lock.ts";
import { PGliteProxy } from "./pglite-proxy.ts";

interface Prestarted {
  folder: string;
  proxy: PGliteProxy;
  /** DATA_DIR, taken before PGlite opens it (src/db/data-dir-lock.ts). */
  lock: DataDirLock;
  onCrash?: (err: Error) => void;
}

let prestarted: Prestarted | undefined;

/** The folder PGlite keeps its files in, under DATA_DIR (its own sub-folder: PGlite refuses a non-empty one). */
export function pgliteFolder(dataDir: string): string {
  return resolve(dataDir, "pglite");
}

/** Starts the PGlite worker for `dataDir` now (not for ":memory:"); the first openDatabase on it takes it. */
export function prestartPglite(dataDir: string): void {
  if (dataDir === ":memory:" || prestarted) return;
  const folder = pgliteFolder(dataDir);
  // Throws DataDirBusy, naming the holder, when another process has this DATA_DIR open.
  const lock = lockDataDir(dataDir);
  mkdirSync(folder, { recursive: true });
  const entry: Prestarted = { folder, lock } as Prestarted;
  entry.proxy = new PGliteProxy({ dataDir: folder, onCrash: (err) => entry.onCrash?.(err) });
  prestarted = entry;
}

/**
 * The worker started for `folder` and its DATA_DIR lock, if any (once: the caller owns both from then on,
 * and closes the worker and releases the lock if `ready` rejects). It may still be starting: `ready`
 * settles once it is open, so the caller can do its own start-up meanwhile. `onCrash` is told if the worker
 * dies later.
 */
export function takePrestartedPglite(
  folder: string,
  onCrash: (err: Error) => void,
): { pglite: PGliteProxy; lock: DataDirLock; ready: Promise<void> } | undefined {
  if (prestarted?.folder !== folder) return undefined;
  const entry = prestarted;
  prestarted = undefined;
  entry.onCrash = onCrash;
  return { pglite: entry.proxy, lock: entry.lock, ready: entry.proxy.waitReady };
}
