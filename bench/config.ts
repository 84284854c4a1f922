/** The benchmark's settings (BENCH_* variables), its workspace and people, and the shape of its results. */
import { randomBytes } from "node:crypto";
import { createLogger } from "../src/logger.ts";

export const QUICK = process.env.BENCH_QUICK === "1";
export const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 3 : 15));
/** The saturation ladder: rates stepped up until a limit breaks (bounded by the list). */
export const RATES = (process.env.BENCH_RATES ?? "25,50,100,150,200,300,400,600,800").split(",").map(Number);
/** A start later than this after its scheduled time counts as a late start. */
export const LATE_MS = 5;
/** Onboarded customers whose checklists the load ticks, per database. */
export const CHANNELS = Number(process.env.BENCH_CHANNELS ?? (QUICK ? 8 : 30));
/** Which scenarios run (BENCH_SCENARIOS=load,footprint,fanout,scale,replay; default all; results.md only for all). */
export const SCENARIOS = new Set(
  (process.env.BENCH_SCENARIOS ?? "load,footprint,fanout,scale,replay").split(","),
);
/** Which databases the load runs on (BENCH_DATABASES=pglite,postgres; default both). */
export const DATABASES = (process.env.BENCH_DATABASES ?? "pglite,postgres")
  .split(",")
  .filter((d): d is "pglite" | "postgres" => d === "pglite" || d === "postgres");
export const FANOUT = QUICK ? 200 : 2_000;
export const SCALE = Number(process.env.BENCH_SCALE ?? (QUICK ? 5_000 : 500_000));

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

/** p50/p95/p99/max of a list of milliseconds (see summarize in lib.ts). */
export interface Stats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** One open-loop run at one rate against one target. Latencies count from each request's scheduled time. */
export interface LoadRow {
  /** "bare Bolt", "app (pglite)", "app (postgres)". */
  target: string;
  rate: number;
  /** Requests sent (half `/fleet status`, half ticks, except the tick-only run). */
  n: number;
  ack: Stats;
  ackCommand: Stats;
  ackTick: Stats;
  /** Requests that started more than LATE_MS after their scheduled time, and the worst lateness. */
  lateStarts: number;
  maxLateMs: number;
  /** Non-200 answers, network errors and no answer within 10 s. */
  errors: number;
  /** What the first few of those said (request kind → status: body or network error). */
  errorSamples?: string[];
  /** Answers after Slack's 3 s (Slack would show an error and retry). */
  over3s: number;
  /** CPU time the target's process used per request (the run and its drain; PGlite's worker included). */
  cpuMsPerRequest: number;
  /** Completion (the app only): scheduled send → effect. */
  completion?: Completion;
  /** This rate broke a limit (ack p99 > 1 s, errors > 1 %, completion p99 > 5 s, or effects still arriving
   * 60 s after the load): from 100/s on, the ladder stops at such a rate. */
  saturated?: boolean;
  /** The acknowledgements broke their limit (ack p99 > 1 s or errors > 1 %). */
  ackSaturated?: boolean;
}

/** Scheduled send → effect, and the work left when the load stopped. */
export interface Completion {
  /** Check → the first chat.update showing it at the Slack stand-in. */
  update: Stats;
  /** Tick → its row in the `tick` table (the app's clock at the write). */
  row: Stats;
  /** `/fleet status` → its answer at the response_url. */
  answer: Stats;
  /** All effects together (the latest of each request's effects). */
  all: Stats;
  /** Requests whose effect had not appeared when the last request was due. */
  backlogAtEnd: number;
  /** Last effect − last scheduled send (ms): how long the queued work took to drain. */
  drainMs: number;
  /** Effects that never appeared (within the drain wait): work still queued or lost. */
  missing: number;
  /** Ticks without an effect of their own because a later click on the same box overtook them. */
  superseded: number;
  /** The missing, by effect: checks without their chat.update, ticks without a row, commands without an answer. */
  missingUpdates: number;
  missingRows: number;
  missingAnswers: number;
}

/** The headline figures per database, for the summary table. */
export interface Headline {
  target: string;
  /** The first rate that broke a limit (undefined: none up to the top of the ladder). */
  saturationRate?: number;
  saturationAckP99?: number;
  /** The first rate whose acknowledgements broke a limit (ack p99 > 1 s or errors > 1 %). */
  ackSaturationRate?: number;
  /** The worst ack p99 of the whole ladder (Slack's limit is 3 s). */
  worstAckP99?: number;
  ackP99At100?: number;
  ratioAt100?: number;
  /** Highest rate whose completion p99 (all effects) stayed under 1 s. */
  completionUnder1s?: number;
  /** Check → chat.update p95 at 10 ticks/s. */
  tickToUpdateP95?: number;
}

/** A section another scenario adds to the report: a title and its Markdown lines. */
export interface ReportSection {
  title: string;
  lines: string[];
}

/** Everything the report prints. */
export interface BenchResults {
  load: LoadRow[];
  headlines: Headline[];
  /** Tick-only runs at 10 ticks/s, by database. */
  tickToUpdate: Record<string, LoadRow>;
  /** Machine load while the bench ran (1-minute loadavg samples). */
  loadavg: number[];
  footprint: Record<string, { startupMs: number; rssIdle: number; rssLoad: number }>;
  fanout: Array<Record<string, number>>;
  scale: Record<string, number>;
  /** Further sections, rendered in order after the built-in ones. */
  sections: ReportSection[];
}
