/**
 * The real app as a process of its own (`node --import tsx src/main.ts`), for tests where replicas must not
 * share a Node process (module state, timers, the event loop) or where a process dies (SIGKILL). It gets an
 * explicit environment (nothing inherited but PATH), a free PORT and a DATA_DIR; start-up waits for
 * `GET /healthz` to answer 200. Every line it prints is kept for `logs()`. Processes still running when the
 * test process exits are killed (SIGKILL), so none outlives its test file; stop them in the test's teardown
 * (the harness does for `h.startProcess()`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../../src/sandbox/support/free-port.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A running app process. */
export interface AppProcess {
  /** http://127.0.0.1:<port> (no trailing slash). */
  url: string;
  port: number;
  pid: number;
  /** The DATA_DIR it runs with (pass it to the next process to reuse the embedded database). */
  dataDir: string;
  /** Everything it printed on stdout and stderr so far. */
  logs(): string;
  /** Its JSON log lines (pino) so far, parsed; other lines are left out. */
  logLines(): Array<Record<string, unknown>>;
  /** SIGTERM, then waits for the exit; resolves with the exit code (null if a signal ended it). */
  stop(): Promise<number | null>;
  /** SIGKILL (no graceful stop at all), then waits for the exit. */
  kill(): Promise<void>;
}

export interface AppProcessOptions {
  /** The app's environment (PORT, HOST, PUBLIC_URL and DATA_DIR are filled in unless given). */
  env: Record<string, string>;
  /** Names the process in error messages. */
  label?: string;
  /** Longest wait for /healthz (default 60 s: two shared cores, tsx compiling the app on start). */
  startTimeoutMs?: number;
}

const running = new Set<ChildProcess>();
/** DATA_DIRs this helper made: kept for restarts until the test process exits. */
const madeDirs = new Set<string>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
  for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true });
});

/** Starts `src/main.ts` in a child process and resolves once it answers /healthz with 200. */
export async function startAppProcess(options: AppProcessOptions): Promise<AppProcess> {
  const label = options.label ?? "app";
  const port = options.env.PORT ? Number(options.env.PORT) : await freePort();
  let dataDir = options.env.DATA_DIR;
  if (!dataDir) {
    dataDir = mkdtempSync(join(tmpdir(), "fc-proc-"));
    madeDirs.add(dataDir);
  }
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOST: "127.0.0.1",
      PUBLIC_URL: `${url}/`,
      ...options.env,
      PORT: String(port),
      DATA_DIR: dataDir,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += String(d);
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += String(d);
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const signal = async (sig: NodeJS.Signals): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    return exited;
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${label} exited (${child.exitCode ?? child.signalCode}) before it was healthy:\n${out}`,
      );
    }
    if (Date.now() > deadline) {
      await signal("SIGKILL");
      throw new Error(`${label} was not healthy on ${url} in time:\n${out}`);
    }
    const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    port,
    pid: child.pid ?? 0,
    dataDir,
    logs: () => out,
    logLines: () =>
      out.split("\n").flatMap((line) => {
        if (!line.startsWith("{")) return [];
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    stop: () => signal("SIGTERM"),
    kill: async () => {
      await signal("SIGKILL");
    },
  };
}
