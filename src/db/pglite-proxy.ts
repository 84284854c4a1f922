/**
 * PGlite in a worker thread, seen from the main thread: the subset of PGlite's interface that
 * pglite-prisma-adapter and src/db/client.ts use (query, exec, transaction, waitReady, close).
 *
 * PGlite is PostgreSQL compiled to WebAssembly; in-thread, every query is synchronous CPU on the event loop
 * (~1 ms each, ~10 per checklist tick), which queues Slack's acknowledgements behind database work under
 * load. Here the worker (src/db/pglite-worker.ts) does that work and returns text values; this side parses
 * them exactly as in-thread PGlite would, and rebuilds PostgreSQL errors as PGlite's own DatabaseError so
 * the adapter still maps them (unique violation → P2002).
 */
import { MessageChannel, MessagePort, type Worker } from "node:worker_threads";
import { messages, type QueryOptions, type Results, types } from "@electric-sql/pglite";
import { startModuleWorker } from "../worker-thread.ts";
import type {
  PgliteWorkerData,
  PgliteWorkerRequest,
  PgliteWorkerResponse,
  RawResults,
  SerializedError,
} from "./pglite-worker.ts";

type Parser = (value: string, typeId?: number) => unknown;
type Request = PgliteWorkerRequest extends infer R ? (R extends unknown ? Omit<R, "id"> : never) : never;
type Reply = RawResults | RawResults[] | undefined;

interface Pending {
  resolve(result: Reply): void;
  reject(err: Error): void;
  /** Where a PostgreSQL error should say it came from, as in-thread PGlite attaches it. */
  context?: { query: string; params?: unknown[]; queryOptions?: QueryOptions };
}

