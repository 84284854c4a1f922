/**
 * The local spool: when the database does not take a delivery within the intake's budget, the delivery is
 * written here (one file each, encrypted like the table, fsync'd, renamed into place so a crash never
 * leaves half a file) and replayed into the table when the database answers again. Bounded by files and
 * bytes: when full, the intake refuses the delivery (no 2xx) and Slack or Finch retry it later.
 */
import { createHash } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { decryptSecret, encryptSecret, type KeyRing } from "../crypto.ts";
import type { IncomingDelivery } from "./delivery.ts";

/** Limits of the spool folder. */
export interface SpoolLimits {
  maxFiles: number;
  maxBytes: number;
}

/** A spooled delivery, read back for replay. */
export interface SpooledEntry {
  file: string;
  delivery: IncomingDelivery;
}

/** Thrown when the spool is full (the caller refuses the delivery). */
export class SpoolFullError extends Error {
  constructor() {
    super("the intake spool is full");
  }
}

export class Spool {
  private files = -1;
  private bytes = 0;
  private seq = 0;
  private ready: Promise<void> | null = null;

  constructor(
    readonly dir: string,
    private readonly keys: KeyRing,
    private readonly limits: SpoolLimits,
  ) {}

  /** Counts what an earlier run left behind (once). */
  private init(): Promise<void> {
    this.ready ??= (async () => {
      // Created on the first write only: a process that never spools leaves no folder behind.
      const names = (await readdir(this.dir).catch(() => [] as string[])).filter((n) => n.endsWith(".json"));
      let bytes = 0;
      for (const name of names) bytes += (await stat(join(this.dir, name)).catch(() => ({ size: 0 }))).size;
      this.files = names.length;
      this.bytes = bytes;
    })();
    return this.ready;
  }

  /** Number of spooled deliveries (after the first read of the folder). */
  async size(): Promise<number> {
    await this.init();
    return this.files;
  }

  /** Files and bytes in the spool (for /metrics). */
  async usage(): Promise<{ files: number; bytes: number }> {
    await this.init();
    return { files: this.files, bytes: this.bytes };
  }

  /** Whether another delivery (of a typical few KB) still fits. */
  async hasRoom(): Promise<boolean> {
    await this.init();
    return this.files < this.limits.maxFiles && this.bytes + 64 * 1024 <= this.limits.maxBytes;
  }

  /** Writes a delivery durably; throws SpoolFullError when over the limits. */
  async append(delivery: IncomingDelivery): Promise<void> {
    await this.init();
    const text = encryptSecret(
      JSON.stringify({ ...delivery, receivedAt: delivery.receivedAt.toISOString() }),
      this.keys,
    ).ciphertext;
    const size = Buffer.byteLength(text);
    if (this.files + 1 > this.limits.maxFiles || this.bytes + size > this.limits.maxBytes) {
      throw new SpoolFullError();
    }
    this.files += 1;
    this.bytes += size;
    // Names sort by arrival: replay keeps the order deliveries reached this process in.
    const stamp = String(delivery.receivedAt.getTime()).padStart(15, "0");
    const seq = String(this.seq++ % 1_000_000).padStart(6, "0");
    const hash = createHash("sha256").update(delivery.key).digest("hex").slice(0, 16);
    const name = `${stamp}-${seq}-${hash}.json`;
    const tmp = join(this.dir, `${name}.tmp`);
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const handle = await open(tmp, "w", 0o600);
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, join(this.dir, name));
    } catch (err) {
      this.files -= 1;
      this.bytes -= size;
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** The oldest spooled deliveries, at most `limit`. An unreadable file is moved aside, never lost silently. */
  async oldest(limit: number): Promise<{ entries: SpooledEntry[]; unreadable: string[] }> {
    await this.init();
    if (this.files === 0) return { entries: [], unreadable: [] };
    const names = (await readdir(this.dir))
      .filter((n) => n.endsWith(".json"))
      .sort()
      .slice(0, limit);
    const entries: SpooledEntry[] = [];
    const unreadable: string[] = [];
    for (const name of names) {
      const file = join(this.dir, name);
      try {
        const raw = JSON.parse(decryptSecret(await readFile(file, "utf8"), this.keys)) as IncomingDelivery & {
          receivedAt: string;
        };
        entries.push({ file, delivery: { ...raw, receivedAt: new Date(raw.receivedAt) } });
      } catch {
        unreadable.push(name);
        await rename(file, `${file}.unreadable`).catch(() => {});
        await this.forget(file, true);
      }
    }
    return { entries, unreadable };
  }

  /** Moves a file the database refuses (while answering everything else) aside, for a person to look at. */
  async quarantine(file: string): Promise<void> {
    await rename(file, `${file}.rejected`).catch(() => {});
    this.files = Math.max(0, this.files - 1);
  }

  /** Removes a replayed file. */
  async remove(file: string): Promise<void> {
    await this.forget(file, false);
  }

  private async forget(file: string, alreadyMoved: boolean): Promise<void> {
    const size = alreadyMoved
      ? (await stat(`${file}.unreadable`).catch(() => ({ size: 0 }))).size
      : (await stat(file).catch(() => ({ size: 0 }))).size;
    if (!alreadyMoved) await rm(file, { force: true });
    this.files = Math.max(0, this.files - 1);
    this.bytes = Math.max(0, this.bytes - size);
  }
}
