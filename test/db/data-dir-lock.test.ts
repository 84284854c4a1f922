/**
 * One process per embedded database (src/db/data-dir-lock.ts): a second app, or `migrate-cli`, on a DATA_DIR
 * another process has open stops at once with a message naming the holder, and never opens PGlite.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { DataDirBusy, lockDataDir } from "../../src/db/data-dir-lock.ts";
import { type AppProcess, startAppProcess } from "../helpers/app-process.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "fc-lock-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs a script of the app to its end; resolves with its exit code, how long it took and what it printed. */
function run(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; ms: number; out: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += String(d);
    });
    child.stderr.on("data", (d: Buffer) => {
      out += String(d);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, ms: performance.now() - started, out });
    });
  });
}

/** What an HTTP-mode app needs to get past its configuration (it stops before using any of it). */
const httpModeEnv = (dataDir: string) => ({
  DATA_DIR: dataDir,
  SLACK_BOT_TOKEN: "xoxb-not-used",
  SLACK_SIGNING_SECRET: "not-used",
  FINCH_CLIENT_ID: "not-used",
  FINCH_CLIENT_SECRET: "not-used",
  PUBLIC_URL: "http://127.0.0.1:9/",
  TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
  INTEGRATION_USER_EMAIL: "int@fleet.example",
  PORT: "0",
  LOG_LEVEL: "info",
});

describe("one process per DATA_DIR", () => {
  let holder: AppProcess | undefined;
  afterAll(async () => {
    await holder?.stop();
  });

  it("a second app and migrate-cli on a live app's DATA_DIR stop at once, naming the holder", async () => {
    const dataDir = freshDir();
    // The holder: a running app (sandbox mode needs no outside services) on its embedded database.
    holder = await startAppProcess({ env: { DATA_DIR: dataDir, LOG_LEVEL: "warn" }, label: "holder" });
    const second = await run("src/main.ts", httpModeEnv(dataDir));
    expect(second.code).toBe(1);
    expect(second.out).toContain("is in use by");
    expect(second.out).toContain(`pid ${holder.pid}`);
    const migrate = await run("src/cli/migrate-cli.ts", httpModeEnv(dataDir));
    expect(migrate.code).toBe(1);
    expect(migrate.out).toContain(`pid ${holder.pid}`);
    // The holder was not disturbed.
    expect((await fetch(`${holder.url}/healthz`)).status).toBe(200);
    // Once it has stopped, the release step runs.
    expect(await holder.stop()).toBe(0);
    holder = undefined;
    const after = await run("src/cli/migrate-cli.ts", httpModeEnv(dataDir));
    expect(after.out).toContain("database is up to date");
    expect(after.code).toBe(0);
  }, 180_000);

  it("in one process: a second open is refused while the first holds it, and free after release", () => {
    const dataDir = freshDir();
    const lock = lockDataDir(dataDir);
    expect(() => lockDataDir(dataDir)).toThrow(DataDirBusy);
    expect(() => lockDataDir(dataDir)).toThrow(new RegExp(`pid ${process.pid}`));
    lock.release();
    lockDataDir(dataDir).release();
  });

  it("a lock left by a process of this host that is gone is taken over at once", () => {
    const dataDir = freshDir();
    mkdirSync(join(dataDir, "fleet.lock"));
    const old = new Date(Date.now() - 5_000);
    utimesSync(join(dataDir, "fleet.lock"), old, old);
    // A pid far above any pid_max in use: no such process.
    writeFileSync(
      join(dataDir, "fleet.lock.owner.json"),
      JSON.stringify({ pid: 99_999_999, host: hostname(), program: "main.js", since: old.toISOString() }),
    );
    const lock = lockDataDir(dataDir);
    lock.release();
    expect(existsSync(join(dataDir, "fleet.lock"))).toBe(false);
  });

  it("a fresh lock of a holder elsewhere is respected", () => {
    const dataDir = freshDir();
    mkdirSync(join(dataDir, "fleet.lock"));
    writeFileSync(
      join(dataDir, "fleet.lock.owner.json"),
      JSON.stringify({ pid: 1234, host: "other-host", program: "main.js", since: new Date().toISOString() }),
    );
    expect(() => lockDataDir(dataDir)).toThrow(/main\.js \(pid 1234 on other-host/);
  });
});
