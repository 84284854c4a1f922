/**
 * Every replica's set-aside spool files, in the shared database. Each instance keeps its own folder
 * (DATA_DIR/intake-spool) and alone touches its files; it records the ones it set aside (`.unreadable`,
 * `.rejected`) in `intake_set_aside` — when it sets one aside, finds one at start or sees one put back or gone —
 * so reps see them all in the App Home whichever replica answers. A Retry or Discard pressed on a replica that
 * does not hold the file is recorded on its row; the holder carries it out on its next pass (every
 * INTAKE_POLL_MS) and removes the row, and `onCarriedOut` lets the cockpit audit it and refresh the rep's Home.
 *
 * The instance id (host name and a random suffix) is kept in the spool folder, so a restart on the same
 * DATA_DIR still owns the files an earlier run set aside. It is made when the first file is set aside: a
 * process that never sets one aside writes nothing.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import type { Database } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import { type SetAsideFile, type Spool, writeFileDurably } from "./spool.ts";

/** What a rep can ask of a set-aside file. */
export type SetAsideAction = "retry" | "discard";

/** The rep who asked (the caller checked they are one). */
export interface SetAsideRequester {
  userId: string;
  teamId: string;
}

/** A set-aside file as every replica sees it: which instance holds it, and a request waiting for that one. */
export interface HeldSetAsideFile extends SetAsideFile {
  instance: string;
  requested: { action: SetAsideAction; userId: string } | null;
}

/** A request of another replica, carried out by this one (the holder). */
export interface CarriedOutRequest {
  action: SetAsideAction;
  name: string;
  instance: string;
  by: SetAsideRequester;
  /** False when the file was gone by then. */
  done: boolean;
}

/** What a rep's Retry or Discard came to: done here, recorded for the holder, or no such file. */
export type SetAsideOutcome = "done" | "requested" | "gone";

const ID_FILE = "instance-id";

/** The value a Home button carries for a file: its name and its holder (`name@instance`). */
export function setAsideValue(file: { name: string; instance: string }): string {
  return `${file.name}@${file.instance}`;
}

/** The file a button names; a bare name (a Home published before instances were named) means this instance's. */
export function parseSetAsideValue(value: string): { name: string; instance: string | null } {
  const at = value.indexOf("@");
  return at < 0
    ? { name: value, instance: null }
    : { name: value.slice(0, at), instance: value.slice(at + 1) };
}

export class SetAsideLedger {
  /** This instance's id; `undefined` until the folder was looked at, `null` while it has none. */
  private id: string | null | undefined;
  /** What the table holds of this instance, as of the last sync (`reason:bytes` by name); null before the first. */
  private recorded: Map<string, string> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  private syncing: Promise<unknown> = Promise.resolve();
  private stopped = true;
  /** Called after this instance carried out another replica's request (the cockpit audits it). */
  onCarriedOut: ((request: CarriedOutRequest) => Promise<void>) | null = null;

  constructor(
    private readonly deps: { db: Database; logger: Logger },
    private readonly spool: Pick<Spool, "dir" | "listSetAside" | "retrySetAside" | "discardSetAside">,
    private readonly pollMs: number,
  ) {}

  /** This instance's id as the table names it, made (and kept in the folder) when `create` and it has none. */
  async instanceId(create = false): Promise<string | null> {
    if (this.id === undefined) {
      const kept = await readFile(join(this.spool.dir, ID_FILE), "utf8").catch(() => "");
      this.id = kept.trim() || null;
    }
    if (!this.id && create) {
      const host =
        hostname()
          .replace(/[^A-Za-z0-9.-]/g, "-")
          .slice(0, 60) || "instance";
      const id = `${host}-${randomBytes(3).toString("hex")}`;
      await mkdir(this.spool.dir, { recursive: true, mode: 0o700 });
      await writeFileDurably(this.spool.dir, ID_FILE, id);
      this.id = id;
    }
    return this.id;
  }

  /** Brings this instance's rows in line with its folder (only what changed); returns how many files it holds. */
  sync(): Promise<number> {
    // One at a time: a Home render and the pass may both look, and two upserts of a new row would collide.
    const next = this.syncing.then(() => this.syncNow());
    this.syncing = next.catch(() => 0);
    return next;
  }

