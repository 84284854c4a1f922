/**
 * One process per embedded database: PGlite has a single owner, and two processes opening one DATA_DIR (a second
 * app, `npm run migrate` against a live app) corrupt it. The first process takes a lock file in DATA_DIR
 * (proper-lockfile: an atomic `mkdir`, kept fresh by updating its mtime every 2 s; one left by a process that
 * died goes stale after 30 s, long enough that a busy event loop never loses it) and writes who it is beside
 * it; a second process stops at once with a message naming the holder. A lock left by a process of this host
 * that is gone (its pid no longer runs) is taken over at once, so a restart after a crash need not wait.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { basename, join, resolve } from "node:path";
import lockfile from "proper-lockfile";

const LOCK_NAME = "fleet.lock";
const OWNER_NAME = "fleet.lock.owner.json";
const STALE_MS = 30_000;
const UPDATE_MS = 2_000;

/** Who holds a DATA_DIR. */
export interface DataDirOwner {
  pid: number;
  host: string;
  program: string;
  since: string;
}

/** A held DATA_DIR lock. */
export interface DataDirLock {
  readonly dataDir: string;
  release(): void;
}

/** DATA_DIR is open in another process (or already in this one). */
export class DataDirBusy extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: DataDirOwner | undefined,
  ) {
    const who = owner
      ? `${owner.program} (pid ${owner.pid} on ${owner.host}, since ${owner.since})`
      : "another process (it did not say who it is yet)";
    super(
      `DATA_DIR ${dataDir} is in use by ${who}. Only one process may open the embedded database: stop it first ` +
        "(two at once corrupt it), or use DATABASE_URL (PostgreSQL) to run several.",
    );
    this.name = "DataDirBusy";
  }
}

const heldHere = new Set<string>();

/** Takes DATA_DIR for this process, or throws {@link DataDirBusy} naming the holder. */
export function lockDataDir(dataDir: string): DataDirLock {
  const dir = resolve(dataDir);
  if (heldHere.has(dir)) throw new DataDirBusy(dir, ownerOf(dir));
  mkdirSync(dir, { recursive: true });
  const unlock = acquire(dir);
  heldHere.add(dir);
  writeOwner(dir);
  let released = false;
  return {
    dataDir: dir,
    release() {
      if (released) return;
      released = true;
      heldHere.delete(dir);
      rmSync(join(dir, OWNER_NAME), { force: true });
      try {
        unlock();
      } catch {
        // Already gone (compromised, or removed by hand): nothing left to release.
      }
    },
  };
}

function acquire(dir: string): () => void {
  const options = {
    lockfilePath: join(dir, LOCK_NAME),
    realpath: false,
    stale: STALE_MS,
    update: UPDATE_MS,
    onCompromised: (err: Error) => {
      // Another process may own the database now: going on would corrupt it.
      throw new Error(
        `lost the lock on DATA_DIR ${dir} (${err.message}); stopping so that two processes never share it`,
      );
    },
  };
  try {
    return lockfile.lockSync(dir, options);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ELOCKED") throw err;
    const owner = ownerOf(dir);
    if (!holderIsGone(owner)) throw new DataDirBusy(dir, owner);
    rmSync(join(dir, LOCK_NAME), { recursive: true, force: true });
    try {
      return lockfile.lockSync(dir, options);
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code === "ELOCKED") throw new DataDirBusy(dir, ownerOf(dir));
      throw again;
    }
  }
}

/**
 * A holder on this host whose process no longer runs (killed, crashed): a restart need not wait for the
 * lock to go stale.
 */
function holderIsGone(owner: DataDirOwner | undefined): boolean {
  if (!owner || owner.host !== hostname()) return false;
  // Our own pid in the file, but not held here: a previous life of this container (pid 1 again).
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

function ownerOf(dir: string): DataDirOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, OWNER_NAME), "utf8")) as Partial<DataDirOwner>;
    if (typeof parsed.pid !== "number" || typeof parsed.host !== "string") return undefined;
    return {
      pid: parsed.pid,
      host: parsed.host,
      program: String(parsed.program ?? "a process"),
      since: String(parsed.since ?? "?"),
    };
  } catch {
    return undefined;
  }
}

function writeOwner(dir: string): void {
  const owner: DataDirOwner = {
    pid: process.pid,
    host: hostname(),
    // The script's name only (main.js, migrate-cli.ts): never its arguments.
    program: basename(process.argv[1] ?? "node"),
    since: new Date().toISOString(),
  };
  const tmp = join(dir, `${OWNER_NAME}.${process.pid}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(owner)}\n`);
  renameSync(tmp, join(dir, OWNER_NAME));
}
