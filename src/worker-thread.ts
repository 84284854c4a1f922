/**
 * Starting one of the app's own modules as a `node:worker_threads` Worker, from compiled `dist/` (.js) or from
 * source under tsx (.ts): the embedded database's thread (src/db/pglite-proxy.ts) and the intake's applier
 * thread (src/apply-worker/) both start this way.
 */
import { readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";
import { Worker, type WorkerOptions } from "node:worker_threads";

/** Starts `./<name>.js` (or `.ts` from source) beside the module `base` (its `import.meta.url`). */
export function startModuleWorker(
  base: string,
  name: string,
  options: Pick<WorkerOptions, "workerData" | "transferList">,
): Worker {
  const fromSource = base.endsWith(".ts");
  const file = new URL(`./${name}.${fromSource ? "ts" : "js"}`, base);
  if (!fromSource) return new Worker(file, options);
  // Node 20 loads a worker's entry file before tsx's `--import` hooks apply in that thread, so a .ts entry
  // fails with ERR_UNKNOWN_FILE_EXTENSION (privatenumber/tsx#354), also under vitest. Register tsx inside the
  // worker first, then import the file. tsx is a devDependency: only source runs get here.
  const tsx = import.meta.resolve("tsx/esm/api");
  const code = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); });`;
  return new Worker(code, { ...options, eval: true });
}

/**
 * Lowers this thread's CPU priority by `by` nice levels. With more runnable threads than cores (2 on CI), the
 * kernel then runs the main thread first, so request handling (Slack's 3-second acknowledgements) does not
 * wait for database work, which only queues a little longer. Linux only: setpriority() on a thread id
 * affects that thread alone; elsewhere (or if refused) the thread keeps its priority.
 */
export function lowerThreadPriority(by: number): void {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").at(-1));
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, Math.min(19, getPriority(tid) + by));
  } catch {
    // not Linux: stay at the process's priority
  }
}
