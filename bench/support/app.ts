/** The app under test, started as its own process exactly as `npm start` starts it, against the stand-ins. */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { StandIns } from "../../src/sandbox/stand-ins.ts";
import { freePort } from "../../src/sandbox/support/free-port.ts";
import { secrets } from "../config.ts";

/** The app's environment against the stand-ins and the given database. */
export function appEnv(
  standIns: StandIns,
  port: number,
  db: { url?: string; dataDir?: string },
): Record<string, string> {
  return {
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    PORT: String(port),
    HOST: "127.0.0.1",
    SLACK_BOT_TOKEN: secrets.bot,
    SLACK_SIGNING_SECRET: secrets.signing,
    SLACK_API_URL: standIns.slack.url,
    FINCH_CLIENT_ID: "bench",
    FINCH_CLIENT_SECRET: secrets.finch,
    FINCH_BASE_URL: standIns.finch.url,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    TOKEN_ENCRYPTION_KEY: secrets.key,
    INTEGRATION_USER_EMAIL: "int+{slug}@fleet.example",
    SCHEDULER_ENABLED: "false",
    HTTP_DRAIN_MS: "0",
    // Tuning experiments: INTAKE_* settings given to the bench reach the app.
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("INTAKE_"))),
    ...(db.url ? { DATABASE_URL: db.url } : { DATA_DIR: db.dataDir ?? "" }),
  };
}

const ROOT = join(import.meta.dirname, "..", "..");
let startCommand: string[] | undefined;

/**
 * The node arguments of package.json's `start` script, after running its `prestart` (the build, a no-op
 * when dist/ is current). The app is then spawned with them directly rather than through `npm start`: the
 * figures are the app's own (npm would add its own start-up and be the measured pid), with the very
 * command, flags and compiled code `npm start` runs. Built once per bench run, as a deploy builds once.
 */
function npmStartCommand(): string[] {
  if (startCommand) return startCommand;
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const [bin, ...args] = (pkg.scripts.start ?? "").trim().split(/\s+/);
  if (bin !== "node") throw new Error(`bench: expected package.json's start script to run node, got ${bin}`);
  if (pkg.scripts.prestart) {
    const built = spawnSync("npm", ["run", "--silent", "prestart"], { cwd: ROOT, stdio: "inherit" });
    if (built.status !== 0) throw new Error("bench: npm run prestart failed");
  }
  startCommand = args;
  return args;
}

/** Starts the real app as `npm start` does; returns it with its start-up time to a healthy /healthz. */
export async function startApp(standIns: StandIns, db: { url?: string; dataDir?: string }) {
  const args = npmStartCommand();
  const port = await freePort();
  const started = performance.now();
  // The app logs JSON, so readiness is polled on /healthz (what a load balancer does).
  // BENCH_APP_NODE_ARGS go to the app's Node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it under load.
  const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...appEnv(standIns, port, db) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) break;
    } catch {
      // not yet listening
    }
    if (performance.now() - started > 60_000) throw new Error("the app did not become healthy");
    await new Promise((r) => setTimeout(r, 25));
  }
  return { proc, url, startupMs: performance.now() - started };
}
