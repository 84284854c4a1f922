/**
 * Runs once before the test files. The PostgreSQL half of the suite uses, in this order:
 * `TEST_DATABASE_URL` if set; the server on 127.0.0.1:5432 if one answers (CI: the machine's PostgreSQL 15);
 * otherwise a throw-away embedded PostgreSQL (test/helpers/embedded-pg.ts), started here, handed to the test
 * workers through `TEST_DATABASE_URL` (they are forked after this runs) and stopped at the end.
 */
import { connect } from "node:net";
import { freePort } from "../src/sandbox/support/free-port.ts";
import { startEmbeddedPostgres } from "./helpers/embedded-pg.ts";

/** True when something accepts a TCP connection on host:port within `timeoutMs`. */
function answers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.TEST_DATABASE_URL) return undefined;
  if (await answers("127.0.0.1", 5432)) return undefined;
  const server = await startEmbeddedPostgres(await freePort());
  process.env.TEST_DATABASE_URL = server.url;
  console.info(`No PostgreSQL on 127.0.0.1:5432: tests use an embedded PostgreSQL at ${server.url}`);
  return () => server.destroy();
}
