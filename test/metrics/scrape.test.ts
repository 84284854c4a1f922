/**
 * The scrape reader keeps a labelled histogram's series apart (the metrics tests read
 * `fleet_intake_apply_seconds{outcome}` and `fleet_reminder_lag_seconds{kind}` this way; before 2026-12-07 it
 * read only the first label set's `_count`/`_sum`, the others as 0), and the parser alone still drops those
 * labels: when it stops doing so, the rewrite in scrape.ts can go.
 */
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { parseScrape } from "./scrape.ts";

async function sampleText(): Promise<string> {
  const registry = new Registry();
  const lag = new Histogram({
    name: "lag_seconds",
    help: "h",
    labelNames: ["kind"],
    buckets: [0.1, 1],
    registers: [registry],
  });
  lag.observe({ kind: "day_before" }, 0.05);
  lag.observe({ kind: "nudge" }, 0.5);
  lag.observe({ kind: "nudge" }, 2);
  const calls = new Counter({
    name: "calls_total",
    help: "c",
    labelNames: ["method", "outcome"],
    registers: [registry],
  });
  calls.inc({ method: "chat.postMessage", outcome: "rate_limited" }, 3);
  return registry.metrics();
}

describe("reading a scrape", () => {
  it("reads each label set of a histogram on its own, and counters by label", async () => {
    const scrape = parseScrape(await sampleText());
    expect(scrape.histogram("lag_seconds", { kind: "day_before" })).toEqual({ count: 1, sum: 0.05 });
    expect(scrape.histogram("lag_seconds", { kind: "nudge" })).toEqual({ count: 2, sum: 2.5 });
    expect(scrape.histogram("lag_seconds")).toEqual({ count: 3, sum: 2.55 });
    expect(scrape.value("lag_seconds_bucket", { kind: "nudge", le: "1" })).toBe(1);
    expect(scrape.value("calls_total", { method: "chat.postMessage", outcome: "rate_limited" })).toBe(3);
  });

  it("needs its rewrite: parse-prometheus-text-format alone loses a labelled histogram's labels", async () => {
    const family = parsePrometheusTextFormat(await sampleText()).find((f) => f.name === "lag_seconds");
    expect(family?.metrics.some((m) => m.labels?.kind === "nudge")).toBe(false);
  });
});
