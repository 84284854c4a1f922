/** bench/results.md: the tables of a run, followed by the hand-written analysis (bench/analysis.md). */
import { existsSync, readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { type BenchResults, SECONDS } from "./config.ts";
import { ms } from "./lib.ts";

/** The report as Markdown; `t0` is when the run started (performance.now()). */
export function buildReport(results: BenchResults, t0: number): string {
  const bare = (rate: number, kind: string) =>
    results.load.find((r) => r.target === "bare Bolt" && r.rate === rate && r.kind === kind);
  const lines: string[] = [];
  lines.push("# Benchmark results", "");
  lines.push(
    `Measured ${new Date().toISOString().slice(0, 16)}Z on ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; ${SECONDS} s per rate; total run ${((performance.now() - t0) / 1000).toFixed(0)} s. Reproduce: \`npm run bench\`.`,
    "",
  );
  lines.push("## Acknowledgement latency (ms), signed requests over HTTP, open loop", "");
  lines.push(
    "| target | rate/s | kind | n | p50 | p95 | p99 | max | errors | p99 ÷ bare p99 |",
    "|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const r of results.load) {
    const b = bare(r.rate, r.kind);
    const ratio = r.target === "bare Bolt" || !b ? "" : (r.p99 / b.p99).toFixed(2);
    lines.push(
      `| ${r.target} | ${r.rate} | ${r.kind} | ${r.n} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ${ms(r.max)} | ${r.errors} | ${ratio} |`,
    );
  }
  lines.push(
    "",
    "Targets: p99 ÷ bare p99 ≤ 1.3 and p99 < 100 ms at 100 requests/s (Slack's hard limit is 3 s).",
    "",
  );
  lines.push(
    "## Tick to update (ms): from a checkbox tick to the `chat.update` reaching the Slack stand-in",
    "",
  );
  lines.push("| database | n | p50 | p95 | max |", "|---|---|---|---|---|");
  for (const [k, s] of Object.entries(results.tickToUpdate))
    lines.push(`| ${k} | ${s.n} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.max)} |`);
  lines.push("", "## Reminder fan-out (PostgreSQL, scheduler processes)", "");
  lines.push(
    "| instances | reminders | time to drain (ms) | reminders/s | rate-limit bound (ms) | duplicates | missing |",
    "|---|---|---|---|---|---|---|",
  );
  for (const f of results.fanout)
    lines.push(
      `| ${f.instances} | ${f.reminders} | ${ms(f.drainMs ?? Number.NaN)} | ${(f.perSecond ?? 0).toFixed(0)} | ${f.boundMs} | ${f.duplicates} | ${f.missing} |`,
    );
  lines.push("", "## Footprint", "");
  lines.push(
    "| database | start-up to healthy (ms) | RSS idle (MiB) | RSS under load, max (MiB) |",
    "|---|---|---|---|",
  );
  for (const [k, f] of Object.entries(results.footprint))
    lines.push(`| ${k} | ${ms(f.startupMs)} | ${f.rssIdle} | ${f.rssLoad} |`);
  lines.push("", `## Scale: ${results.scale.onboardings} onboardings in PostgreSQL`, "");
  lines.push("| operation | p50 (ms) | max (ms) |", "|---|---|---|");
  lines.push(
    `| \`/fleet status <company>\` → answer at response_url | ${ms(results.scale.statusP50 ?? Number.NaN)} | ${ms(results.scale.statusMax ?? Number.NaN)} |`,
  );
  lines.push(
    `| \`app_home_opened\` → \`views.publish\` of the rep's overview | ${ms(results.scale.homeP50 ?? Number.NaN)} | ${ms(results.scale.homeMax ?? Number.NaN)} |`,
  );
  // The hand-written analysis of the last full run (why a target is missed) follows the tables.
  const analysisFile = join(import.meta.dirname, "analysis.md");
  if (existsSync(analysisFile)) lines.push("", readFileSync(analysisFile, "utf8").trim());
  return `${lines.join("\n")}\n`;
}