/** The transaction handed to {@link PGliteProxy.transaction}'s callback (PGlite's `Transaction` subset). */
export interface PGliteProxyTransaction {
  query<T>(query: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
  exec(query: string, options?: QueryOptions): Promise<Results[]>;
  rollback(): Promise<void>;
  readonly closed: boolean;
}

/** Options for {@link PGliteProxy}: no `dataDir` gives an in-memory database. */
export interface PGliteProxyOptions {
  dataDir?: string;
  /**
   * Nice levels below the main thread for the worker once it is open (Linux; default 10): requests first,
   * then queries.
   */
  niceness?: number;
  /** Told when the worker dies unexpectedly (every pending and later query fails with `error`). */
  onCrash?: (error: Error) => void;
}

/** Rebuilds a worker-side error; PostgreSQL errors become `messages.DatabaseError` as in-thread PGlite throws. */
function rebuildError(e: SerializedError, context?: Pending["context"]): Error {
  if (e.database) {
    const err = new messages.DatabaseError(
      e.message,
      e.database.length,
      e.database.name as messages.MessageName,
    );
    Object.assign(err, e.database.fields, context);
    return err;
  }
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

const UNSUPPORTED_OPTIONS = ["serializers", "blob", "onNotice"] as const;

/** PGlite running in a worker thread, with the interface of PGlite that our code and the Prisma adapter use. */
export class PGliteProxy {
  /** Resolves once the database is open (rejects if it could not start). */
  readonly waitReady: Promise<void>;
  /** PGlite's default parsers plus the array types the worker found, exactly as in-thread PGlite builds them. */
  private readonly parsers: Record<number | string, Parser> = { ...types.parsers };
  /** The worker this proxy started and owns, or the port of another thread's worker it was handed. */
  private readonly worker: Worker | MessagePort;
  private readonly attached: boolean;
  private readonly pending = new Map<number, Pending>();
  private readonly onCrash: ((error: Error) => void) | undefined;
  private lastId = 0;
  private lastTxId = 0;
  private starting = true;
  private failure: Error | undefined;
  private closing = false;
  private isClosed = false;
  private closePromise: Promise<void> | undefined;

  /** Starts the worker and waits until the database is open. */
  static async create(options: PGliteProxyOptions = {}): Promise<PGliteProxy> {
    return PGliteProxy.ready(new PGliteProxy(options));
  }

  /**
   * A proxy in another thread over a port from {@link openPort}: the same database, served by the same
   * worker. Closing it closes the port only; the database stays with the proxy that started the worker.
   */
  static async attach(port: MessagePort, onCrash?: (error: Error) => void): Promise<PGliteProxy> {
    return PGliteProxy.ready(new PGliteProxy(onCrash ? { onCrash } : {}, port));
  }

  private static async ready(proxy: PGliteProxy): Promise<PGliteProxy> {
    try {
      await proxy.waitReady;
    } catch (err) {
      await proxy.close().catch(() => {});
      throw err;
    }
    return proxy;
  }

  constructor(options: PGliteProxyOptions = {}, port?: MessagePort) {
    this.onCrash = options.onCrash;
    this.attached = port !== undefined;
    const workerData: PgliteWorkerData = {
      fleetPgliteWorker: true,
      niceness: options.niceness ?? 10,
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    };
    this.worker = port ?? startModuleWorker(import.meta.url, "pglite-worker", { workerData });
    let ready: () => void = () => {};
    let notReady: (err: Error) => void = () => {};
    this.waitReady = new Promise<void>((resolve, reject) => {
      ready = resolve;
      notReady = reject;
    });
    // Awaited by create(); this keeps a failed start from also being reported as an unhandled rejection.
    this.waitReady.catch(() => {});
    const settleStart = (err?: Error) => {
      if (!this.starting) return;
      this.starting = false;
      if (err) notReady(err);
      else ready();
      this.updateRef();
    };

    this.worker.on("message", (msg: PgliteWorkerResponse) => {
      switch (msg.type) {
        case "ready":
          for (const [oid, typarray] of msg.arrayTypes) {
            // Same closure as PGlite's _initArrayTypes: the element parser is looked up when called.
            this.parsers[typarray] = (x) => types.arrayParser(x, this.parsers[oid] as types.Parser, typarray);
          }
          settleStart();
          return;
        case "startFailed":
          this.failure = rebuildError(msg.error);
          settleStart(this.failure);
          return;
        case "result":
        case "error": {
          const p = this.pending.get(msg.id);
          if (!p) return;
          this.pending.delete(msg.id);
          this.updateRef();
          if (msg.type === "result") p.resolve(msg.result);
          else p.reject(rebuildError(msg.error, p.context));
        }
      }
    });
    if (port) {
      port.on("close", () => {
        if (!this.closing) this.crash(new Error("the embedded database's port closed"), settleStart);
      });
      return;
    }
    const worker = this.worker as Worker;
    worker.on("error", (err) => {
      this.crash(new Error(`PGlite worker crashed: ${err.message}`, { cause: err }), settleStart);
    });
    worker.on("messageerror", (err) => {
      this.crash(
        new Error(`PGlite worker sent an unreadable message: ${err.message}`, { cause: err }),
        settleStart,
      );
      void worker.terminate();
    });
    worker.on("exit", (code) => {
      if (this.closing) {
        this.failure ??= new Error("PGlite is closed");
        this.rejectAll(this.failure);
        settleStart(this.failure);
      } else {
        this.crash(new Error(`PGlite worker exited unexpectedly (exit code ${code})`), settleStart);
      }
    });
  }

  /** True once the database is open and until it is closed or the worker has died. */
  get ready(): boolean {
    return !this.starting && !this.failure && !this.closing;
  }

  /** True once {@link close} has finished. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Runs one statement with parameters (PGlite's `query`). */
  async query<T>(query: string, params: unknown[] = [], options?: QueryOptions): Promise<Results<T>> {
    return this.runQuery<T>(query, params, options, undefined);
  }

  /** Runs a script of statements without parameters (PGlite's `exec`). */
  async exec(query: string, options?: QueryOptions): Promise<Results[]> {
    return this.runExec(query, options, undefined);
  }

  /** Runs `fn` in a transaction: commits when it resolves, rolls back when it throws (PGlite's `transaction`). */
  async transaction<T>(fn: (tx: PGliteProxyTransaction) => Promise<T>): Promise<T> {
    const txId = ++this.lastTxId;
    await this.request({ op: "begin", txId });
    let closed = false;
    const open = () => {
      if (closed) throw new Error("Transaction is closed");
    };
    const tx: PGliteProxyTransaction = {
      query: async <R>(query: string, params: unknown[] = [], options?: QueryOptions) => {
        open();
        return this.runQuery<R>(query, params, options, txId);
      },
      exec: async (query: string, options?: QueryOptions) => {
        open();
        return this.runExec(query, options, txId);
      },
      rollback: async () => {
        open();
        await this.request({ op: "rollback", txId });
        closed = true;
      },
      get closed() {
        return closed;
      },
    };
    let result: T;
    try {
      result = await fn(tx);
    } catch (err) {
      closed = true;
      await this.request({ op: "end", txId, commit: false });
      throw err;
    }
    closed = true;
    await this.request({ op: "end", txId, commit: true });
    return result;
  }

  /**
   * A port to this database for another thread ({@link attach} there): the worker serves it like this proxy,
   * with its own transactions. Transfer it (postMessage's or workerData's transferList).
   */
  async openPort(): Promise<MessagePort> {
    if (this.attached) throw new Error("PGliteProxy: only the proxy that started the worker opens ports");
    const { port1, port2 } = new MessageChannel();
    await this.request({ op: "connect", port: port2 }, undefined, [port2]);
    return port1;
  }

  /**
   * Closes the database and stops the worker; later queries fail with "PGlite is closed". An attached proxy
   * closes its port only (its open transactions roll back).
   */
  close(): Promise<void> {
    this.closePromise ??= (async () => {
      await this.waitReady.catch(() => {});
      const failedAlready = this.failure !== undefined;
      this.closing = true;
      if (this.worker instanceof MessagePort) {
        this.worker.close();
        this.failure ??= new Error("PGlite is closed");
        this.rejectAll(this.failure);
        this.isClosed = true;
        return;
      }
      try {
        if (!failedAlready) await this.request({ op: "close" });
      } finally {
        // PGlite has flushed and closed its files; nothing in the worker is left to finish.
        await this.worker.terminate();
        this.failure ??= new Error("PGlite is closed");
        this.isClosed = true;
      }
    })();
    return this.closePromise;
  }

  private async runQuery<T>(
    query: string,
    params: unknown[],
    options: QueryOptions | undefined,
    txId: number | undefined,
  ): Promise<Results<T>> {
    checkOptions(options);
    const raw = (await this.request(
      {
        op: "query",
        sql: query,
        params,
        ...(options?.paramTypes ? { paramTypes: options.paramTypes } : {}),
        ...(txId === undefined ? {} : { txId }),
      },
      { query, params, queryOptions: options },
    )) as RawResults;
    return this.parse<T>(raw, options);
  }

  private async runExec(
    query: string,
    options: QueryOptions | undefined,
    txId: number | undefined,
  ): Promise<Results[]> {
    checkOptions(options);
    const raw = (await this.request(
      { op: "exec", sql: query, ...(txId === undefined ? {} : { txId }) },
      { query, params: undefined, queryOptions: options },
    )) as RawResults[];
    return raw.map((r) => this.parse<Record<string, unknown>>(r, options));
  }

  /** PGlite's parseResults on text values: the caller's parser for a type, else PGlite's default. */
  private parse<T>(raw: RawResults, options: QueryOptions | undefined): Results<T> {
    const { fields } = raw;
    const parsers = fields.map(
      (f) => (options?.parsers?.[f.dataTypeID] as Parser | undefined) ?? this.parsers[f.dataTypeID],
    );
    const value = (x: string | null, i: number) => {
      if (x === null) return null;
      const parse = parsers[i];
      return parse ? parse(x, fields[i]?.dataTypeID) : x;
    };
    const rows =
      options?.rowMode === "array"
        ? raw.rows.map((row) => row.map(value))
        : raw.rows.map((row) => Object.fromEntries(row.map((x, i) => [fields[i]?.name, value(x, i)])));
    return {
      rows: rows as T[],
      fields,
      ...(raw.affectedRows === undefined ? {} : { affectedRows: raw.affectedRows }),
      ...(raw.command === undefined ? {} : { command: raw.command }),
      ...(raw.rowCount === undefined ? {} : { rowCount: raw.rowCount }),
    };
  }

  private request(req: Request, context?: Pending["context"], transfer?: MessagePort[]): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing && req.op !== "close") return Promise.reject(new Error("PGlite is closing"));
    const id = ++this.lastId;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...(context ? { context } : {}) });
      try {
        this.worker.postMessage({ ...req, id }, transfer);
      } catch (err) {
        // e.g. a parameter that cannot be cloned to another thread (a function, a symbol).
        this.pending.delete(id);
        reject(err as Error);
      }
      this.updateRef();
    });
  }

  private crash(err: Error, settleStart: (err?: Error) => void) {
    if (this.failure) return;
    this.failure = err;
    this.rejectAll(err);
    settleStart(err);
    this.onCrash?.(err);
  }

  private rejectAll(err: Error) {
    const pending = [...this.pending.values()];
    this.pending.clear();
    this.updateRef();
    for (const p of pending) p.reject(err);
  }

  /**
   * Keeps the process alive only while the worker has work, like in-thread PGlite (which holds no handle):
   * an idle database never stops a process from exiting.
   */
  private updateRef() {
    if (this.starting || this.pending.size > 0) this.worker.ref();
    else this.worker.unref();
  }
}

function checkOptions(options: QueryOptions | undefined) {
  if (!options) return;
  for (const key of UNSUPPORTED_OPTIONS) {
    if (options[key] !== undefined)
      throw new Error(`PGliteProxy: the query option "${key}" cannot cross threads`);
  }
}
