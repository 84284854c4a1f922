/**
 * Starts the real app over real HTTP against the Slack and Finch stand-ins, with a driver that signs
 * requests like Slack (or, with `transport: "socket"`, delivers them over Socket Mode). Every log line is captured so tests can assert on them (and scan them for secrets).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { type Config, parseConfig } from "../../src/config.ts";
import type { Clock } from "../../src/context.ts";
import type { Database } from "../../src/db/client.ts";
import { type RunningFleet, startFleet } from "../../src/fleet.ts";
import { createLogger } from "../../src/logger.ts";
import type { FinchStandIn } from "../../src/sandbox/finch/index.ts";
import { newAppToken, type SlackStandIn } from "../../src/sandbox/slack/index.ts";
import { SlackDriver } from "../../src/sandbox/slack-driver/index.ts";
import { startStandIns } from "../../src/sandbox/stand-ins.ts";
import { freePort } from "../../src/sandbox/support/free-port.ts";
import { type AppProcess, startAppProcess } from "./app-process.ts";
import { type DbKind, openTestDatabase } from "./db.ts";

export const HOME_TEAM = { id: "T0FLEET", name: "Fleet", domain: "fleet" };
export const ACME_TEAM = { id: "T0ACME", name: "Acme Corp", domain: "acme" };
export const OTHER_TEAM = { id: "T0OTHER", name: "Other Co", domain: "otherco" };
export const REP = { id: "U0REP", teamId: HOME_TEAM.id, name: "rita.rep", email: "rita@fleet.example" };
export const REP2 = { id: "U0REP2", teamId: HOME_TEAM.id, name: "ron.rep", email: "ron@fleet.example" };
export const HR = { id: "U0HR", teamId: ACME_TEAM.id, name: "jane.hr", email: "jane@acme.example" };
export const HR2 = { id: "U0HR2", teamId: ACME_TEAM.id, name: "joe.hr", email: "joe@acme.example" };
export const STRANGER = {
  id: "U0STRANGER",
  teamId: OTHER_TEAM.id,
  name: "mallory",
  email: "mallory@other.example",
};

/** Secrets used by the harness (tests scan logs and messages for them). */
export interface HarnessSecrets {
  botToken: string;
  signingSecret: string;
  finchClientSecret: string;
  finchWebhookSecret: string;
  encryptionKey: string;
  /** The app-level token (xapp-…), in Socket Mode only. */
  appToken?: string;
}

export interface Harness {
  app: RunningFleet;
  slack: SlackStandIn;
  finch: FinchStandIn;
  driver: SlackDriver;
  db: Database;
  config: Config;
  secrets: HarnessSecrets;
  logs: string[];
  /**
   * Starts the real app (`src/main.ts`) as a separate process on this harness's stand-ins, secrets and
   * database (the PostgreSQL one: `db: "postgres"`); stopped with the harness. `env` adds or overrides
   * settings (e.g. SCHEDULER_ENABLED); pass a previous process's `dataDir` to start on its DATA_DIR.
   */
  startProcess(options?: {
    env?: Record<string, string>;
    label?: string;
    dataDir?: string;
  }): Promise<AppProcess>;
  /** A driver like `driver` (same secret and teams; its own response_url sink), aimed at another app URL. */
  driverFor(appUrl: string): Promise<SlackDriver>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  db?: DbKind | Database;
  clock?: Clock;
  env?: Record<string, string>;
  postMessagePerChannelPerSecond?: number;
  postMessageWorkspacePerSecond?: number;
  /** Fleet's Slack is part of this Enterprise Grid org (auth.test's enterprise_id). */
  enterpriseId?: string;
  slackConnect?: "full" | "limited" | "none";
  /** Fleet's Slack is on a paid plan (default); without one Slack Connect answers `not_paid`. */
  paidPlan?: boolean;
  /** How Slack reaches the app: its HTTP request URL (default) or Socket Mode (SLACK_APP_TOKEN set). */
  transport?: "http" | "socket";
}

