/** Where `GET /metrics` is served (see route.ts): the metrics port, the public port with a token, or nowhere. */
import type { Server } from "node:http";
import type { Config } from "../config.ts";
import type { Router } from "../http/router.ts";
import { closeServer, listen } from "../http/server.ts";
import { createMetricsServer, METRICS_PATH, type MetricsSources, metricsRoute } from "./route.ts";

/** The metrics endpoint once mounted. */
export interface MountedMetrics {
  /** `http://host:port/metrics` of the metrics port, when there is one. */
  url?: string;
  stop(): Promise<void>;
}

/** Mounts /metrics on the public router (token set) and starts the metrics port (METRICS_PORT set). */
export async function mountMetrics(
  config: Config,
  router: Router,
  sources: Omit<MetricsSources, "token">,
): Promise<MountedMetrics> {
  const { port, token } = config.metrics;
  // On the public port only behind a token: an open /metrics there would show anyone the queues.
  if (token !== undefined) router.on("GET", METRICS_PATH, metricsRoute({ ...sources, token }));
  if (port === undefined) return { stop: async () => {} };
  const server: Server = createMetricsServer({ ...sources, ...(token !== undefined ? { token } : {}) });
  const bound = await listen(server, port, config.http.host);
  const host = config.http.host === "0.0.0.0" ? "127.0.0.1" : config.http.host;
  return { url: `http://${host}:${bound}${METRICS_PATH}`, stop: () => closeServer(server, 2_000) };
}
