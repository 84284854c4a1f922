/**
 * The adapter from our pino logger to Slack's `Logger` interface (`@slack/logger`, which Bolt, the Web API
 * client and Socket Mode all take), so Slack's libraries log through the same redacting logger. It lives
 * with the gateway, not in src/slack, because the Web API client the jobs and the gateway build needs it
 * too, and the gateway imports nothing from the Bolt room.
 */
import { LogLevel, type Logger as SlackLogger } from "@slack/web-api";
import { type Logger, scrubSecrets } from "../logger.ts";

const SLACK_TO_PINO: Record<LogLevel, string> = {
  [LogLevel.ERROR]: "error",
  [LogLevel.WARN]: "warn",
  [LogLevel.INFO]: "info",
  [LogLevel.DEBUG]: "debug",
};

/** Wraps a pino logger in Slack's `Logger` interface, so Bolt and the Web API client log through it. */
export function toSlackLogger(logger: Logger): SlackLogger {
  let child = logger.child({ component: "bolt" });
  const join = (msg: unknown[]) =>
    scrubSecrets(msg.map((m) => (typeof m === "string" ? m : safeJson(m))).join(" "));
  // The Web API client logs every call at debug: below the level, skip building (and scrubbing) the line.
  const at =
    (level: "debug" | "info" | "warn" | "error") =>
    (...msg: unknown[]) => {
      if (child.isLevelEnabled(level)) child[level](join(msg));
    };
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    setLevel: (level) => {
      child.level = SLACK_TO_PINO[level] ?? "info";
    },
    getLevel: () =>
      (Object.entries(SLACK_TO_PINO).find(([, v]) => v === child.level)?.[0] as LogLevel) ?? LogLevel.INFO,
    setName: (name) => {
      child = logger.child({ component: name });
    },
  };
}

function safeJson(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
