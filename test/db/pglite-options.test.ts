/**
 * How embedded PGlite starts (src/db/pglite-options.ts): the PostgreSQL major version the code expects is the
 * one PGlite embeds, the smaller buffer pool is in effect, and a data folder from another major version is
 * refused with a message that says so (in the worker and in-thread) instead of PGlite's own obscure failure.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { PGLITE_POSTGRES_MAJOR, pgliteOptions } from "../../src/db/pglite-options.ts";
import { PGliteProxy } from "../../src/db/pglite-proxy.ts";
import { createLogger } from "../../src/logger.ts";

describe("embedded PGlite's start options", () => {
  it("embeds the PostgreSQL major version the folder check expects, with a 16MB buffer pool", async () => {
    const pglite = new PGlite(pgliteOptions());
    try {
      const { rows } = await pglite.query<{ v: string; sb: string }>(
        "select current_setting('server_version_num') as v, current_setting('shared_buffers') as sb",
      );
      expect(Math.floor(Number(rows[0]?.v) / 10_000)).toBe(PGLITE_POSTGRES_MAJOR);
      expect(rows[0]?.sb).toBe("16MB");
    } finally {
      await pglite.close();
    }
  });

  it("refuses a data folder made by another PostgreSQL major version, saying which", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "fc-pgv-"));
    mkdirSync(join(dataDir, "pglite"));
    writeFileSync(join(dataDir, "pglite", "PG_VERSION"), "17\n");
    const expected = new RegExp(`created by PostgreSQL 17.*embeds PostgreSQL ${PGLITE_POSTGRES_MAJOR}`);
    await expect(PGliteProxy.create({ dataDir: join(dataDir, "pglite") })).rejects.toThrow(expected);
    const logger = createLogger({ level: "silent" });
    await expect(openDatabase({ dataDir, logger, pgliteInThread: true })).rejects.toThrow(expected);
  });
});
