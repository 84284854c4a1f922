/**
 * Builds the Bolt app: receiver (HTTP or Socket Mode), logger, Web API client pointed at SLACK_API_URL,
 * and every listener. Does not listen on a port: src/fleet.ts owns the HTTP server.
 */
import { App, HTTPReceiver, type Receiver, SocketModeReceiver } from "@slack/bolt";
import type { Config } from "../config.ts";
import { ONE_MEGABYTE } from "../limits.ts";
import type { Logger } from "../logger.ts";
import { webClientOptions } from "../slack-gateway/client-options.ts";
import { toSlackLogger } from "../slack-gateway/slack-logger.ts";
import { type IntakeReceiverDeps, withDurableIntake } from "./intake/receiver.ts";

/** The Bolt app plus the request listener to mount on our HTTP server (HTTP mode). */
export interface SlackApp {
  app: App;
  receiver: Receiver;
  httpListener?: HTTPReceiver["requestListener"];
  /** Socket Mode connects here; HTTP mode has nothing to start. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Creates the Bolt app for the configured mode. */
export function createSlackApp(
  config: Config,
  logger: Logger,
  identity: { botUserId: string; botId?: string },
  /** Every delivery is stored before its acknowledgement and applied from the intake (src/intake). */
  intake: IntakeReceiverDeps,
): SlackApp {
  const boltLogger = toSlackLogger(logger);
  const botToken = config.slack.botToken;
  if (!botToken) throw new Error("createSlackApp needs a bot token");
  let receiver: Receiver;
  let httpListener: HTTPReceiver["requestListener"] | undefined;
  if (config.mode === "socket") {
    receiver = new SocketModeReceiver({
      appToken: config.slack.appToken ?? "",
      logger: boltLogger,
      // apps.connections.open goes to SLACK_API_URL like every other call (the stand-in in tests and sandbox).
      installerOptions: { clientOptions: webClientOptions(config, logger) },
    });
  } else {
    const http = new HTTPReceiver({
      signingSecret: config.slack.signingSecret ?? "",
      endpoints: "/slack/events",
      logger: boltLogger,
      bodyLimit: ONE_MEGABYTE,
      // Stored first (src/intake, a few ms), acknowledged, then applied: the 3-second limit never waits on
      // Slack, Finch or a slow query, and what was acknowledged is applied even after a crash.
      processBeforeResponse: false,
      unhandledRequestTimeoutMillis: 2_900,
    });
    httpListener = http.requestListener;
    receiver = http;
  }
  const app = new App({
    token: botToken,
    receiver: withDurableIntake(receiver, intake),
    logger: boltLogger,
    botUserId: identity.botUserId,
    botId: identity.botId,
    // auth.test already ran at start-up (src/fleet.ts); do not repeat it inside Bolt.
    tokenVerificationEnabled: false,
    clientOptions: webClientOptions(config, logger),
  });
  return {
    app,
    receiver,
    httpListener,
    start: async () => {
      if (config.mode === "socket") await (receiver as SocketModeReceiver).start();
    },
    stop: async () => {
      if (config.mode === "socket") await (receiver as SocketModeReceiver).stop();
    },
  };
}
