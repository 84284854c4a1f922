/**
 * Runs inside a `node:worker_threads` Worker (started by src/db/pglite-proxy.ts) and owns the PGlite
 * instance, so PostgreSQL-in-WebAssembly burns this thread's CPU instead of the app's event loop.
 *
 * Results go back unparsed (PostgreSQL's text format plus each field's dataTypeID): parsers are functions and
 * cannot cross threads, so the main thread parses with the caller's parsers or PGlite's defaults.
 * Every request is handled concurrently; PGlite's own mutexes give the ordering in-thread PGlite would.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import { messages, PGlite, type Results, type Transaction, types } from "@electric-sql/pglite";
import { lowerThreadPriority } from "../worker-thread.ts";
import { checkPgliteFolder, pgliteOptions } from "./pglite-options.ts";
import { seedFromPristine } from "./pristine.ts";

/** What the proxy passes as `workerData`: the data folder, or none for an in-memory database. */
export interface PgliteWorkerData {
  /** Marks the worker the proxy started, so importing this file anywhere else does nothing. */
  fleetPgliteWorker: true;
  dataDir?: string;
  /** How many nice levels below the main thread this thread runs (Linux); 0 keeps the same priority. */
  niceness?: number;
}

/** A request from the main thread; `txId` sends a query to an open transaction. */
export type PgliteWorkerRequest =
  | { id: number; op: "query"; sql: string; params: unknown[]; paramTypes?: number[]; txId?: number }
  | { id: number; op: "exec"; sql: string; txId?: number }
  | { id: number; op: "begin"; txId: number }
  | { id: number; op: "rollback"; txId: number }
  | { id: number; op: "end"; txId: number; commit: boolean }
  | { id: number; op: "close" }
  /** Serve the same database on `port` too (another thread's proxy), with its own transactions. */
  | { id: number; op: "connect"; port: MessagePort };

/** One result set as text: `rows[i][j]` is column j in PostgreSQL's text format, or null. */
export interface RawResults {
  rows: (string | null)[][];
  fields: { name: string; dataTypeID: number }[];
  affectedRows?: number;
  /** The command tag's verb and row count (PGlite 0.5 reports them, as node-postgres does). */
  command?: string;
  rowCount?: number;
}

/** An error as data; `database` holds a PostgreSQL error's fields so the proxy can rebuild a DatabaseError. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  database?: { length: number; name: string; fields: Record<string, string | undefined> };
}

/** A message to the main thread: start-up outcome, or the answer to request `id`. */
export type PgliteWorkerResponse =
  | { type: "ready"; arrayTypes: [oid: number, typarray: number][] }
  | { type: "startFailed"; error: SerializedError }
  | { type: "result"; id: number; result?: RawResults | RawResults[] }
  | { type: "error"; id: number; error: SerializedError };

/** The PostgreSQL error fields PGlite's DatabaseError carries (besides message, length and name). */
const DATABASE_ERROR_FIELDS = [
  "severity",
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;

/** Thrown inside `transaction()` when the main thread's callback failed, so PGlite rolls back. */
class AbortTransaction extends Error {}

interface OpenTransaction {
  tx: Transaction;
  finish(commit: boolean): void;
  settled: Promise<void>;
}

/** Turns any thrown value into data that survives postMessage with PostgreSQL's fields intact. */
function serializeError(err: unknown): SerializedError {
  if (err instanceof messages.DatabaseError) {
    const fields: Record<string, string | undefined> = {};
    for (const key of DATABASE_ERROR_FIELDS) fields[key] = err[key];
    return {
      name: err.name,
      message: err.message,
      stack: err.stack,
      database: { length: err.length, name: err.name, fields },
    };
  }
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: "Error", message: String(err) };
}

/**
 * Runs a full garbage collection in this thread. Creating a database runs initdb in a WebAssembly instance
 * of its own (PGlite 0.5), whose memory is garbage once the database is open, but only a full collection
 * frees it, and this thread allocates too little JavaScript to trigger one: without this, a first start
 * stays ~400 MiB larger until a restart. `gc` is exposed in a throw-away context only (as Jest does).
 */
function collectGarbage(): void {
  try {
    setFlagsFromString("--expose-gc");
    (runInNewContext("gc") as () => void)();
  } catch {
    // not offered by this runtime: the memory stays until the next restart
  }
}

/** Opens (or creates) the database and prepares it for the main thread; throws when it cannot start. */
async function openPglite(
  data: PgliteWorkerData,
): Promise<{ pglite: PGlite; arrayTypes: [number, number][] }> {
  if (data.dataDir) checkPgliteFolder(data.dataDir);
  // An empty folder gets the pristine database built with the app (src/db/pristine.ts): no initdb here.
  const creating =
    !data.dataDir || (!existsSync(join(data.dataDir, "PG_VERSION")) && !seedFromPristine(data.dataDir));
  const pglite = data.dataDir ? new PGlite(data.dataDir, pgliteOptions()) : new PGlite(pgliteOptions());
  await pglite.waitReady;
  // On the next turn: collected right here, initdb's instance is still reachable and survives.
  if (creating) setImmediate(collectGarbage);
  // The same catalog query PGlite ran at start-up to build its array parsers: the main thread rebuilds
  // identical ones (types created later, e.g. by migrations, are unknown to in-thread PGlite too).
  const found = await pglite.query<{ oid: number; typarray: number }>(
    `SELECT b.oid, b.typarray
     FROM pg_catalog.pg_type a
     LEFT JOIN pg_catalog.pg_type b ON b.oid = a.typelem
     WHERE a.typcategory = 'A'
     GROUP BY b.oid, b.typarray
     ORDER BY b.oid`,
  );
  const arrayTypes: [number, number][] = found.rows.map((r) => [Number(r.oid), Number(r.typarray)]);
  // Every type PGlite would parse now returns its text as is (unknown types already do). PGlite copies
  // its instance's parsers into a new object on every query ({...instance, ...options}): with ~250 entries
  // that was ~8% of this thread's CPU under load. Its fallback for types missing there is the module's
  // default table, which this thread alone uses: that table returns text, and the instance's stays empty.
  const text = (x: string) => x;
  for (const key of Object.keys(types.parsers)) types.parsers[key] = text;
  pglite.parsers = {};
  return { pglite, arrayTypes };
}

