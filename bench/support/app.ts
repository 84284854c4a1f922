/** The app under test, started as its own process (the real src/main.ts) against the stand-ins. */
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import type { StandIns } from "../../src/sandbox/stand-ins.ts";
import { secrets } from "../config.ts";
import { freePort } from "./free-port.ts";

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
    // Tuning experiments: INTAKE_* settings given to the bench reach the app.
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("INTAKE_"))),
    ...(db.url ? { DATABASE_URL: db.url } : { DATA_DIR: db.dataDir ?? "" }),
  };
}

/** Starts the real app; returns it with its start-up time to a healthy /healthz. */
export async function startApp(standIns: StandIns, db: { url?: string; dataDir?: string }) {
  const port = await freePort();
  const started = performance.now();
  // The app logs JSON, so readiness is polled on /healthz (what a load balancer does).
  // BENCH_APP_NODE_ARGS go to the app's Node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it under load.
  const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "src/main.ts"], {
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
