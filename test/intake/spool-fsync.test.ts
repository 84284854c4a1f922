/**
 * The spool's folder is fsync'd after the rename (issue 22, point 8): the rename lives in the folder's entry,
 * so without it a power cut after the 2xx can lose a delivery whose file was itself synced. node:fs/promises
 * is wrapped to log, in order, every rename and every fsync with the path it was opened on.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import type { KeyRing } from "../../src/crypto.ts";
import { Spool } from "../../src/intake/spool.ts";

const log = vi.hoisted(() => [] as string[]);

vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  const open: typeof real.open = async (path, ...rest) => {
    const handle = await real.open(path, ...rest);
    const sync = handle.sync.bind(handle);
    handle.sync = async () => {
      await sync();
      log.push(`fsync ${String(path)}`);
    };
    return handle;
  };
  const rename: typeof real.rename = async (from, to) => {
    await real.rename(from, to);
    log.push(`rename ${String(from)} -> ${String(to)}`);
  };
  return { ...real, default: { ...real, open, rename }, open, rename };
});

const keys: KeyRing = { current: { id: "k1", key: randomBytes(32) }, previous: [] };

describe("the spool's durable write", () => {
  it("fsyncs the file, renames it into place, then fsyncs the folder", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "fc-spool-f-")), "intake-spool");
    const spool = new Spool(dir, keys, { maxFiles: 10, maxBytes: 1_000_000 });
    log.length = 0;
    await spool.append({
      key: "evt:Ev1",
      source: "slack",
      kind: "block_actions",
      orderKey: "slack:C1",
      userId: "U1",
      teamId: "T1",
      channelId: "C1",
      summary: "tick",
      body: { i: 1 },
      receivedAt: new Date(1_700_000_000_000),
    });
    const renamed = log.findIndex((l) => l.startsWith("rename ") && l.includes(".json.tmp -> "));
    expect(renamed).toBeGreaterThan(0);
    const tmp = /^rename (\S+) ->/.exec(log[renamed] ?? "")?.[1];
    // The file's own fsync comes before the rename, the folder's after it.
    expect(log.slice(0, renamed)).toContain(`fsync ${tmp}`);
    expect(log.slice(renamed + 1)).toContain(`fsync ${dir}`);
  });
});
