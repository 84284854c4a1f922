/**
 * A private PostgreSQL 15 server for tests that stop and restart the database (the machine's shared server
 * must keep serving the other test files). Uses the Debian binaries; the data folder is owned by postgres.
 */
import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../bench/support/free-port.ts";

const BIN = "/usr/lib/postgresql/15/bin";

/** A running private server; `url` points at its `postgres` database. */
export interface PrivatePostgres {
  url: string;
  stop(): void;
  start(): void;
  destroy(): void;
}

function asPostgres(command: string): void {
  execFileSync("su", ["postgres", "-s", "/bin/sh", "-c", command], { stdio: "pipe", timeout: 60_000 });
}

/** initdb + start on a free port (a few seconds). */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), "fc-pg-"));
  chownSync(dir, 101, 104);
  const data = join(dir, "data");
  const port = await freePort();
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  chownSync(dir, uid, gid);
  asPostgres(`${BIN}/initdb -D ${data} -A trust -U postgres >/dev/null`);
  const start = () =>
    asPostgres(
      `${BIN}/pg_ctl -D ${data} -w -l ${dir}/log -o "-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null`,
    );
  const stop = () => asPostgres(`${BIN}/pg_ctl -D ${data} -w -m fast stop >/dev/null`);
  start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    destroy: () => {
      try {
        stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
