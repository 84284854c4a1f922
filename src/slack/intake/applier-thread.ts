/**
 * The applier thread, seen from the main thread (INTAKE_APPLY_IN_WORKER=1): stored Slack deliveries are applied
 * by a Bolt app in a `node:worker_threads` Worker (src/apply-worker.ts) with its own context and database
 * connection, so the main thread's event loop only verifies, stores and acknowledges (and serves pages).
 *
 * The durable intake stays on the main thread and unchanged: the insert before the 2xx, leases, retries, dead
 * letters and the spool. Only the applier's call crosses: a delivery goes over with its key; when Slack still
 * waits on the request (a live apply), the listener's `ack` comes back as a message and answers Slack here
 * (a command's or form's answer included). The call settles when the delivery is applied (or throws there),
 * and the intake then marks it applied (or failed) exactly as for an apply on this thread.
 */
import type { ReceiverEvent } from "@slack/bolt";
import type { MetricObjectWithValues, MetricValue } from "prom-client";
import type { Config } from "../../config.ts";
import type { SlackIdentity } from "../../context.ts";
import type { SharedDatabase } from "../../db/client.ts";
import type { StoredDelivery } from "../../intake/delivery.ts";
import type { Logger } from "../../logger.ts";
import { startModuleWorker } from "../../worker-thread.ts";
import type { SlackApply } from "./receiver.ts";

/** A live request's event as it crosses: everything but its `ack` (which stays here). */
export type LiveEvent = Omit<ReceiverEvent, "ack">;

/** Metrics as prom-client's getMetricsAsJSON gives them. */
export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** Main thread → applier thread. */
export type ToApplier =
  | { type: "apply"; id: number; delivery: StoredDelivery; live?: LiveEvent }
  | { type: "metrics"; id: number }
  | { type: "stop"; id: number };

/** Applier thread → main thread. */
export type FromApplier =
  | { type: "ready" }
  | { type: "startFailed"; message: string }
  | { type: "ack"; id: number; response?: unknown }
  /** `obsolete`: a newer change overtook everything the delivery set (src/slack-gateway/delivery-scope.ts). */
  | { type: "applied"; id: number; outcome?: "obsolete" }
  | {
      type: "failed";
      id: number;
      name: string;
      message: string;
      /** A database error's own code and message (src/intake/delivery.ts's errorText reads them). */
      cause?: { code?: string | undefined; message?: string | undefined };
    }
  | { type: "metrics"; id: number; metrics: MetricsJson }
  | { type: "stopped"; id: number };

/** What the applier thread starts from (its `workerData`; the shared database's port is transferred). */
export interface ApplierWorkerData {
  fleetApplyWorker: true;
  config: Config;
  identity: SlackIdentity;
  publicUrl: string;
  db: SharedDatabase;
}

interface Call {
  resolve(value: unknown): void;
  reject(err: Error): void;
  /** The live request's ack (answers Slack on this thread). */
  ack?: ReceiverEvent["ack"];
}

/** An error thrown while the applier thread applied a delivery, with its name and message. */
export class AppliedElsewhereError extends Error {
  constructor(name: string, message: string, cause?: { code?: string; message?: string }) {
    super(message);
    this.name = name;
    if (cause) Object.assign(this, { meta: { driverAdapterError: { cause } } });
  }
}

/** The applier thread: `apply` is the receiver's {@link SlackApply}; `stop` drains it. */
export class ApplierThread {
  private readonly calls = new Map<number, Call>();
  /** Every call not yet settled (a graceful stop waits for them). */
  private readonly running = new Set<Promise<unknown>>();
  private lastId = 0;
  private failure: Error | undefined;
  /** Set by {@link stop}: deliveries handed over from then on are applied by `here`. */
  private stopping = false;
  /** Until the thread says it is ready (or could not start). */
  private starting: { resolve(): void; reject(err: Error): void } | undefined;

  private constructor(
    private readonly worker: ReturnType<typeof startModuleWorker>,
    private readonly log: Logger,
  ) {
    worker.on("message", (msg: FromApplier) => this.receive(msg));
    worker.on("error", (err) => this.fail(new Error(`the applier thread crashed: ${err.message}`)));
    worker.on("exit", (code) => this.fail(new Error(`the applier thread exited (code ${code})`)));
  }

