/**
 * One measured run: plan, send from the generator process, wait for the effects to drain, and turn the
 * raw times into a {@link LoadRow}. Database rows are joined later ({@link finishRow}): embedded PGlite can
 * only be read once the app that owns it has stopped.
 */
import type { SlackStandIn } from "../../src/sandbox/slack/index.ts";
import type { SlackDriver } from "../../src/sandbox/slack-driver/index.ts";
import { LATE_MS, type LoadRow, log } from "../config.ts";
import { cpuMs, ms, summarize } from "../lib.ts";
import type { EffectTracker } from "./effects.ts";
import { type Boxes, planRun, type RequestMeta, type Target } from "./load.ts";
import type { DoneMessage } from "./load-protocol.ts";

type Generator = {
  run: (rate: number, requests: import("./load-protocol.ts").PlannedRequest[]) => Promise<DoneMessage>;
};

/** What a run leaves to be joined with the database rows. */
export interface RawRun {
  row: LoadRow;
  done: DoneMessage;
  meta: RequestMeta[];
  updateAt: Map<number, number>;
  answerAt: Map<number, number>;
  interval: number;
}

/** Sends one run and, when `tracker` is given, waits (up to `drainMaxMs`) for its effects. */
export async function measureRun(input: {
  target: string;
  gen: Generator;
  driver: SlackDriver;
  slack: SlackStandIn;
  targets: Target[];
  boxes: Boxes;
  rate: number;
  seconds: number;
  tracker?: EffectTracker;
  onlyTicks?: boolean;
  drainMaxMs?: number;
  /** The target's process, whose CPU time per request is reported. */
  pid?: number;
}): Promise<RawRun> {
  const { target, rate, tracker } = input;
  const plan = planRun(input.driver, input.targets, input.boxes, rate, input.seconds, {
    onlyTicks: input.onlyTicks ?? false,
  });
  tracker?.expect(plan.meta);
  const cpuBefore = cpuMs(input.pid);
  const done = await input.gen.run(rate, plan.requests);
  const drained = tracker ? await tracker.drain(input.drainMaxMs ?? 60_000) : true;
  const cpuPerRequest = (cpuMs(input.pid) - cpuBefore) / plan.requests.length;
  // Start the next plan from what the checklists really show (a lost or reordered tick would skew it).
  if (tracker) input.boxes.sync(input.slack, input.targets);
  // The stand-in keeps every call's arguments (whole checklists): forget them between runs.
  input.slack.calls.length = 0;
  const acks = done.results.map((r) => r[1]);
  const byKind = (kind: string) =>
    done.results.filter((_, i) => plan.meta[i]?.kind === kind).map((r) => r[1]);
  const row: LoadRow = {
    target,
    rate,
    n: done.results.length,
    ack: summarize(acks),
    ackCommand: summarize(byKind("command")),
    ackTick: summarize(byKind("tick")),
    lateStarts: done.results.filter((r) => r[0] > LATE_MS).length,
    maxLateMs: Math.max(0, ...done.results.map((r) => r[0])),
    errors: done.results.filter((r) => r[2] !== 200).length,
    over3s: acks.filter((a) => a > 3_000).length,
    cpuMsPerRequest: cpuPerRequest,
  };
  const raw: RawRun = {
    row,
    done,
    meta: plan.meta,
    updateAt: new Map(tracker?.updateAt ?? []),
    answerAt: new Map(tracker?.answerAt ?? []),
    interval: 1000 / rate,
  };
  if (tracker) {
    finishRow(raw, undefined);
    const c = raw.row.completion;
    row.ackSaturated = row.ack.p99 > 1_000 || row.errors > 0.01 * row.n;
    row.saturated = row.ackSaturated || (c !== undefined && c.all.p99 > 5_000) || !drained;
  }
  log(
    `  ${target} @ ${rate}/s: ack p50 ${ms(row.ack.p50)} p99 ${ms(row.ack.p99)} max ${ms(row.ack.max)} ms, errors ${row.errors}, late starts ${row.lateStarts} (max ${ms(row.maxLateMs)} ms), CPU ${ms(cpuPerRequest)} ms/request` +
      (row.completion
        ? `; done p99 ${ms(row.completion.all.p99)} ms, chat.update p99 ${ms(row.completion.update.p99)} ms, backlog at end ${row.completion.backlogAtEnd}, drained +${ms(row.completion.drainMs)} ms, superseded ${row.completion.superseded}, missing ${row.completion.missing} (updates ${row.completion.missingUpdates}, answers ${row.completion.missingAnswers})${drained ? "" : ", NOT DRAINED"}`
        : ""),
  );
  for (const e of done.errorSamples ?? []) {
    log(
      `    error: request ${e.index} (${plan.meta[e.index]?.kind ?? "?"}) → ${e.status || "no answer"}: ${e.detail}`,
    );
  }
  row.errorSamples = (done.errorSamples ?? []).map(
    (e) => `${plan.meta[e.index]?.kind ?? "?"} → ${e.status || "no answer"}: ${e.detail}`,
  );
  return raw;
}

