/**
 * The local spool: when the database does not take a delivery within the intake's budget, the delivery is
 * written here (one file each, encrypted like the table, fsync'd, renamed into place and the folder fsync'd so
 * a crash never leaves half a file nor loses the rename) and replayed into the table when the database answers
 * again. Bounded by files and bytes: when full, the intake refuses the delivery (no 2xx) and Slack or Finch
 * retry it later. A `.tmp` left by a crash between write and rename is recovered when whole, set aside as
 * `.unreadable` otherwise; set-aside files (`.unreadable`, `.rejected`) are counted for /healthz and can be put
 * back for replay or discarded (`listSetAside`, `retrySetAside`, `discardSetAside`) — by this instance only;
 * src/intake/set-aside-ledger.ts shows them to every replica and relays their requests.
 */
import { createHash } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
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

/** A file set aside for a person to look at. */
export interface SetAsideFile {
  name: string;
  /** `unreadable`: no key opens it (or half a file); `rejected`: the database refused it. */
  reason: "unreadable" | "rejected";
  bytes: number;
  at: Date;
}

const SET_ASIDE = /^[0-9]{15}-[0-9]{6}-[0-9a-z]+\.json(?:\.tmp)?\.(unreadable|rejected)$/;

/** Makes a rename or a new file in `dir` durable (POSIX: the folder's entry lives in the folder). */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r").catch(() => null);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a folder (EINVAL/EISDIR); the file's own fsync is all we can do there.
  } finally {
    await handle.close();
  }
}