  /** Starts the thread on the shared database and waits until its Bolt app is ready. */
  static async start(data: Omit<ApplierWorkerData, "fleetApplyWorker">, log: Logger): Promise<ApplierThread> {
    const workerData: ApplierWorkerData = { fleetApplyWorker: true, ...data };
    const transferList = data.db.kind === "pglite" ? [data.db.port] : [];
    const worker = startModuleWorker(import.meta.url, "../../apply-worker", { workerData, transferList });
    const thread = new ApplierThread(worker, log.child({ component: "applier-thread" }));
    await new Promise<void>((resolve, reject) => {
      thread.starting = { resolve, reject };
    }).catch(async (err: unknown) => {
      await worker.terminate();
      throw err;
    });
    return thread;
  }

  /**
   * Applies a delivery in the thread; a live request's `ack` answers Slack from here when called there. Once
   * the thread has died, deliveries are applied by `here` (this thread's Bolt app) instead of failing.
   */
  readonly apply = async (...[delivery, event, here]: [...Parameters<SlackApply>, SlackApply]) => {
    if (this.failure || this.stopping) return here(delivery, event);
    if (!event) return (await this.call({ type: "apply", delivery }, undefined)) as "obsolete" | undefined;
    const { ack, ...live } = event;
    return (await this.call({ type: "apply", delivery, live }, ack)) as "obsolete" | undefined;
  };

  /** The thread's counters and histograms (its Slack and Finch calls), for the main thread's /metrics. */
  async metrics(): Promise<MetricsJson> {
    if (this.failure) return [];
    return (await this.call({ type: "metrics" }, undefined)) as MetricsJson;
  }

  /** Waits for the deliveries it applies, lets its own work in flight finish, closes its database. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (!this.failure) {
      await Promise.allSettled([...this.running]);
      await this.call({ type: "stop" }, undefined).catch((err: unknown) =>
        this.log.warn({ err }, "the applier thread did not stop cleanly"),
      );
    }
    this.failure ??= new Error("the applier thread is stopped");
    await this.worker.terminate();
  }

  private call(msg: DistributiveOmit<ToApplier, "id">, ack: ReceiverEvent["ack"] | undefined) {
    if (this.failure) return Promise.reject(this.failure);
    const id = ++this.lastId;
    const done = new Promise<unknown>((resolve, reject) => {
      this.calls.set(id, { resolve, reject, ...(ack ? { ack } : {}) });
      this.worker.postMessage({ ...msg, id } as ToApplier);
    });
    this.running.add(done);
    const forget = () => this.running.delete(done);
    done.then(forget, forget);
    return done;
  }

  private receive(msg: FromApplier): void {
    if (msg.type === "ready") this.starting?.resolve();
    if (msg.type === "startFailed")
      this.starting?.reject(new Error(`the applier thread did not start: ${msg.message}`));
    if (msg.type === "ready" || msg.type === "startFailed") return;
    const call = this.calls.get(msg.id);
    if (!call) return;
    if (msg.type === "ack") {
      call
        .ack?.(msg.response as never)
        .catch((err: unknown) => this.log.warn({ err }, "the acknowledgement could not be sent"));
      return;
    }
    this.calls.delete(msg.id);
    if (msg.type === "failed") call.reject(new AppliedElsewhereError(msg.name, msg.message, msg.cause));
    else if (msg.type === "metrics") call.resolve(msg.metrics);
    else call.resolve(msg.type === "applied" ? msg.outcome : undefined);
  }

  /** The thread died: every call fails (the intake retries the deliveries); no new one is sent. */
  private fail(err: Error): void {
    this.starting?.reject(err);
    if (this.failure) return;
    this.failure = err;
    this.log.error({ err }, "the applier thread stopped unexpectedly: deliveries are retried by the intake");
    const calls = [...this.calls.values()];
    this.calls.clear();
    for (const call of calls) call.reject(err);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
