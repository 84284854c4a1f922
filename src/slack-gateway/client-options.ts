/** The Slack Web API client's settings, shared by Bolt's client and the jobs' client. */
import type { WebClientOptions } from "@slack/web-api";
import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";
import { slackCountingFetch } from "../metrics/counting-fetch.ts";
import { toSlackLogger } from "./slack-logger.ts";

/** Web API client settings shared by Bolt's client and the jobs' client. */
export function webClientOptions(config: Config, logger: Logger): WebClientOptions {
  return {
    slackApiUrl: config.slack.apiUrl,
    logger: toSlackLogger(logger.child({ component: "slack-web-api" })),
    // Bounded: the library default retries for ~30 minutes. Rate limits are still honoured (Retry-After).
    retryConfig: {
      retries: config.slack.retries,
      factor: 2,
      minTimeout: 250,
      maxTimeout: 5_000,
      randomize: true,
    },
    timeout: config.slack.timeoutMs,
    // Counts every attempt by method and outcome for /metrics (src/metrics).
    fetch: slackCountingFetch(),
  };
}
