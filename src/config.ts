/**
 * Configuration: one zod schema, the only reader of `process.env`.
 * Every problem is reported at once, in plain words, without echoing a value (most are secrets).
 */
import { join } from "node:path";
import { z } from "zod";
import {
  base64Key,
  csv,
  httpUrl,
  isTimeZone,
  localTime,
  optionalString,
  validProxyList,
} from "./config-fields.ts";
import { type EmailConfig, emailConfigFrom, emailEnvShape } from "./email/settings.ts";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** How the app talks to Slack: HTTP request URL, Socket Mode, or the offline sandbox with stand-ins. */
export type RunMode = "http" | "socket" | "sandbox";

const rawSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  SLACK_BOT_TOKEN: optionalString.pipe(
    z.string().startsWith("xoxb-", "must be a bot token (xoxb-…)").optional(),
  ),
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString.pipe(
    z.string().startsWith("xapp-", "must be an app-level token (xapp-…)").optional(),
  ),
  SLACK_API_URL: optionalString.pipe(httpUrl("Slack Web API base").optional()),
  FINCH_CLIENT_ID: optionalString,
  FINCH_CLIENT_SECRET: optionalString,
  FINCH_WEBHOOK_SECRET: optionalString,
  FINCH_BASE_URL: optionalString.pipe(httpUrl("Finch API base").optional()),
  FINCH_SANDBOX: optionalString.pipe(z.enum(["finch", "provider"]).optional()),
  FINCH_CALLBACK_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(30),
  PORTAL_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(60),
  FINCH_ASSIST: z
    .enum(["0", "1"], { error: "must be 0 or 1 (is Finch Assist on Fleet's Finch plan?)" })
    .default("0"),
  PUBLIC_URL: optionalString.pipe(httpUrl("where Slack, Finch and browsers reach this app").optional()),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(
        /^postgres(ql)?:\/\/[^\s]+$/,
        "must be a postgresql:// URL (leave unset for the embedded database)",
      )
      .refine((s) => URL.canParse(s), "is not a valid URL")
      .optional(),
  ),
  DATA_DIR: z.string().default("./data"),
  PGLITE_IN_THREAD: optionalString.pipe(z.enum(["0", "1"], "must be 1 or 0").optional()),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  TOKEN_ENCRYPTION_KEY: optionalString.pipe(base64Key.optional()),
  TOKEN_ENCRYPTION_KEY_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, "must be a short id (letters, digits, - or _)")
    .default("k1"),
  TOKEN_ENCRYPTION_PREVIOUS_KEYS: csv.pipe(
    z.array(
      z.string().refine((entry) => {
        const [id, key] = entry.split(":");
        return !!id && !!key && base64Key.safeParse(key).success;
      }, "entries must look like <key id>:<32-byte base64 key>"),
    ),
  ),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  DEFAULT_TIMEZONE: z.string().default("America/New_York").refine(isTimeZone, "is not an IANA time zone"),
  REMINDER_LOCAL_TIME: localTime.default("10:00"),
  REP_DIGEST_LOCAL_TIME: localTime.default("08:30"),
  FLEET_REP_USER_IDS: csv,
  FLEET_REP_USERGROUP_ID: optionalString,
  INTEGRATION_USER_NAME: z.string().default("Fleet Integration"),
  INTEGRATION_USER_EMAIL: optionalString.pipe(
    z
      .string()
      .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "must be an email address, optionally with {slug}")
      .optional(),
  ),
  NUDGE_AFTER_DAYS: z.coerce.number().int().min(1).max(60).default(3),
  INVITE_ALERT_AFTER_DAYS: z.coerce.number().int().min(1).max(13).default(7),
  ...emailEnvShape,
  STALL_AFTER_DAYS: z.coerce.number().int().min(1).max(60).default(5),
  SLACK_API_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  SLACK_API_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  FLEET_SANDBOX: z.enum(["0", "1"]).optional(),
  INTAKE_STORE_BUDGET_MS: z.coerce.number().int().min(20).max(2_000).default(300),
  INTAKE_LEASE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
  INTAKE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
  INTAKE_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  INTAKE_LIVE_LIMIT: z.coerce.number().int().min(1).max(1_000).default(8),
  INTAKE_APPLY_IN_WORKER: optionalString.pipe(z.enum(["0", "1"], "must be 1 or 0").optional()),
  INTAKE_SPOOL_MAX_FILES: z.coerce.number().int().min(1).max(1_000_000).default(20_000),
  INTAKE_SPOOL_MAX_MB: z.coerce.number().int().min(1).max(10_000).default(200),
  // /healthz says `degraded` past these (src/http/health.ts).
  HEALTH_MAX_PENDING_AGE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  HEALTH_MAX_DEAD_LETTERS: z.coerce.number().int().min(0).max(1_000_000).default(10),
  // Seconds between reminder-scheduler runs (60: every minute, on the minute); tests run replicas faster.
  REMINDER_TICK_SECONDS: z.coerce.number().int().min(1).max(60).default(60),
  HTTP_KEEP_ALIVE_MS: z.coerce.number().int().min(1_000).max(600_000).default(65_000),
  // Proxies whose X-Forwarded-For is believed (IPs, CIDRs, or proxy-addr's names loopback/linklocal/uniquelocal).
  HTTP_TRUSTED_PROXIES: optionalString.pipe(
    z
      .string()
      .refine(
        validProxyList,
        "must be a comma-separated list of IP addresses, CIDR ranges, or loopback/linklocal/uniquelocal",
      )
      .optional(),
  ),
  // Default: 5 s behind a load balancer; none in sandbox mode (nothing balances it).
  HTTP_DRAIN_MS: z.coerce.number().int().min(0).max(60_000).optional(),
  METRICS_PORT: optionalString.pipe(
    z
      .string()
      .regex(/^\d{1,5}$/, "must be a port number (0–65535)")
      .transform(Number)
      .refine((n) => n <= 65535, "must be a port number (0–65535)")
      .optional(),
  ),
  METRICS_TOKEN: optionalString.pipe(
    z.string().min(16, "must be at least 16 characters (e.g. `openssl rand -hex 24`)").optional(),
  ),
  FINCH_STALE_SYNC_DAYS: z.coerce.number().int().min(1).max(60).default(3),
  REPORT_CHANNEL_ID: optionalString.pipe(
    z
      .string()
      .regex(/^[CG][A-Z0-9]{2,20}$/, "must be a Slack channel id (C… or G…)")
      .optional(),
  ),
  SCHEDULER_ENABLED: z
    .enum(["true", "false"])
    .default("true")
    .transform((s) => s === "true"),
});