/**
 * Fills `raw.row.completion` from the tracked effects and (when given) the `tick` rows by user id. Without
 * rows, the ticks that are not checks count by their chat.update only if they have one (the live view).
 */
export function finishRow(raw: RawRun, rows: Map<string, number> | undefined): void {
  const { done, meta, interval } = raw;
  const scheduled = (i: number) => done.startEpochMs + i * interval;
  const update: number[] = [];
  const row: number[] = [];
  const answer: number[] = [];
  const all: number[] = [];
  let backlogAtEnd = 0;
  let missing = 0;
  let superseded = 0;
  const lost = { update: 0, row: 0, answer: 0 };
  let lastEffect = done.endEpochMs;
  // Each request's effect (undefined: none appeared); a tick's is the latest of its chat.update and row.
  const effects = meta.map((m, i): number | undefined => {
    if (m.kind === "command") {
      const a = raw.answerAt.get(i);
      if (a !== undefined) answer.push(a - scheduled(i));
      else lost.answer++;
      return a;
    }
    const u = m.checked ? raw.updateAt.get(i) : undefined;
    if (u !== undefined) update.push(u - scheduled(i));
    const r = rows?.get(m.userId);
    if (r !== undefined) row.push(r - scheduled(i));
    const needed = [m.checked ? u : null, rows ? r : null].filter((x) => x !== null);
    if (needed.length === 0) return Number.NaN; // nothing observable without the rows (an uncheck, live)
    return needed.includes(undefined) ? undefined : Math.max(...(needed as number[]));
  });
  // The slot's last tick with an effect: an earlier click without its own was overtaken by a later one on
  // the same box (both arrived before the app applied the first: it shows only the newer state).
  const lastWithEffect = new Map<string, number>();
  meta.forEach((m, i) => {
    if (m.kind === "tick" && effects[i] !== undefined) lastWithEffect.set(m.slot, i);
  });
  meta.forEach((m, i) => {
    const effect = effects[i];
    if (effect === undefined) {
      if (m.kind === "tick" && (lastWithEffect.get(m.slot) ?? -1) > i) {
        superseded++;
        return;
      }
      missing++;
      backlogAtEnd++;
      if (m.kind === "tick") {
        if (process.env.BENCH_DEBUG) log(`    no effect: request ${i} ${JSON.stringify(m)}`);
        if (m.checked && !raw.updateAt.has(i)) lost.update++;
        if (rows && !rows.has(m.userId)) lost.row++;
      }
      return;
    }
    if (Number.isNaN(effect)) return;
    all.push(effect - scheduled(i));
    if (effect > done.endEpochMs) backlogAtEnd++;
    lastEffect = Math.max(lastEffect, effect);
  });
  raw.row.completion = {
    update: summarize(update),
    row: summarize(row),
    answer: summarize(answer),
    all: summarize(all),
    backlogAtEnd,
    drainMs: lastEffect - done.endEpochMs,
    missing,
    superseded,
    missingUpdates: lost.update,
    missingRows: lost.row,
    missingAnswers: lost.answer,
  };
}
