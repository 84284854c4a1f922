/**
 * The bench's replay scenario at a small count (issue 22): spooled deliveries replayed by three replicas are
 * applied exactly once — no duplicates, none missing — on both databases.
 */
import { describe, expect, it } from "vitest";
import { measureReplay } from "../../bench/support/replay.ts";
import { DB_KINDS } from "../helpers/db.ts";

describe.each(DB_KINDS)("bench replay (%s)", (kind) => {
  it("three replicas drain 300 spooled deliveries: each applied once", async () => {
    const result = await measureReplay({ kind, count: 300, replicas: 3, workMs: 1, timeoutMs: 90_000 });
    expect(result).toMatchObject({ count: 300, applied: 300, duplicates: 0, missing: 0 });
    expect(result.drainMs).toBeLessThan(90_000);
  }, 180_000);
});