type Raw = z.infer<typeof rawSchema>;

/** The validated configuration the whole app receives. */
export interface Config {
  mode: RunMode;
  nodeEnv: Raw["NODE_ENV"];
  slack: {
    botToken?: string;
    signingSecret?: string;
    appToken?: string;
    apiUrl: string;
    repUserIds: string[];
    repUserGroupId?: string;
    timeoutMs: number;
    retries: number;
  };
  finch: {
    clientId?: string;
    clientSecret?: string;
    webhookSecret?: string;
    baseUrl?: string;
    sandbox?: "finch" | "provider";
    /** Requests to /finch/callback allowed per client IP per minute. */
    callbackLimitPerMinute: number;
    /** FINCH_ASSIST=1: Fleet's Finch plan includes Finch Assist, so assisted-only providers can connect. */
    assistEnabled: boolean;
    /** After go-live, a product not synced for this many days is a problem (src/finch/health.ts). */
    staleSyncDays: number;
  };
  publicUrl?: string;
  /** `pgliteInThread`: run embedded PGlite on the main thread, not in a worker (PGLITE_IN_THREAD=1). */
  database: { url?: string; dataDir: string; pgliteInThread: boolean; statementTimeoutMs: number };
  encryption: { key?: Buffer; keyId: string; previous: Array<{ id: string; key: Buffer }> };
  /** keepAliveMs: how long an idle keep-alive connection stays open (above a load balancer's idle timeout). */
  http: {
    port: number;
    host: string;
    keepAliveMs: number;
    /** Proxies whose X-Forwarded-For names the client (empty: the socket's address is the client). */
    trustedProxies: string[];
    /** On a graceful stop, /healthz answers 503 and the app keeps serving this long before closing. */
    drainMs: number;
    /** Requests to the private progress page (`/p/…`) per client IP per minute (src/portal). */
    portalLimitPerMinute: number;
  };
  logLevel: Raw["LOG_LEVEL"];
  defaultTimeZone: string;
  reminderLocalTime: string;
  repDigestLocalTime: string;
  integrationUser: { name: string; email?: string };
  thresholds: { nudgeAfterDays: number; inviteAlertAfterDays: number; stallAfterDays: number };
  schedulerEnabled: boolean;
  /** The durable intake (src/intake): budget, lease, attempts, poll, spool limits, applier thread. */
  intake: {
    storeBudgetMs: number;
    leaseMs: number;
    maxAttempts: number;
    pollMs: number;
    liveLimit: number;
    spoolDir: string;
    spoolMaxFiles: number;
    spoolMaxBytes: number;
    applyInWorker: boolean;
  };
  /** When /healthz reports the intake as falling behind (`degraded`). */
  health: { maxPendingAgeMs: number; maxDeadLetters: number };
  /** Seconds between two reminder-scheduler runs (1–60). */
  reminderTickSeconds: number;
  /** GET /metrics: on its own port, and/or on the public port behind a bearer token; neither: not served. */
  metrics: { port?: number; token?: string };
  /** The weekly onboarding report goes to this channel (Mondays), when set. */
  report: { channelId?: string };
  email: EmailConfig;
}

