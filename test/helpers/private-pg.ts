/**
 * A private PostgreSQL server for tests that stop and restart the database (the suite's shared server must
 * keep serving the other test files). It is an embedded PostgreSQL (test/helpers/embedded-pg.ts), so these
 * tests run the same on any machine, and CI covers a second PostgreSQL major version beside its own server.
 */

import { freePort } from "../../src/sandbox/support/free-port.ts";
import { type EmbeddedServer, startEmbeddedPostgres } from "./embedded-pg.ts";

/** A running private server; `url` points at its `postgres` database. */
export type PrivatePostgres = EmbeddedServer;

/** initdb + start on a free port (about a second). */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  return startEmbeddedPostgres(await freePort());
}