  private async syncNow(): Promise<number> {
    const files = await this.spool.listSetAside();
    const seen = new Map(files.map((f) => [f.name, `${f.reason}:${f.bytes}`]));
    const recorded = this.recorded;
    const changed = files.filter((f) => recorded?.get(f.name) !== seen.get(f.name));
    const gone = recorded ? [...recorded.keys()].filter((name) => !seen.has(name)) : [];
    if (recorded && changed.length === 0 && gone.length === 0) return files.length;
    const instance = await this.instanceId(files.length > 0);
    if (instance) {
      const table = this.deps.db.prisma.intakeSetAside;
      // The first sync also clears rows an earlier run left for files no longer here (removed by hand).
      const stale = recorded ? { in: gone } : { notIn: [...seen.keys()] };
      if (!recorded || gone.length > 0) await table.deleteMany({ where: { instance, name: stale } });
      for (const f of changed) {
        const facts = { reason: f.reason, bytes: f.bytes, setAsideAt: f.at };
        await table.upsert({
          where: { instance_name: { instance, name: f.name } },
          create: { instance, name: f.name, ...facts },
          update: facts,
        });
      }
    }
    this.recorded = seen;
    return files.length;
  }

  /** Every instance's set-aside files, oldest first: how many, and one page of them (clamped to the last). */
  async page(
    page: number,
    size: number,
  ): Promise<{ total: number; page: number; items: HeldSetAsideFile[] }> {
    await this.sync();
    const table = this.deps.db.prisma.intakeSetAside;
    const total = await table.count();
    const shown = Math.min(Math.max(0, Math.floor(page)), Math.max(0, Math.ceil(total / size) - 1));
    const rows =
      total === 0
        ? []
        : await table.findMany({
            orderBy: [{ setAsideAt: "asc" }, { name: "asc" }],
            skip: shown * size,
            take: size,
          });
    const items = rows.map((row) => ({
      name: row.name,
      instance: row.instance,
      reason: row.reason === "unreadable" ? ("unreadable" as const) : ("rejected" as const),
      bytes: row.bytes,
      at: row.setAsideAt,
      requested:
        row.requested && row.requestedBy
          ? {
              action: row.requested === "discard" ? ("discard" as const) : ("retry" as const),
              userId: row.requestedBy,
            }
          : null,
    }));
    return { total, page: shown, items };
  }

  /** A rep's Retry or Discard: carried out here when this instance holds the file, else recorded for its holder. */
  async act(
    action: SetAsideAction,
    file: { name: string; instance: string | null },
    by: SetAsideRequester,
  ): Promise<SetAsideOutcome> {
    const me = await this.instanceId();
    if (file.instance === null || file.instance === me) {
      return (await this.carryOut(action, file.name)) ? "done" : "gone";
    }
    const { count } = await this.deps.db.prisma.intakeSetAside.updateMany({
      where: { instance: file.instance, name: file.name },
      data: { requested: action, requestedBy: by.userId, requestedTeam: by.teamId, requestedAt: new Date() },
    });
    return count > 0 ? "requested" : "gone";
  }

  /** Looks at the folder and carries out what other replicas asked of this one's files (every poll). */
  async pass(): Promise<void> {
    const held = await this.sync();
    const instance = this.id;
    if (held === 0 || !instance) return;
    const asked = await this.deps.db.prisma.intakeSetAside.findMany({
      where: { instance, requested: { not: null } },
      orderBy: { requestedAt: "asc" },
    });
    for (const row of asked) {
      const action = row.requested === "discard" ? "discard" : "retry";
      const done = await this.carryOut(action, row.name);
      const by = { userId: row.requestedBy ?? "", teamId: row.requestedTeam ?? "" };
      this.deps.logger.info(
        { file: row.name, action, done, user: by.userId },
        "set-aside file request carried out",
      );
      await this.onCarriedOut?.({ action, name: row.name, instance, by, done }).catch((err: unknown) =>
        this.deps.logger.warn(
          { err, file: row.name },
          "a carried-out set-aside request could not be reported",
        ),
      );
    }
  }

  /** Starts the passes (after the first one, which records what an earlier run left). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops the passes, waiting for one under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.round;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.pass()
        // The database away: the intake reports the outage; the next pass catches up.
        .catch((err: unknown) => this.deps.logger.debug({ err }, "set-aside pass failed; trying again"))
        .finally(() => {
          this.round = null;
          this.schedule(this.pollMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  /** Retries or discards one of this instance's files and removes its row; false when the file is gone. */
  private async carryOut(action: SetAsideAction, name: string): Promise<boolean> {
    const done =
      action === "retry" ? await this.spool.retrySetAside(name) : await this.spool.discardSetAside(name);
    const instance = this.id;
    if (instance) await this.deps.db.prisma.intakeSetAside.deleteMany({ where: { instance, name } });
    this.recorded?.delete(name);
    return done;
  }
}
