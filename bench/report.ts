/**
 * bench/results.md: the figures of the run that writes it, with its date and machine — and nothing else.
 * The analysis lives in dated documents under docs/bench/ that quote these figures.
 *
 * Sections: the built-in ones below, then `results.sections` in order (a scenario adds a section by
 * pushing `{ title, lines }` there; fan-out, footprint and scale keep their own fields and tables).
 */
import { execSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { performance } from "node:perf_hooks";
import { type BenchResults, type Headline, LATE_MS, type LoadRow, SECONDS } from "./config.ts";
import { ms } from "./lib.ts";

const APP_TARGETS = ["app (pglite)", "app (postgres)"];

/** The headline figures of each database, from the rows of this run. */
export function headlines(results: BenchResults): Headline[] {
  const bare = (rate: number) => results.load.find((r) => r.target === "bare Bolt" && r.rate === rate);
  return APP_TARGETS.map((target) => {
    const rows = results.load.filter((r) => r.target === target);
    const saturated = rows.find((r) => r.saturated);
    const ackSaturated = rows.find((r) => r.ackSaturated);
    const at100 = rows.find((r) => r.rate === 100);
    const b100 = bare(100);
    const under1s = rows.filter(
      (r) => r.completion && r.completion.all.p99 < 1_000 && r.completion.missing === 0,
    );
    const kind = target.slice(5, -1);
    return {
      target,
      ...(saturated ? { saturationRate: saturated.rate, saturationAckP99: saturated.ack.p99 } : {}),
      ...(ackSaturated ? { ackSaturationRate: ackSaturated.rate } : {}),
      ...(rows.length ? { worstAckP99: Math.max(...rows.map((r) => r.ack.p99)) } : {}),
      ...(at100 ? { ackP99At100: at100.ack.p99 } : {}),
      ...(at100 && b100 ? { ratioAt100: at100.ack.p99 / b100.ack.p99 } : {}),
      ...(under1s.length ? { completionUnder1s: Math.max(...under1s.map((r) => r.rate)) } : {}),
      ...(results.tickToUpdate[kind]?.completion
        ? { tickToUpdateP95: results.tickToUpdate[kind].completion.update.p95 }
        : {}),
    };
  });
}

function commit(): string {
  try {
    return execSync("git rev-parse --short HEAD", { encoding: "utf8" }).trim();
  } catch {
    return "?";
  }
}

const verdict = (value: number | undefined, limit: number) =>
  value === undefined || !Number.isFinite(value) ? "–" : value < limit ? "met" : "missed";

/** The report as Markdown; `t0` is when the run started (performance.now()). */
export function buildReport(results: BenchResults, t0: number): string {
  const lines: string[] = [];
  const avg = results.loadavg;
  const cpu = cpus();
  lines.push("# Benchmark results", "");
  lines.push(
    `Measured ${new Date().toISOString().slice(0, 16)}Z at commit ${commit()} on ${cpu.length} cores (${cpu[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}; ${SECONDS} s per rate; total run ${((performance.now() - t0) / 1000).toFixed(0)} s. 1-minute load average during the run: min ${Math.min(...avg).toFixed(2)}, mean ${(avg.reduce((a, b) => a + b, 0) / Math.max(1, avg.length)).toFixed(2)}, max ${Math.max(...avg).toFixed(2)} (${avg.length} samples). Reproduce: \`npm run bench\`. Analysis: docs/bench/.`,
    "",
    "Every latency counts from the request's SCHEDULED send time (open loop, generator in its own process).",
    "",
  );
  lines.push("## Summary", "");
  lines.push(
    "| database | saturation rate/s (first limit broken) | ack p99 there (< 3 s) | rate/s where acks broke (p99 > 1 s or errors) | worst ack p99 of the ladder | ack p99 at 100/s (< 100 ms) | ÷ bare Bolt at 100/s (≤ 2) | highest rate/s with completion p99 < 1 s | check → chat.update p95 at 10 ticks/s (< 50 ms) |",
    "|---|---|---|---|---|---|---|---|---|",
  );
  for (const h of headlines(results)) {
    lines.push(
      `| ${h.target.slice(5, -1)} | ${h.saturationRate ?? "none up to the top of the ladder"} | ${ms(h.saturationAckP99 ?? Number.NaN)} (${verdict(h.saturationAckP99, 3_000)}) | ${h.ackSaturationRate ?? "none"} | ${ms(h.worstAckP99 ?? Number.NaN)} | ${ms(h.ackP99At100 ?? Number.NaN)} (${verdict(h.ackP99At100, 100)}) | ${h.ratioAt100?.toFixed(2) ?? "–"} (${verdict(h.ratioAt100, 2.0001)}) | ${h.completionUnder1s ?? "none"} | ${ms(h.tickToUpdateP95 ?? Number.NaN)} (${verdict(h.tickToUpdateP95, 50)}) |`,
    );
  }
  lines.push("", ...ackTable(results.load), "", ...completionTable(results.load), "");
  lines.push("## Check → chat.update at 10 ticks/s (ms, from the scheduled send)", "");
  lines.push(
    "| database | checks | p50 | p95 | p99 | max | tick → `tick` row p95 | ack p99 | late starts | missing |",
    "|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const [k, r] of Object.entries(results.tickToUpdate)) {
    const c = r.completion;
    if (!c) continue;
    lines.push(
      `| ${k} | ${c.update.n} | ${ms(c.update.p50)} | ${ms(c.update.p95)} | ${ms(c.update.p99)} | ${ms(c.update.max)} | ${ms(c.row.p95)} | ${ms(r.ack.p99)} | ${r.lateStarts} | ${c.missing} |`,
    );
  }
  lines.push(...legacySections(results));
  for (const s of results.sections) lines.push("", `## ${s.title}`, "", ...s.lines);
  return `${lines.join("\n")}\n`;
}

function ackTable(load: LoadRow[]): string[] {
  const bare = (rate: number) => load.find((r) => r.target === "bare Bolt" && r.rate === rate);
  const lines = [
    "## Acknowledgement latency (ms): signed Slack requests over HTTP, half `/fleet status`, half checklist ticks",
    "",
    `| target | rate/s | n | p50 | p95 | p99 | max | command p99 | tick p99 | late starts (> ${LATE_MS} ms) | max lateness | errors | > 3 s | CPU ms/request | p99 ÷ bare p99 |`,
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of load) {
    const b = bare(r.rate);
    const ratio = r.target === "bare Bolt" || !b ? "" : (r.ack.p99 / b.ack.p99).toFixed(2);
    lines.push(
      `| ${r.target}${r.saturated ? " (saturated)" : ""} | ${r.rate} | ${r.n} | ${ms(r.ack.p50)} | ${ms(r.ack.p95)} | ${ms(r.ack.p99)} | ${ms(r.ack.max)} | ${ms(r.ackCommand.p99)} | ${ms(r.ackTick.p99)} | ${r.lateStarts} | ${ms(r.maxLateMs)} | ${r.errors} | ${r.over3s} | ${ms(r.cpuMsPerRequest)} | ${ratio} |`,
    );
  }
  const failed = load.filter((r) => (r.errorSamples ?? []).length > 0);
  if (failed.length > 0) {
    lines.push("", "Answers other than 200 (the first few of each run, as the generator received them):", "");
    for (const r of failed) {
      for (const e of r.errorSamples ?? [])
        lines.push(`- ${r.target} @ ${r.rate}/s: ${e.replaceAll("|", "\\|")}`);
    }
  }
  return lines;
}

function completionTable(load: LoadRow[]): string[] {
  const lines = [
    "## Completion (ms): scheduled send → effect, and the work left when the load stopped",
    "",
    "| target | rate/s | check → chat.update p50 / p95 / p99 | tick → `tick` row p50 / p95 / p99 | status → response_url p99 | all effects p99 | backlog at end | drained after | overtaken | missing | queued work |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of load) {
    const c = r.completion;
    if (!c) continue;
    const queued =
      c.missing > 0
        ? `**${c.missing} effects never appeared**`
        : c.drainMs > 1_000
          ? "queued, drained"
          : "no";
    lines.push(
      `| ${r.target} | ${r.rate} | ${ms(c.update.p50)} / ${ms(c.update.p95)} / ${ms(c.update.p99)} | ${ms(c.row.p50)} / ${ms(c.row.p95)} / ${ms(c.row.p99)} | ${ms(c.answer.p99)} | ${ms(c.all.p99)} | ${c.backlogAtEnd} | ${ms(c.drainMs)} | ${c.superseded} | ${c.missing} | ${queued} |`,
    );
  }
  return lines;
}

/** Fan-out, footprint and scale: the tables their scenarios fill in. */
function legacySections(results: BenchResults): string[] {
  const lines: string[] = ["", "## Reminder fan-out (PostgreSQL, scheduler processes)", ""];
  lines.push(
    "| instances | reminders | time to drain (ms) | reminders/s | rate-limit bound (ms) | CPU ms per reminder | duplicates | missing |",
    "|---|---|---|---|---|---|---|---|",
  );
  for (const f of results.fanout)
    lines.push(
      `| ${f.instances} | ${f.reminders} | ${ms(f.drainMs ?? Number.NaN)} | ${(f.perSecond ?? 0).toFixed(0)} | ${f.boundMs} | ${f.cpuMsPerReminder?.toFixed(2) ?? "–"} | ${f.duplicates} | ${f.missing} |`,
    );
  lines.push("", "## Footprint", "");
  lines.push(
    "| database | start-up to healthy (ms) | RSS idle (MiB) | RSS under load, max (MiB) |",
    "|---|---|---|---|",
  );
  for (const [k, f] of Object.entries(results.footprint))
    lines.push(`| ${k} | ${ms(f.startupMs)} | ${ms(f.rssIdle)} | ${ms(f.rssLoad)} |`);
  lines.push("", `## Scale: ${results.scale.onboardings} onboardings in PostgreSQL`, "");
  const sc = results.scale;
  const cell = (v: number | undefined) => ms(v ?? Number.NaN);
  lines.push(
    "| operation | samples | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |",
    "|---|---|---|---|---|---|",
  );
  lines.push(
    `| \`/fleet status <company>\` → answer at response_url | ${sc.samples ?? "–"} | ${cell(sc.statusP50)} | ${cell(sc.statusP95)} | ${cell(sc.statusP99)} | ${cell(sc.statusMax)} |`,
  );
  lines.push(
    `| \`app_home_opened\` → \`views.publish\` of the rep's overview | ${sc.samples ?? "–"} | ${cell(sc.homeP50)} | ${cell(sc.homeP95)} | ${cell(sc.homeP99)} | ${cell(sc.homeMax)} |`,
  );
  if (sc.healthP99 !== undefined) {
    lines.push(
      `| daily health re-check: selection of due connections | ${sc.samples ?? "–"} | ${cell(sc.healthP50)} | ${cell(sc.healthP95)} | ${cell(sc.healthP99)} | ${cell(sc.healthMax)} |`,
      `| analytics report taken live (4 weeks, every query: the snapshot's refresh) | ${sc.reportSamples ?? "–"} | ${cell(sc.reportP50)} | ${cell(sc.reportP95)} | ${cell(sc.reportP99)} | ${cell(sc.reportMax)} |`,
      `| ${"`"}/fleet report 4${"`"} → answer at response_url (from the snapshot; the first, taken live: ${cell(sc.reportCommandFirstMs)} ms) | ${sc.samples ?? "–"} | ${cell(sc.reportCommandP50)} | ${cell(sc.reportCommandP95)} | ${cell(sc.reportCommandP99)} | ${cell(sc.reportCommandMax)} |`,
      "",
      `Seeded in ${cell(sc.seedMs)} ms (set-based). Query plans: docs/bench/scale-plans.md.`,
    );
  }
  return lines;
}