/** Result of reading the environment: a config, or every problem found. */
export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Validates an environment (pure: pass `process.env` or a test's own object). */
export function parseConfig(env: Record<string, string | undefined>): ConfigResult {
  const has = (name: string) => (env[name] ?? "").trim() !== "";
  const mode: RunMode = has("SLACK_APP_TOKEN")
    ? "socket"
    : has("SLACK_BOT_TOKEN") || has("SLACK_SIGNING_SECRET")
      ? "http"
      : "sandbox";
  // Missing settings and malformed ones are collected together, so one start-up shows every problem.
  const problems = missingSettings(env, mode, has);
  const parsed = rawSchema.safeParse(env);
  if (!parsed.success) {
    problems.push(
      ...parsed.error.issues.map((issue) => `${issue.path.join(".") || "environment"} ${issue.message}`),
    );
    return { ok: false, problems };
  }
  const r = parsed.data;
  const previous = previousKeys(r);
  if (previous.some((p) => p.id === r.TOKEN_ENCRYPTION_KEY_ID)) {
    problems.push("TOKEN_ENCRYPTION_PREVIOUS_KEYS reuses the id of the current TOKEN_ENCRYPTION_KEY_ID");
  }
  if (r.METRICS_PORT !== undefined && r.METRICS_PORT !== 0 && r.METRICS_PORT === r.PORT) {
    problems.push("METRICS_PORT must differ from PORT (metrics are never open on the public port)");
  }
  const email = emailConfigFrom(r);
  problems.push(...email.problems);
  if (problems.length > 0) return { ok: false, problems };
  return configFrom(r, mode, previous, email.config);
}

/** Settings a Slack-connected mode cannot run without (each with where to find it). */
function missingSettings(
  env: Record<string, string | undefined>,
  mode: RunMode,
  has: (name: string) => boolean,
): string[] {
  const problems: string[] = [];
  if (mode !== "sandbox") {
    const need = (name: string, why: string) => {
      if (!has(name)) problems.push(`${name} is missing: ${why}`);
    };
    need("SLACK_BOT_TOKEN", "the bot token (xoxb-…) from the Slack app's OAuth page");
    if (mode === "http") need("SLACK_SIGNING_SECRET", "needed to verify requests from Slack");
    need("FINCH_CLIENT_ID", "from the Finch dashboard");
    need("FINCH_CLIENT_SECRET", "from the Finch dashboard");
    need("PUBLIC_URL", "the https address where Slack, Finch and browsers reach this app");
    need("TOKEN_ENCRYPTION_KEY", "32 random bytes in base64 to encrypt Finch tokens");
    need("INTEGRATION_USER_EMAIL", "the email of Fleet's integration user");
  }
  // A production deployment with its Slack credentials missing must fail loudly, not come up as a demo.
  if (mode === "sandbox" && env.NODE_ENV === "production" && env.FLEET_SANDBOX !== "1") {
    problems.push(
      "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are missing (NODE_ENV=production). Set them, or FLEET_SANDBOX=1 to run the offline sandbox on purpose",
    );
  }
  return problems;
}

/** The keys that decrypt tokens sealed before the last rotation. */
function previousKeys(r: Raw): Config["encryption"]["previous"] {
  return r.TOKEN_ENCRYPTION_PREVIOUS_KEYS.map((entry) => {
    const [id, key] = entry.split(":") as [string, string];
    return { id, key: Buffer.from(key, "base64") };
  });
}

/** The config from a valid environment. */
function configFrom(
  r: Raw,
  mode: RunMode,
  previous: Config["encryption"]["previous"],
  email: EmailConfig,
): ConfigResult {
  return {
    ok: true,
    config: {
      mode,
      nodeEnv: r.NODE_ENV,
      slack: {
        botToken: r.SLACK_BOT_TOKEN,
        signingSecret: r.SLACK_SIGNING_SECRET,
        appToken: r.SLACK_APP_TOKEN,
        apiUrl: withTrailingSlash(r.SLACK_API_URL ?? "https://slack.com/api/"),
        repUserIds: r.FLEET_REP_USER_IDS,
        repUserGroupId: r.FLEET_REP_USERGROUP_ID,
        timeoutMs: r.SLACK_API_TIMEOUT_MS,
        retries: r.SLACK_API_RETRIES,
      },
      finch: {
        clientId: r.FINCH_CLIENT_ID,
        clientSecret: r.FINCH_CLIENT_SECRET,
        webhookSecret: r.FINCH_WEBHOOK_SECRET,
        baseUrl: r.FINCH_BASE_URL,
        sandbox: r.FINCH_SANDBOX,
        callbackLimitPerMinute: r.FINCH_CALLBACK_LIMIT_PER_MINUTE,
        assistEnabled: r.FINCH_ASSIST === "1",
        staleSyncDays: r.FINCH_STALE_SYNC_DAYS,
      },
      publicUrl: r.PUBLIC_URL ? withTrailingSlash(r.PUBLIC_URL) : undefined,
      database: {
        url: r.DATABASE_URL,
        dataDir: r.DATA_DIR,
        pgliteInThread: r.PGLITE_IN_THREAD === "1",
        statementTimeoutMs: r.DATABASE_STATEMENT_TIMEOUT_MS,
      },
      encryption: {
        key: r.TOKEN_ENCRYPTION_KEY ? Buffer.from(r.TOKEN_ENCRYPTION_KEY, "base64") : undefined,
        keyId: r.TOKEN_ENCRYPTION_KEY_ID,
        previous,
      },
      // The sandbox lets anyone act as anyone: only this machine reaches it unless HOST says otherwise.
      http: httpConfig(r, mode),
      logLevel: r.LOG_LEVEL,
      defaultTimeZone: r.DEFAULT_TIMEZONE,
      reminderLocalTime: r.REMINDER_LOCAL_TIME,
      repDigestLocalTime: r.REP_DIGEST_LOCAL_TIME,
      integrationUser: { name: r.INTEGRATION_USER_NAME, email: r.INTEGRATION_USER_EMAIL },
      thresholds: {
        nudgeAfterDays: r.NUDGE_AFTER_DAYS,
        inviteAlertAfterDays: r.INVITE_ALERT_AFTER_DAYS,
        stallAfterDays: r.STALL_AFTER_DAYS,
      },
      schedulerEnabled: r.SCHEDULER_ENABLED,
      intake: intakeConfig(r),
      health: {
        maxPendingAgeMs: r.HEALTH_MAX_PENDING_AGE_SECONDS * 1000,
        maxDeadLetters: r.HEALTH_MAX_DEAD_LETTERS,
      },
      reminderTickSeconds: r.REMINDER_TICK_SECONDS,
      metrics: { port: r.METRICS_PORT, token: r.METRICS_TOKEN },
      report: { channelId: r.REPORT_CHANNEL_ID },
      email,
    },
  };
}

/** HTTP listener settings. */
function httpConfig(r: Raw, mode: RunMode): Config["http"] {
  return {
    port: r.PORT,
    host: r.HOST ?? (mode === "sandbox" ? "127.0.0.1" : "0.0.0.0"),
    keepAliveMs: r.HTTP_KEEP_ALIVE_MS,
    trustedProxies: (r.HTTP_TRUSTED_PROXIES ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    drainMs: r.HTTP_DRAIN_MS ?? (mode === "sandbox" ? 0 : 5_000),
    portalLimitPerMinute: r.PORTAL_LIMIT_PER_MINUTE,
  };
}

function intakeConfig(r: Raw): Config["intake"] {
  return {
    storeBudgetMs: r.INTAKE_STORE_BUDGET_MS,
    leaseMs: r.INTAKE_LEASE_MS,
    maxAttempts: r.INTAKE_MAX_ATTEMPTS,
    pollMs: r.INTAKE_POLL_MS,
    liveLimit: r.INTAKE_LIVE_LIMIT,
    applyInWorker: r.INTAKE_APPLY_IN_WORKER === "1",
    spoolDir: join(r.DATA_DIR, "intake-spool"),
    spoolMaxFiles: r.INTAKE_SPOOL_MAX_FILES,
    spoolMaxBytes: r.INTAKE_SPOOL_MAX_MB * 1024 * 1024,
  };
}

/** Reads `process.env` (plus sandbox mode's `overrides`); prints every problem and exits non-zero (no values). */
export function loadConfigOrExit(overrides: Record<string, string> = {}): Config {
  const result = parseConfig({ ...process.env, ...overrides });
  if (result.ok) return result.config;
  process.stderr.write(
    `Fleet Concierge cannot start: the configuration has ${result.problems.length} problem(s):\n` +
      result.problems.map((p) => `  - ${p}\n`).join("") +
      "See the configuration table in README.md.\n",
  );
  process.exit(78); // EX_CONFIG
}

function withTrailingSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}
