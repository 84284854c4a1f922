/**
 * The durable intake: what we answer 2xx to, we apply.
 *
 * 1. `take()` stores the verified delivery with one insert, within a budget of a few hundred ms. If the
 *    database does not answer in time it goes to the local spool (src/intake/spool.ts); if neither takes it,
 *    the caller must NOT answer 2xx (Slack and Finch retry what they did not get a 2xx for).
 * 2. The receiver then applies it at once (`applyNow`), holding a lease taken by the insert.
 * 3. A worker in every process replays the spool into the table when the database is back, and applies what
 *    is due: failed attempts after a backoff, and deliveries whose lease ran out because their process died.
 * 4. After `maxAttempts` a delivery is dead: reps see it in the App Home and can retry it; the person who
 *    made it is told privately (the `onDead` hook, wired by the Slack surface).
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { KeyRing } from "../crypto.ts";
import type { Database } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import { observeApply } from "../metrics/instruments.ts";
import {
  type Applier,
  errorText,
  type IncomingDelivery,
  type Intake,
  type IntakeSource,
  type StoredDelivery,
} from "./delivery.ts";
import { replaySpool } from "./replay.ts";
import type { Spool } from "./spool.ts";
import {
  claimLease,
  extendLeases,
  insertDelivery,
  leaseDue,
  markApplied,
  markFailed,
  pruneIntake,
  releaseOwned,
} from "./store.ts";

/** Tuning of the intake (INTAKE_* settings, src/config.ts). */
export interface IntakeSettings {
  /** How long the answer may wait for the insert before the delivery goes to the spool. */
  storeBudgetMs: number;
  /** How long a process holds a delivery it applies before others presume it dead. */
  leaseMs: number;
  maxAttempts: number;
  /** How often the worker looks for due deliveries and a spool to replay. */
  pollMs: number;
  /**
   * At most this many deliveries are applied in their own request at once; beyond that a delivery is stored,
   * answered at once and applied by the worker. Under load the answer then waits for one insert, not behind
   * every other request's work on the same event loop.
   */
  liveLimit: number;
}

export interface IntakeDeps {
  db: Database;
  keys: KeyRing;
  logger: Logger;
}

/** Called once a delivery is dead (after its last attempt); tells the person and refreshes the cockpit. */
export type DeadHook = (delivery: StoredDelivery, error: string) => Promise<void>;

const BATCH = 20;
/** Deliveries a worker applies side by side (each holds at most a few database connections). */
const PARALLEL = 4;
const HOUR_MS = 3_600_000;

export class DurableIntake {
  /** This process, as lease holder. */
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  private readonly appliers = new Map<IntakeSource, Applier>();
  /** Deliveries this process holds a lease on (leased and waiting for a lane, or applying). */
  private readonly held = new Set<string>();
  /** Order keys with a delivery `take()` queued behind one still applying here: wake the worker after it. */
  private readonly waiting = new Set<string>();
  /** Deliveries `take()` answered `apply-now` for whose `applyNow` has not finished. */
  private live = 0;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private lastPrune = 0;
  private outageLogged = false;
  private slowLoggedAt = 0;
  onDead: DeadHook | null = null;
  /** A replayed delivery a newer change of its element overtook (recorded, not applied): tell its sender. */
  onObsolete: ((delivery: StoredDelivery) => Promise<void>) | null = null;

  constructor(
    private readonly deps: IntakeDeps,
    private readonly spool: Spool,
    readonly settings: IntakeSettings,
  ) {
    this.log = deps.logger.child({ component: "intake" });
  }

  /** Registers how deliveries of a source are applied. */
  handle(source: IntakeSource, applier: Applier): this {
    this.appliers.set(source, applier);
    return this;
  }

