/**
 * `GET /metrics` in Prometheus text format. Never open on the public port by default: it is served on its own
 * port (METRICS_PORT, meant for the cluster network) and/or, with METRICS_TOKEN, on the public port behind
 * `Authorization: Bearer <token>`. With neither, there is no /metrics at all.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from "prom-client";
import type { Database } from "../db/client.ts";
import type { RouteHandler } from "../http/router.ts";
import { sendText } from "../http/router.ts";
import type { Logger } from "../logger.ts";
import { metricsRegistry } from "../metrics/instruments.ts";
import { refreshGauges, type SpoolUsage } from "./snapshot.ts";

/** Path of the metrics endpoint. */
export const METRICS_PATH = "/metrics";

/** What the metrics route reads. */
export interface MetricsSources {
  db: Database;
  spool: SpoolUsage;
  now: () => Date;
  logger: Logger;
  /** When set, a scrape must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Metrics of another thread of this process (the applier thread's), added to this registry's. */
  more?: () => Promise<MetricObjectWithValues<MetricValue<string>>[]>;
}

/** Whether an Authorization header carries the token (constant-time comparison). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? "");
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1]);
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** The route: refreshes the database figures, then writes every metric. */
export function metricsRoute(sources: MetricsSources): RouteHandler {
  const log = sources.logger.child({ component: "metrics" });
  return async ({ req, res }) => {
    if (sources.token !== undefined && !bearerMatches(req.headers.authorization, sources.token)) {
      res.setHeader("www-authenticate", 'Bearer realm="metrics"');
      return sendText(res, 401, "A bearer token is required for /metrics");
    }
    try {
      await refreshGauges(sources.db, sources.spool, sources.now());
    } catch (err) {
      // The process figures still help while the database is away; the stale gauges say when they were set.
      log.warn({ err }, "metrics: database figures could not be read");
    }
    res.writeHead(200, { "content-type": metricsRegistry.contentType });
    res.end(await serialize(sources.more, log));
  };
}

/** This registry's metrics, summed with another thread's counters and histograms when there is one. */
async function serialize(more: MetricsSources["more"], log: MetricsSources["logger"]): Promise<string> {
  if (!more) return metricsRegistry.metrics();
  const theirs = await more().catch((err: unknown) => {
    log.warn({ err }, "metrics: the applier thread's figures could not be read");
    return [];
  });
  const ours = await metricsRegistry.getMetricsAsJSON();
  return AggregatorRegistry.aggregate([ours, theirs] as never).metrics();
}

/** A server answering only `GET /metrics` (METRICS_PORT). Not yet listening. */
export function createMetricsServer(sources: MetricsSources): Server {
  const route = metricsRoute(sources);
  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== METRICS_PATH) return sendText(res, 404, "Not found");
    if (req.method !== "GET") return sendText(res, 405, "Method not allowed");
    Promise.resolve(
      route({
        req,
        res,
        url: new URL(req.url ?? "/", "http://localhost"),
        params: {},
        body: async () => Buffer.alloc(0),
      }),
    ).catch((err: unknown) => {
      sources.logger.error({ err }, "metrics route failed");
      if (!res.headersSent) sendText(res, 500, "metrics failed");
    });
  });
}