/** A result as the main thread reads it: raw rows and field types, nothing parsed. */
function strip(r: Results): RawResults {
  return {
    rows: r.rows as (string | null)[][],
    fields: r.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
    ...(r.affectedRows === undefined ? {} : { affectedRows: r.affectedRows }),
    ...(r.command === undefined ? {} : { command: r.command }),
    ...(r.rowCount === undefined ? {} : { rowCount: r.rowCount }),
  };
}

/**
 * Opens a transaction that stays open until its `end` request: the begin request is answered once inside it,
 * and the transaction waits in `open` for the main thread's statements.
 */
function beginTransaction(
  pglite: PGlite,
  {
    id,
    txId,
    open,
    post,
  }: {
    id: number;
    txId: number;
    open: Map<number, OpenTransaction>;
    post: (message: PgliteWorkerResponse) => void;
  },
): void {
  let entered = false;
  const settled = pglite.transaction(async (tx) => {
    entered = true;
    const commit = await new Promise<boolean>((finish) => {
      open.set(txId, { tx, finish, settled });
      post({ type: "result", id });
    });
    if (!commit) throw new AbortTransaction();
  });
  // Failing before the callback ran (BEGIN refused, PGlite closed) answers the begin request; later
  // failures (COMMIT refused) answer the end request.
  settled.catch((err: unknown) => {
    if (!entered) post({ type: "error", id, error: serializeError(err) });
  });
}

/**
 * Answers the requests arriving on `port` (the main thread's, or a port another thread was handed), each
 * port with its own transactions; a port that closes rolls back the transactions it left open.
 */
function serve(
  pglite: PGlite,
  port: MessagePort,
  post: (message: PgliteWorkerResponse) => void,
  connect: (req: Extract<PgliteWorkerRequest, { op: "connect" }>) => void,
): void {
  const open = new Map<number, OpenTransaction>();
  const transaction = (txId: number) => {
    const t = open.get(txId);
    if (!t) throw new Error(`PGlite worker: transaction ${txId} is not open`);
    return t;
  };
  const target = (txId: number | undefined) => (txId === undefined ? pglite : transaction(txId).tx);

  const begin = (id: number, txId: number) => beginTransaction(pglite, { id, txId, open, post });

  const handle = async (req: PgliteWorkerRequest): Promise<RawResults | RawResults[] | undefined> => {
    switch (req.op) {
      case "query": {
        const options = {
          rowMode: "array" as const,
          ...(req.paramTypes ? { paramTypes: req.paramTypes } : {}),
        };
        return strip(await target(req.txId).query(req.sql, req.params, options));
      }
      case "exec":
        return (await target(req.txId).exec(req.sql, { rowMode: "array" })).map(strip);
      case "rollback":
        await transaction(req.txId).tx.rollback();
        return undefined;
      case "end": {
        const t = transaction(req.txId);
        open.delete(req.txId);
        t.finish(req.commit);
        try {
          await t.settled;
        } catch (err) {
          if (!(err instanceof AbortTransaction)) throw err;
        }
        return undefined;
      }
      case "close":
        await pglite.close();
        return undefined;
      case "begin":
      case "connect":
        throw new Error("unreachable");
    }
  };

  port.on("message", (req: PgliteWorkerRequest) => {
    if (req.op === "begin") {
      begin(req.id, req.txId);
      return;
    }
    if (req.op === "connect") {
      connect(req);
      return;
    }
    handle(req).then(
      (result) =>
        post(result === undefined ? { type: "result", id: req.id } : { type: "result", id: req.id, result }),
      (err: unknown) => post({ type: "error", id: req.id, error: serializeError(err) }),
    );
  });
  port.on("close", () => {
    for (const t of open.values()) t.finish(false);
    open.clear();
  });
}

async function main(port: NonNullable<typeof parentPort>, data: PgliteWorkerData): Promise<void> {
  const post = (message: PgliteWorkerResponse) => port.postMessage(message);
  const opened = await openPglite(data).catch((err: unknown) => {
    post({ type: "startFailed", error: serializeError(err) });
  });
  if (!opened) return;
  const { pglite, arrayTypes } = opened;
  // Niced only once open: while it starts, the app waits for it (the start-up's critical path), and a busy
  // host would otherwise starve it in favour of the main thread's own start-up work.
  lowerThreadPriority(data.niceness ?? 0);

  serve(pglite, port, post, (msg) => {
    serve(
      pglite,
      msg.port,
      (m) => msg.port.postMessage(m),
      () => {},
    );
    msg.port.postMessage({ type: "ready", arrayTypes } satisfies PgliteWorkerResponse);
    post({ type: "result", id: msg.id });
  });
  post({ type: "ready", arrayTypes });
}

const data = workerData as Partial<PgliteWorkerData> | null;
if (parentPort && data?.fleetPgliteWorker === true) await main(parentPort, data as PgliteWorkerData);
