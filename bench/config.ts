/** The benchmark's settings (BENCH_* variables), its workspace and people, and the shape of its results. */
import { randomBytes } from "node:crypto";
import { createLogger } from "../src/logger.ts";
import type { summarize } from "./lib.ts";

export const QUICK = process.env.BENCH_QUICK === "1";
export const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 3 : 20));
export const RATES = (process.env.BENCH_RATES ?? "50,100,200").split(",").map(Number);
export const FANOUT = QUICK ? 200 : 2_000;
export const SCALE = QUICK ? 5_000 : 50_000;

export const HOME = { id: "T0FLEET", name: "Fleet", domain: "fleet" };
export const ACME = { id: "T0ACME", name: "Acme", domain: "acme" };
export const REP = { id: "U0REP", teamId: HOME.id, name: "rep", email: "rep@fleet.example" };
export const HR = { id: "U0HR", teamId: ACME.id, name: "hr", email: "hr@acme.example" };
export const secrets = {
  bot: `xoxb-bench-${randomBytes(8).toString("hex")}`,
  signing: randomBytes(16).toString("hex"),
  finch: randomBytes(16).toString("hex"),
  key: randomBytes(32).toString("base64"),
};
export const log = (line: string) => process.stdout.write(`${line}\n`);
export const quiet = createLogger({ level: "silent" });

/** One row of the acknowledgement-latency table. */
export interface LoadRow {
  target: string;
  rate: number;
  kind: string;
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  errors: number;
}

/** Everything the report prints. */
export interface BenchResults {
  load: LoadRow[];
  footprint: Record<string, { startupMs: number; rssIdle: number; rssLoad: number }>;
  tickToUpdate: Record<string, ReturnType<typeof summarize>>;
  fanout: Array<Record<string, number>>;
  scale: Record<string, number>;
}