/** Starts stand-ins, the app and a driver. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const secrets: HarnessSecrets = {
    botToken: `xoxb-test-${randomBytes(12).toString("hex")}`,
    signingSecret: randomBytes(16).toString("hex"),
    finchClientSecret: `finch-secret-${randomBytes(12).toString("hex")}`,
    finchWebhookSecret: randomBytes(24).toString("base64"),
    encryptionKey: randomBytes(32).toString("base64"),
    ...(options.transport === "socket" ? { appToken: newAppToken("A0FLEETAPP") } : {}),
  };
  const standIns = await startStandIns({
    botToken: secrets.botToken,
    homeTeam: HOME_TEAM,
    botUserId: "U0BOT",
    botId: "B0BOT",
    postMessagePerChannelPerSecond: options.postMessagePerChannelPerSecond ?? Number.POSITIVE_INFINITY,
    postMessageWorkspacePerSecond: options.postMessageWorkspacePerSecond ?? Number.POSITIVE_INFINITY,
    ...(options.enterpriseId ? { enterpriseId: options.enterpriseId } : {}),
    ...(options.slackConnect ? { slackConnect: options.slackConnect } : {}),
    ...(options.paidPlan === false ? { paidPlan: false } : {}),
    now: options.clock ? () => Date.now() : undefined,
    teams: [ACME_TEAM, OTHER_TEAM],
    users: [REP, REP2, HR, HR2, STRANGER],
    finchClientId: "finch-client-id",
    finchClientSecret: secrets.finchClientSecret,
    ...(secrets.appToken ? { appToken: secrets.appToken } : {}),
  });
  const { slack, finch } = standIns;
  const db = typeof options.db === "object" ? options.db : await openTestDatabase(options.db ?? "pglite");
  const ownsDb = typeof options.db !== "object";
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ level: "debug" }, sink);

  /** The app's environment on `port`: the same for the in-process app and app processes. */
  const appEnv = (port: number): Record<string, string> => ({
    NODE_ENV: "test",
    SLACK_BOT_TOKEN: secrets.botToken,
    SLACK_SIGNING_SECRET: secrets.signingSecret,
    SLACK_API_URL: slack.url,
    FINCH_CLIENT_ID: "finch-client-id",
    FINCH_CLIENT_SECRET: secrets.finchClientSecret,
    FINCH_WEBHOOK_SECRET: secrets.finchWebhookSecret,
    FINCH_BASE_URL: finch.url,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    TOKEN_ENCRYPTION_KEY: secrets.encryptionKey,
    PORT: String(port),
    HOST: "127.0.0.1",
    // On 2 busy CI cores a first insert can take longer than the 300 ms default; the budget itself is tested
    // in test/reliability/durable-intake.test.ts, here answers should come in-line.
    INTAKE_STORE_BUDGET_MS: "1500",
    INTEGRATION_USER_EMAIL: "integrations+{slug}@fleet.example",
    SCHEDULER_ENABLED: "false",
    ...(secrets.appToken ? { SLACK_APP_TOKEN: secrets.appToken } : {}),
    // Tests connect many times a minute from 127.0.0.1; the limit itself is tested with a low value.
    FINCH_CALLBACK_LIMIT_PER_MINUTE: "10000",
    // Tests stop apps often; the drain period itself is tested in test/http/drain.test.ts.
    HTTP_DRAIN_MS: "0",
    ...options.env,
  });

  // The intake's local spool lives under DATA_DIR: a throw-away folder for the in-process app.
  const parsed = parseConfig({
    DATA_DIR: mkdtempSync(join(tmpdir(), "fc-data-")),
    ...appEnv(await freePort()),
  });
  if (!parsed.ok) throw new Error(`bad test config: ${parsed.problems.join("; ")}`);
  const config: Config = parsed.config;
  const app = await startFleet(config, { logger, clock: options.clock, db });
  const drivers: SlackDriver[] = [];
  const newDriver = async (appUrl: string) => {
    const d = await new SlackDriver({
      url: `${appUrl}/slack/events`,
      signingSecret: secrets.signingSecret,
      botUserId: "U0BOT",
      teams: { [HOME_TEAM.id]: HOME_TEAM, [ACME_TEAM.id]: ACME_TEAM, [OTHER_TEAM.id]: OTHER_TEAM },
      ...(secrets.appToken ? { socketMode: slack.socketMode } : {}),
      // response_url links expire on the test's clock (30 minutes, 5 uses), like Slack's.
      ...(options.clock ? { responseUrlNow: () => options.clock?.now().getTime() ?? Date.now() } : {}),
    }).start();
    drivers.push(d);
    return d;
  };
  const driver = await newDriver(app.url);
  // Events Slack sends by itself (channel_id_changed when a private channel is first shared) reach the app, like
  // Slack's Request URL behind a load balancer: the newest app process that answers, else the in-process app.
  const eventTargets = [driver];
  slack.events.on("slackEvent", (event) => {
    void (async () => {
      for (const target of eventTargets) {
        const answered = await target.event(event, { teamId: HOME_TEAM.id }).then(
          (r) => r.status < 300,
          () => false,
        );
        if (answered) return;
      }
    })();
  });
  const processes: AppProcess[] = [];
  const dbUrl = (db as { url?: string }).url;

  return {
    app,
    slack,
    finch,
    driver,
    db,
    config,
    secrets,
    logs,
    startProcess: async (opts = {}) => {
      if (!dbUrl) throw new Error('startProcess needs a database other processes reach: db: "postgres"');
      const port = await freePort();
      const p = await startAppProcess({
        label: opts.label,
        env: {
          ...appEnv(port),
          DATABASE_URL: dbUrl,
          LOG_LEVEL: "info",
          ...(opts.dataDir ? { DATA_DIR: opts.dataDir } : {}),
          ...opts.env,
        },
      });
      processes.push(p);
      eventTargets.unshift(await newDriver(p.url));
      return p;
    },
    driverFor: newDriver,
    stop: async () => {
      // A process that does not stop gracefully within 15 s is killed: a test never leaves one behind.
      await Promise.all(
        processes.map((p) =>
          Promise.race([p.stop(), new Promise((r) => setTimeout(r, 15_000))]).then(() => p.kill()),
        ),
      );
      await app.stop();
      await Promise.all(drivers.map((d) => d.stop()));
      await standIns.stop();
      if (ownsDb) await db.close();
    },
  };
}

