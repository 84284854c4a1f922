/**
 * Logging: pino JSON (pretty only in development), with secrets redacted. Slack's libraries log through it
 * by an adapter of their own (src/slack-gateway/slack-logger.ts): this file knows nothing of Slack.
 */
import { createRequire } from "node:module";
import { type DestinationStream, type Logger, pino } from "pino";

/** Paths pino censors wherever they appear (tokens, secrets, signatures, Finch codes). */
export const REDACT_PATHS = [
  "token",
  "*.token",
  "access_token",
  "*.access_token",
  "accessToken",
  "*.accessToken",
  "code",
  "*.code",
  "client_secret",
  "*.client_secret",
  "clientSecret",
  "*.clientSecret",
  "secret",
  "*.secret",
  "password",
  "*.password",
  "authorization",
  "*.authorization",
  "*.headers.authorization",
  "*.headers.cookie",
  '*.headers["x-slack-signature"]',
  '*.headers["finch-signature"]',
  "req.url",
];

/** Patterns scrubbed from free text before it is logged (error messages can embed tokens). */
const SECRET_PATTERNS: RegExp[] = [
  /xox[abposr]-[A-Za-z0-9-]+/g,
  /xapp-[A-Za-z0-9-]+/g,
  // `ticket`: the one-time Socket Mode URL from apps.connections.open.
  /([?&](?:code|token|access_token|ticket)=)[^&\s"']+/gi,
  /(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi,
];

/** Removes anything that looks like a token, code or credential from a string. */
export function scrubSecrets(text: string): string {
  return SECRET_PATTERNS.reduce(
    (acc, pattern) =>
      acc.replace(pattern, (match, prefix?: string) =>
        typeof prefix === "string" && prefix.length < match.length ? `${prefix}[redacted]` : "[redacted]",
      ),
    text,
  );
}

/** Creates the app's logger. `destination` lets tests capture every line. */
export function createLogger(
  options: { level: string; pretty?: boolean; name?: string },
  destination?: DestinationStream,
): Logger {
  const base = {
    level: options.level,
    name: options.name ?? "fleet-concierge",
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    formatters: { level: (label: string) => ({ level: label }) },
    hooks: {
      // Free-text messages and error messages can carry a token pasted by someone: scrub them too.
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((a) => (typeof a === "string" ? scrubSecrets(a) : a instanceof Error ? scrubError(a) : a)),
        );
      },
    },
    serializers: {
      err: (err: unknown) => (err instanceof Error ? pino.stdSerializers.err(scrubError(err)) : err),
    },
  };
  if (destination) return pino(base, destination);
  const transport = options.pretty ? prettyTransport() : undefined;
  return transport ? pino({ ...base, transport }) : pino(base);
}

/** Human-readable lines for a person: at a terminal, or trying the app in sandbox mode; JSON otherwise. */
export function wantsPrettyLogs(config: { mode: string }, stdoutIsTerminal: boolean): boolean {
  return stdoutIsTerminal || config.mode === "sandbox";
}

/**
 * pino-pretty's transport, if pino-pretty can be loaded: it is a devDependency, absent from the production
 * image, where the logs stay JSON.
 */
export function prettyTransport(
  resolve: (id: string) => string = createRequire(import.meta.url).resolve,
): { target: string; options: { colorize: boolean } } | undefined {
  try {
    resolve("pino-pretty");
  } catch {
    return undefined;
  }
  return { target: "pino-pretty", options: { colorize: true } };
}

function scrubError(err: Error): Error {
  const copy = new Error(scrubSecrets(err.message));
  copy.name = err.name;
  copy.stack = err.stack ? scrubSecrets(err.stack) : undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && code.length < 64) (copy as { code?: string }).code = code;
  return copy;
}

export type { Logger };