/** Writes `name` in `dir` durably: a `.tmp` fsync'd, renamed into place, then the folder fsync'd. */
export async function writeFileDurably(dir: string, name: string, text: string): Promise<void> {
  const tmp = join(dir, `${name}.tmp`);
  try {
    const handle = await open(tmp, "w", 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(dir, name));
    await syncDirectory(dir);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
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
  /** Leftover `.tmp` files found at start that could not be recovered (reported by the next `oldest`). */
  private leftovers: string[] = [];
  /** What orders each file this process spooled: its order key and elements (see {@link holdsOrderOf}). */
  private readonly orders = new Map<string, string[]>();
  /** How many spooled files name each order key or element. */
  private readonly orderCounts = new Map<string, number>();

  constructor(
    readonly dir: string,
    private readonly keys: KeyRing,
    private readonly limits: SpoolLimits,
  ) {}

  /** Counts what an earlier run left behind (once). */
  private init(): Promise<void> {
    this.ready ??= (async () => {
      // Created on the first write only: a process that never spools leaves no folder behind.
      await this.recoverLeftovers();
      const names = (await readdir(this.dir).catch(() => [] as string[])).filter((n) => n.endsWith(".json"));
      let bytes = 0;
      for (const name of names) bytes += (await stat(join(this.dir, name)).catch(() => ({ size: 0 }))).size;
      this.files = names.length;
      this.bytes = bytes;
    })();
    return this.ready;
  }

  /** A crash between write and rename leaves a `.tmp`: whole (it was fsync'd) → replayed; else set aside. */
  private async recoverLeftovers(): Promise<void> {
    const tmps = (await readdir(this.dir).catch(() => [] as string[])).filter((n) => n.endsWith(".json.tmp"));
    for (const name of tmps) {
      const file = join(this.dir, name);
      const text = await readFile(file, "utf8").catch(() => "");
      const whole = this.read(text) !== null;
      await rename(file, whole ? file.slice(0, -".tmp".length) : `${file}.unreadable`).catch(() => {});
      if (!whole) this.leftovers.push(name);
    }
    if (tmps.length > 0) await syncDirectory(this.dir);
  }

  /** A spooled delivery from its file's text, or null when no key opens it or it is not one. */
  private read(text: string): IncomingDelivery | null {
    try {
      const raw = JSON.parse(decryptSecret(text, this.keys)) as IncomingDelivery & { receivedAt: string };
      if (typeof raw.key !== "string" || typeof raw.receivedAt !== "string") return null;
      return { ...raw, receivedAt: new Date(raw.receivedAt) };
    } catch {
      return null;
    }
  }

  /** Bytes of spooled deliveries the spool counts against its limit. */
  bytesUsed(): number {
    return this.bytes;
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

  /**
   * Whether a delivery must queue behind one in the spool to keep its order: a spooled file shares its order
   * key or one of its elements, or the spool holds a file whose order this process does not know (left by an
   * earlier run, or put back from the set-aside files). Unrelated deliveries need not pay for the spool.
   */
  async holdsOrderOf(delivery: Pick<IncomingDelivery, "orderKey" | "elements">): Promise<boolean> {
    await this.init();
    if (this.files <= 0) return false;
    if (this.files > this.orders.size) return true;
    return orderMarks(delivery).some((mark) => (this.orderCounts.get(mark) ?? 0) > 0);
  }

  private track(file: string, delivery: Pick<IncomingDelivery, "orderKey" | "elements">): void {
    const marks = orderMarks(delivery);
    this.orders.set(file, marks);
    for (const mark of marks) this.orderCounts.set(mark, (this.orderCounts.get(mark) ?? 0) + 1);
  }

  private untrack(file: string): void {
    const marks = this.orders.get(file);
    if (!marks) return;
    this.orders.delete(file);
    for (const mark of marks) {
      const left = (this.orderCounts.get(mark) ?? 1) - 1;
      if (left > 0) this.orderCounts.set(mark, left);
      else this.orderCounts.delete(mark);
    }
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
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      this.track(join(this.dir, name), delivery);
      await writeFileDurably(this.dir, name, text);
    } catch (err) {
      this.untrack(join(this.dir, name));
      this.files -= 1;
      this.bytes -= size;
      throw err;
    }
  }

  /** The oldest spooled deliveries, at most `limit`. An unreadable file is moved aside, never lost silently. */
  async oldest(limit: number): Promise<{ entries: SpooledEntry[]; unreadable: string[] }> {
    await this.init();
    const unreadable = this.leftovers.splice(0);
    if (this.files === 0) return { entries: [], unreadable };
    const names = (await readdir(this.dir).catch(() => [] as string[]))
      .filter((n) => n.endsWith(".json"))
      .sort()
      .slice(0, limit);
    const entries: SpooledEntry[] = [];
    for (const name of names) {
      const file = join(this.dir, name);
      const text = await readFile(file, "utf8").catch(() => null);
      if (text === null) continue; // gone meanwhile (replayed by another run): nothing to report
      const delivery = this.read(text);
      if (delivery) {
        entries.push({ file, delivery });
        continue;
      }
      unreadable.push(name);
      await this.setFileAside(file, "unreadable");
    }
    return { entries, unreadable };
  }

  /** Moves a file the database refuses (while answering everything else) aside, for a person to look at. */
  async quarantine(file: string): Promise<void> {
    await this.setFileAside(file, "rejected");
  }

  /** Removes a replayed file. */
  async remove(file: string): Promise<void> {
    const size = await sizeOf(file);
    if (size === null) return;
    await rm(file, { force: true });
    this.untrack(file);
    this.forget(size);
  }

  /** How many files are set aside, by reason (/healthz). */
  async setAside(): Promise<{ unreadable: number; rejected: number }> {
    const files = await this.listSetAside();
    return {
      unreadable: files.filter((f) => f.reason === "unreadable").length,
      rejected: files.filter((f) => f.reason === "rejected").length,
    };
  }

  /** The set-aside files, oldest first, for a person to look at (App Home). */
  async listSetAside(): Promise<SetAsideFile[]> {
    const names = (await readdir(this.dir).catch(() => [] as string[]))
      .filter((n) => SET_ASIDE.test(n))
      .sort();
    const files: SetAsideFile[] = [];
    for (const name of names) {
      const info = await stat(join(this.dir, name)).catch(() => null);
      if (!info) continue;
      const reason = name.endsWith(".unreadable") ? "unreadable" : "rejected";
      files.push({ name, reason, bytes: info.size, at: info.mtime });
    }
    return files;
  }

  /** Puts a set-aside file back in line for replay (the key is back, the cause fixed). False if no such file. */
  async retrySetAside(name: string): Promise<boolean> {
    const file = this.setAsidePath(name);
    if (!file) return false;
    const size = await sizeOf(file);
    if (size === null) return false;
    await rename(file, join(this.dir, name.replace(/(?:\.tmp)?\.(unreadable|rejected)$/, "")));
    await syncDirectory(this.dir);
    await this.init();
    this.files += 1;
    this.bytes += size;
    return true;
  }

  /** Deletes a set-aside file for good. False if no such file. */
  async discardSetAside(name: string): Promise<boolean> {
    const file = this.setAsidePath(name);
    if (!file || (await sizeOf(file)) === null) return false;
    await rm(file, { force: true });
    return true;
  }

  private setAsidePath(name: string): string | null {
    return basename(name) === name && SET_ASIDE.test(name) ? join(this.dir, name) : null;
  }

  private async setFileAside(file: string, reason: "unreadable" | "rejected"): Promise<void> {
    const size = await sizeOf(file);
    if (size === null) return;
    await rename(file, `${file}.${reason}`).catch(() => {});
    this.forget(size);
  }

  private forget(size: number): void {
    this.files = Math.max(0, this.files - 1);
    this.bytes = Math.max(0, this.bytes - size);
  }
}

/** The marks a delivery is ordered by: its order key and its elements. */
function orderMarks(delivery: Pick<IncomingDelivery, "orderKey" | "elements">): string[] {
  return [
    ...(delivery.orderKey ? [`key:${delivery.orderKey}`] : []),
    ...(delivery.elements ?? []).map((e) => `element:${e}`),
  ];
}

async function sizeOf(file: string): Promise<number | null> {
  return (await stat(file).catch(() => null))?.size ?? null;
}