/** Waits until `check` returns a truthy value (polling), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  timeoutMs = 5_000,
  what = "condition",
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}

/** Messages the bot sent to a user in their direct-message channel. */
export function dmMessages(slack: SlackStandIn, userId: string) {
  const im = slack.allChannels().find((c) => c.isIm && c.members.includes(userId));
  return im ? slack.messages(im.id) : [];
}

/** Accepts a Slack Connect invite on the stand-in and delivers Slack's events to the app. */
export async function acceptInvite(h: Harness, email: string, user: { id: string; teamId: string }) {
  // The newest pending invite for that email (earlier tests may have left older ones in the stand-in). A channel
  // takes one pending invitation at a time, so a later HR admin's goes out once the one before is accepted.
  const invite = await eventually(
    () => h.slack.invites.filter((i) => i.email === email && i.status === "pending").at(-1),
    15_000,
    `a pending invite for ${email}`,
  );
  for (const event of h.slack.acceptSharedInvite(invite.id, { userId: user.id, teamId: user.teamId })) {
    const res = await h.driver.event(event, { teamId: HOME_TEAM.id });
    if (res.status !== 200) throw new Error(`event ${event.type} answered ${res.status}`);
  }
  // Events are handled after Slack's ack: wait until the app has recorded the acceptance.
  await eventually(
    () => h.db.prisma.invite.findFirst({ where: { slackInviteId: invite.id, status: "approved" } }),
    10_000,
    `invite of ${email} recorded`,
  );
}

/** The Slack channel of the newest onboarding (looked up in the database, not by name). */
export async function latestOnboardingChannel(h: Harness) {
  const o = await h.db.prisma.onboarding.findFirstOrThrow({ orderBy: { createdAt: "desc" } });
  const channel = o.channelId ? h.slack.channel(o.channelId) : undefined;
  if (!channel) throw new Error("the newest onboarding has no channel");
  return channel;
}

/** The blocks of the next Home view published for `userId` after `action`. */
export async function homeAfter<B>(
  h: Harness,
  action: () => Promise<unknown>,
  userId = REP.id,
): Promise<B[]> {
  const before = h.slack.homeView(userId)?.updates ?? -1;
  await action();
  const view = await eventually(
    () => {
      const v = h.slack.homeView(userId);
      return v && v.updates !== before ? v : null;
    },
    10_000,
    "home view",
  );
  return view.blocks as B[];
}