  /** Stores a delivery before its 2xx. See {@link Intake} for what the caller does with each outcome. */
  async take(delivery: IncomingDelivery): Promise<Intake> {
    // While earlier deliveries wait in the spool, later ones queue behind them there: replay keeps the order.
    // During an outage that is every delivery; when the spool holds only deliveries the database was merely
    // slow to take, only those ordered with one of them (same order key or element) — the rest take the
    // database path, so one slow insert does not send all later traffic through the spool and the worker.
    if ((await this.queuesBehindSpool(delivery)) && (await this.spool.hasRoom())) {
      const spooled = await this.toSpool(delivery, null);
      // The database answers, as far as we know: replay soon rather than at the next poll.
      if (!this.outageLogged) this.wake();
      return spooled;
    }
    const insert = insertDelivery(this.deps, delivery, {
      owner: this.owner,
      leaseMs: this.settings.leaseMs,
      live: this.live < this.settings.liveLimit,
    });
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), this.settings.storeBudgetMs);
    });
    const stored = await Promise.race([insert, budget]).catch((err: unknown) => ({ err }));
    clearTimeout(timer);
    if (stored === "applying") {
      this.live++;
      this.held.add(delivery.key);
      return "apply-now";
    }
    if (stored === "pending") {
      if (delivery.orderKey) this.waiting.add(delivery.orderKey);
      this.wake();
      return "queued";
    }
    if (stored === "duplicate") return "duplicate";
    if (stored === "late") {
      // The insert may still land: then the worker, not this request, applies it (the spool copy is a duplicate).
      insert.then(
        (status) => {
          if (status === "applying") this.releaseLater(delivery.key);
        },
        () => {},
      );
    }
    return this.toSpool(delivery, stored === "late" ? "timeout" : (stored as { err: unknown }).err);
  }

  private async queuesBehindSpool(delivery: IncomingDelivery): Promise<boolean> {
    if (this.outageLogged) return (await this.spool.size()) > 0;
    return this.spool.holdsOrderOf(delivery);
  }

  /** Writes a delivery to the spool (`outage`: why, when the database did not take it). */
  private async toSpool(delivery: IncomingDelivery, outage: unknown): Promise<Intake> {
    if (outage !== null) this.noteOutage(outage);
    try {
      await this.spool.append(delivery);
      this.log.debug(
        { key: delivery.key, kind: delivery.kind },
        "delivery spooled: the database did not answer",
      );
      return "spooled";
    } catch (err) {
      this.log.error(
        { err, kind: delivery.kind },
        "delivery refused: neither the database nor the spool took it",
      );
      return "refused";
    }
  }

  /** Applies a delivery `take()` answered `apply-now` for, in this request (the sender may still wait). */
  async applyNow(delivery: IncomingDelivery): Promise<void> {
    try {
      await this.apply({ ...delivery, attempts: 1 }, true);
    } finally {
      this.live--;
    }
  }

  /**
   * Runs the intake's statements once before the first request (the first insert on a fresh connection or
   * embedded database costs ~200 ms of planning and page reads; Slack's first tick should not pay it).
   */
  async warmUp(): Promise<void> {
    const key = `warmup:${this.owner}`;
    for (let i = 0; i < 3; i++) {
      await insertDelivery(
        this.deps,
        {
          key: `${key}:${i}`,
          source: "slack",
          kind: "warmup",
          orderKey: key,
          userId: null,
          teamId: null,
          channelId: null,
          summary: "warm-up",
          body: {},
          receivedAt: new Date(),
        },
        { owner: this.owner, leaseMs: 1, live: true },
      );
    }
    await this.deps.db.prisma.intakeDelivery.deleteMany({ where: { key: { startsWith: key } } });
  }

  /** Starts the worker. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
    this.heartbeat = setInterval(
      () => {
        this.renewLeases().catch(() => {});
      },
      Math.max(250, Math.floor(this.settings.leaseMs / 3)),
    );
    this.heartbeat.unref();
  }

  /** Makes the worker look now (a queued delivery, a rep's retry). */
  wake(): void {
    if (this.stopped) return;
    if (this.round) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  /** Stops the worker and hands deliveries this process still holds to the others. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.round;
    const released = await releaseOwned(this.deps, this.owner).catch(() => 0);
    if (released > 0) this.log.info({ released }, "handed unfinished deliveries to the other processes");
  }

  /** Renews every lease this process holds; forgets the ones another process took over meanwhile. */
  private async renewLeases(): Promise<void> {
    const asked = [...this.held];
    const kept = await extendLeases(this.deps, this.owner, asked, this.settings.leaseMs);
    for (const key of asked) if (!kept.has(key)) this.held.delete(key);
  }

  /** One worker round: replay the spool, then apply what is due (repeats while there is more). */
  async runOnce(): Promise<void> {
    await replaySpool(this.deps, this.spool, this.owner, this.settings.leaseMs, this.log);
    for (;;) {
      const due = await leaseDue(this.deps, {
        owner: this.owner,
        leaseMs: this.settings.leaseMs,
        limit: BATCH,
        broken: (delivery, reason) => this.deadAtOnce(delivery, reason),
      });
      for (const delivery of due) this.held.add(delivery.key);
      // At most one delivery per order key is due at a time (store.ts), so a batch can run side by side.
      let next = 0;
      const lane = async () => {
        while (next < due.length) {
          const delivery = due[next++] as StoredDelivery;
          if (this.stopped) this.held.delete(delivery.key);
          else await this.applyLeased(delivery);
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL, due.length) }, lane));
      if (due.length < BATCH || this.stopped) break;
    }
    if (Date.now() - this.lastPrune > HOUR_MS) {
      this.lastPrune = Date.now();
      const pruned = await pruneIntake(this.deps, new Date());
      if (pruned > 0) this.log.debug({ pruned }, "old intake rows pruned");
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.round = this.runOnce()
        .then(() => this.backOnline())
        .catch((err: unknown) => this.noteOutage(err))
        .finally(() => {
          this.round = null;
          const again = this.again;
          this.again = false;
          this.schedule(again ? 0 : this.settings.pollMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  /** A worker's delivery: applied only while this process still holds it, and only if not overtaken. */
  private async applyLeased(delivery: StoredDelivery): Promise<void> {
    const claim = await claimLease(this.deps, delivery.key, this.owner, this.settings.leaseMs).catch(
      () => "lost" as const,
    );
    if (claim === "go") return this.apply(delivery, false);
    this.held.delete(delivery.key);
    if (claim === "obsolete") {
      this.log.info(
        { key: delivery.key, kind: delivery.kind },
        "delivery overtaken by a newer change of its element: recorded, not applied",
      );
      await this.onObsolete?.(delivery).catch((err: unknown) =>
        this.log.warn({ key: delivery.key, err }, "the person could not be told of an overtaken delivery"),
      );
    }
  }

  /** A delivery that cannot be read back: dead at once (store.ts), the person and the reps are told. */
  private deadAtOnce(delivery: StoredDelivery, reason: string): void {
    this.log.error({ key: delivery.key, kind: delivery.kind, error: reason }, "delivery dead: unreadable");
    this.onDead?.(delivery, reason).catch((hookErr: unknown) =>
      this.log.warn({ err: hookErr }, "could not tell anyone about a dead delivery"),
    );
  }

  private async apply(delivery: StoredDelivery, live: boolean): Promise<void> {
    const applier = this.appliers.get(delivery.source);
    this.held.add(delivery.key);
    const started = performance.now();
    try {
      if (!applier) throw new Error(`no applier for ${delivery.source} deliveries`);
      const outcome = await applier(delivery, live);
      if (!(await markApplied(this.deps, delivery.key, this.owner, outcome === "obsolete"))) {
        this.log.warn({ key: delivery.key, kind: delivery.kind }, "applied after its lease was lost");
      }
      observeApply(delivery.source, "applied", (performance.now() - started) / 1000);
    } catch (err) {
      observeApply(delivery.source, "failed", (performance.now() - started) / 1000);
      const error = errorText(err);
      this.log.warn(
        { key: delivery.key, kind: delivery.kind, attempt: delivery.attempts, error },
        "delivery not applied; it will be retried",
      );
      const state = await markFailed(this.deps, delivery, error, this.settings.maxAttempts, this.owner).catch(
        // The database itself is away: the lease runs out and the delivery is taken up again later.
        () => "unknown" as const,
      );
      if (state === "dead") {
        this.log.error(
          { key: delivery.key, kind: delivery.kind, error },
          "delivery dead after its last attempt",
        );
        await this.onDead?.(delivery, error).catch((hookErr: unknown) =>
          this.log.warn({ err: hookErr }, "could not tell anyone about a dead delivery"),
        );
      }
    } finally {
      this.held.delete(delivery.key);
      if (delivery.orderKey && this.waiting.delete(delivery.orderKey)) this.wake();
    }
  }

  private releaseLater(key: string): void {
    this.deps.db.prisma.$executeRaw`
      update intake_delivery set status = 'pending', owner = null, lease_until = null
       where key = ${key} and owner = ${this.owner} and status = 'applying'`.then(
      () => this.wake(),
      () => {},
    );
  }

  /**
   * Says once per episode (and at most once a minute) why deliveries go to the spool: an error is an outage;
   * a slow answer is load (on embedded PGlite, the database thread is busy), worth a warning only.
   */
  private noteOutage(err: unknown): void {
    if (err === "timeout") {
      if (Date.now() - this.slowLoggedAt < 60_000) return;
      this.slowLoggedAt = Date.now();
      this.log.warn(
        { budgetMs: this.settings.storeBudgetMs },
        "the database answered slower than the intake's budget: deliveries go to the local spool meanwhile",
      );
      return;
    }
    if (this.outageLogged) return;
    this.outageLogged = true;
    this.log.error({ err }, "the database is not answering: deliveries go to the local spool until it does");
  }

  private backOnline(): void {
    if (!this.outageLogged) return;
    this.outageLogged = false;
    this.log.info("the database answers again: the spool is replayed and deliveries are applied");
  }
}
