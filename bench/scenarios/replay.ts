/** 5. Replay: deliveries spooled during an outage, replayed by three replicas — time to drain, exactly once. */
import { type BenchResults, log, QUICK } from "../config.ts";
import { measureReplay, type ReplayResult } from "../support/replay.ts";

/** REPLAY deliveries (10,000; BENCH_QUICK: 600) over three replicas, on PostgreSQL and embedded PGlite. */
export async function runReplay(results: BenchResults): Promise<void> {
  const count = Number(process.env.BENCH_REPLAY ?? (QUICK ? 600 : 10_000));
  const rows: ReplayResult[] = [];
  for (const kind of ["postgres", "pglite"] as const) {
    log(`replay: ${count} spooled deliveries, 3 replicas, ${kind}`);
    const row = await measureReplay({ kind, count, replicas: 3, workMs: 1 });
    log(
      `  drained in ${(row.drainMs / 1000).toFixed(1)} s (${Math.round(count / (row.drainMs / 1000))}/s); ` +
        `${row.duplicates} duplicates, ${row.missing} missing`,
    );
    rows.push(row);
  }
  results.sections.push({
    title: "Replay after an outage (issue 22)",
    lines: [
      `${count} deliveries spooled during an outage, spread over the spools of three replicas (one intake each; on`,
      "PGlite three intakes in one process, as PGlite takes one process). The database comes back; every replica",
      "replays its spool and applies what is due (1 ms of work each). Time from the start to an empty intake.",
      "",
      "| Database | Deliveries | Replicas | Time to drain | Rate | Duplicates | Missing |",
      "|---|---:|---:|---:|---:|---:|---:|",
      ...rows.map(
        (r) =>
          `| ${r.kind} | ${r.count} | ${r.replicas} | ${(r.drainMs / 1000).toFixed(1)} s | ${Math.round(r.count / (r.drainMs / 1000))}/s | ${r.duplicates} | ${r.missing} |`,
      ),
    ],
  });
}
