/** Scrapes a /metrics endpoint and reads figures from the parsed Prometheus text (parse-prometheus-text-format). */
import parsePrometheusTextFormat, { type ParsedFamily } from "parse-prometheus-text-format";

/** A parsed scrape. */
export class Scrape {
  constructor(readonly families: ParsedFamily[]) {}

  private samples(name: string, labels: Record<string, string>) {
    // Every family of that name: the parser starts a new one each time the series name changes, so an untyped
    // histogram's `_count` comes back as one family per label set.
    const families = this.families.filter((f) => f.name === name);
    return families
      .flatMap((f) => f.metrics)
      .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  }

  /** Sum of a counter's or gauge's samples matching `labels` (0 when none). */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.samples(name, labels).reduce((sum, m) => sum + Number(m.value ?? 0), 0);
  }

  /** Count and sum of a histogram's samples matching `labels` (its `_count` and `_sum` series). */
  histogram(name: string, labels: Record<string, string> = {}): { count: number; sum: number } {
    return { count: this.value(`${name}_count`, labels), sum: this.value(`${name}_sum`, labels) };
  }

  has(name: string): boolean {
    return this.families.some((f) => f.name === name);
  }
}

/** GETs `url` (with a bearer token when given) and parses the answer; throws on a non-200. */
export async function scrape(url: string, token?: string): Promise<Scrape> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const text = await res.text();
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${text}`);
  if (!res.headers.get("content-type")?.startsWith("text/plain")) throw new Error("not Prometheus text");
  return parseScrape(text);
}

/**
 * Parses Prometheus text. parse-prometheus-text-format is kept (weighed 2026-12-07: its one alternative on npm,
 * prom2javascript 0.2.0, reads labelled histograms but throws on a `NaN` or `-Inf` sample; both
 * last published 2024-12); test/metrics/scrape.test.ts shows why the rewrite below is needed.
 */
export function parseScrape(text: string): Scrape {
  // The parser folds a histogram's series into one sample and drops their labels (1.1.1 handles unlabeled
  // histograms only), so histograms are read as untyped: `_bucket`, `_sum` and `_count` become families.
  const histograms = text.replace(/^# TYPE (\S+) histogram$/gm, "# TYPE $1 untyped");
  if (histograms === text) throw new Error("no histogram in the scrape");
  return new Scrape(parsePrometheusTextFormat(histograms));
}
