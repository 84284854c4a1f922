/**
 * Sandbox mode: no Slack or Finch credentials configured, so the app starts together with its Slack and
 * Finch stand-ins in one process. Everything goes through the same signed HTTP path Slack would use.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config.ts";
import { ManualClock } from "../context.ts";
import { type RunningFleet, startFleet } from "../fleet.ts";
import type { Logger } from "../logger.ts";
import { type Scheduler, startScheduler } from "../reminders/scheduler/index.ts";
import type { FinchStandIn } from "./finch/index.ts";
import { mountSandboxRoutes, type SandboxPeople, type SandboxRoutes } from "./sandbox-routes.ts";
import type { SlackStandIn } from "./slack/index.ts";
import { SlackDriver } from "./slack-driver/index.ts";
import { startSmtpStandIn } from "./smtp/index.ts";
import { startStandIns } from "./stand-ins.ts";

/** The sandbox's people and workspaces. */
export const SANDBOX = {
  homeTeam: { id: "T0FLEET", name: "Fleet (sandbox)", domain: "fleet-sandbox" },
  customerTeam: { id: "T0ACME", name: "Acme Corp (sandbox customer)", domain: "acme-sandbox" },
  rep: {
    id: "U0RITA",
    name: "rita",
    realName: "Rita Rep",
    email: "rita@fleet.example",
    tz: "America/New_York",
  },
  hrAdmin: {
    id: "U0JANE",
    name: "jane",
    realName: "Jane HR (Acme)",
    email: "jane@acme.example",
    tz: "America/Chicago",
  },
  botUserId: "U0CONCIERGE",
  botId: "B0CONCIERGE",
  botName: "Fleet Concierge",
} as const satisfies SandboxPeople;

interface SandboxSecrets {
  botToken: string;
  signingSecret: string;
  finchClientSecret: string;
  finchWebhookSecret: string;
  encryptionKey: string;
}

/** A running sandbox: the app plus its stand-ins, a driver that acts as Slack, and the movable clock. */
export interface RunningSandbox extends RunningFleet {
  slackStandIn: SlackStandIn;
  finchStandIn: FinchStandIn;
  driver: SlackDriver;
  clock: ManualClock;
  /** The address of the sandbox page. */
  pageUrl: string;
}

/** Secrets are generated once and kept in DATA_DIR, so data encrypted in the embedded database stays readable. */
function sandboxSecrets(dataDir: string): SandboxSecrets {
  const file = join(dataDir, "sandbox-secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as SandboxSecrets;
  const secrets: SandboxSecrets = {
    botToken: `xoxb-sandbox-${randomBytes(16).toString("hex")}`,
    signingSecret: randomBytes(16).toString("hex"),
    finchClientSecret: randomBytes(16).toString("hex"),
    finchWebhookSecret: randomBytes(24).toString("base64"),
    encryptionKey: randomBytes(32).toString("base64"),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}

/**
 * The app's configuration in the sandbox: the operator's own settings (port, DATA_DIR, DATABASE_URL, log
 * level, time zones…) with Slack and Finch pointed at the stand-ins.
 */
function sandboxConfig(
  base: Config,
  secrets: SandboxSecrets,
  urls: { slack: string; finch: string; publicUrl: string | undefined },
): Config {
  return {
    ...base,
    mode: "http",
    slack: {
      ...base.slack,
      botToken: secrets.botToken,
      signingSecret: secrets.signingSecret,
      appToken: undefined,
      apiUrl: urls.slack,
    },
    finch: {
      ...base.finch,
      clientId: "sandbox-client-id",
      clientSecret: secrets.finchClientSecret,
      webhookSecret: secrets.finchWebhookSecret,
      baseUrl: urls.finch,
      sandbox: base.finch.sandbox ?? "finch",
    },
    publicUrl: urls.publicUrl,
    encryption: {
      ...base.encryption,
      key: base.encryption.key ?? Buffer.from(secrets.encryptionKey, "base64"),
    },
    integrationUser: {
      ...base.integrationUser,
      email: base.integrationUser.email ?? "integrations+{slug}@fleet.example",
    },
  };
}

/** Starts stand-ins and the app wired to them. */
export async function startSandbox(base: Config, logger: Logger): Promise<RunningSandbox> {
  const secrets = sandboxSecrets(base.database.dataDir);
  // The sandbox page's clock control moves this clock: the app and the Slack stand-in (message
  // timestamps) read it. Signed requests keep real time, which is what Bolt's replay check compares with.
  const clock = new ManualClock();
  const standIns = await startStandIns({
    botToken: secrets.botToken,
    homeTeam: SANDBOX.homeTeam,
    botUserId: SANDBOX.botUserId,
    botId: SANDBOX.botId,
    botName: "fleet-concierge",
    now: () => clock.now().getTime(),
    teams: [SANDBOX.customerTeam],
    users: [
      { ...SANDBOX.rep, teamId: SANDBOX.homeTeam.id, isAdmin: true },
      { ...SANDBOX.hrAdmin, teamId: SANDBOX.customerTeam.id },
    ],
    channels: [
      { name: "general", isGeneral: true, members: [SANDBOX.rep.id] },
      // Where the weekly onboarding report goes (REPORT_CHANNEL_ID), unless the operator names another.
      { name: "fleet-reports", members: [SANDBOX.rep.id] },
    ],
    finchClientId: "sandbox-client-id",
    finchClientSecret: secrets.finchClientSecret,
  });
  const { slack, finch } = standIns;
  // Email goes the production way, nodemailer over SMTP, to a local SMTP stand-in (unless SMTP_URL names one).
  const smtp = base.email.smtpUrl ? null : await startSmtpStandIn();

  const port = base.http.port;
  // With PORT=0 the address is only known after listen(): the app then derives its public URL itself.
  const publicUrl = base.publicUrl ?? (port === 0 ? undefined : `http://localhost:${port}/`);
  const config = sandboxConfig(base, secrets, { slack: slack.url, finch: finch.url, publicUrl });
  if (smtp) config.email = { ...config.email, smtpUrl: smtp.url };
  config.report = { channelId: base.report.channelId ?? slack.channelByName("fleet-reports")?.id };
  if (publicUrl) announce(logger, `${publicUrl}sandbox`);

  let driver: SlackDriver | undefined;
  let scheduler: Scheduler | undefined;
  let routes: SandboxRoutes | undefined;
  const fleet = await startFleet(config, {
    logger,
    clock,
    extendRouter: (router, ctx) => {
      routes = mountSandboxRoutes(router, {
        ctx,
        slack,
        finch,
        driver: () => driver,
        clock,
        // The page's "fire the reminder now" runs one tick of its own scheduler instance (no cron): like a
        // second replica, it claims due reminders through the same leases, so nothing is sent twice.
        reminderTick: () => {
          scheduler ??= startScheduler(ctx, { cron: false, owner: `sandbox-page:${process.pid}` });
          return scheduler.tick();
        },
        sandbox: SANDBOX,
        ...(smtp ? { mailbox: smtp.mailbox } : {}),
      });
    },
  });
  driver = await new SlackDriver({
    url: `${fleet.url}/slack/events`,
    signingSecret: secrets.signingSecret,
    botUserId: SANDBOX.botUserId,
    teams: { [SANDBOX.homeTeam.id]: SANDBOX.homeTeam, [SANDBOX.customerTeam.id]: SANDBOX.customerTeam },
    responseUrlNow: () => clock.now().getTime(),
  }).start();
  routes?.attachDriver(driver);

  acceptInvitesAfterAMoment(slack, driver, logger);
  const sandboxDriver = driver;
  // Events Slack sends by itself (a private channel's new id once it is shared) reach the app as they would.
  slack.events.on("slackEvent", (event) => {
    sandboxDriver
      .event(event, { teamId: SANDBOX.homeTeam.id })
      .catch((err: unknown) => logger.warn({ err }, "sandbox: delivering a Slack event failed"));
  });

  const pageUrl = `${publicUrl ?? `http://localhost:${fleet.port}/`}sandbox`;
  if (!publicUrl) announce(logger, pageUrl);
  let stopped: Promise<void> | null = null;
  return {
    ...fleet,
    slackStandIn: slack,
    finchStandIn: finch,
    driver,
    clock,
    pageUrl,
    stop: () => {
      stopped ??= (async () => {
        // Live page connections first: the HTTP server waits for open responses before it closes.
        routes?.close();
        await scheduler?.stop();
        await fleet.stop();
        await driver?.stop();
        await standIns.stop();
        await smtp?.stop();
      })();
      return stopped;
    },
  };
}

/** The loud start-up line: the first thing a newcomer must read. */
function announce(logger: Logger, pageUrl: string): void {
  logger.warn(
    { sandbox: pageUrl },
    `SANDBOX MODE — no Slack or Finch credentials are configured, so built-in stand-ins play Slack and Finch. Open ${pageUrl} to try it. Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (see README) to connect a real workspace.`,
  );
}

/** In the sandbox the customer accepts every Slack Connect invitation after a moment, as a real one would. */
function acceptInvitesAfterAMoment(slack: SlackStandIn, driver: SlackDriver, logger: Logger): void {
  let nextUser = 1;
  slack.events.on("invite", (invite) => {
    if (invite.status !== "pending" || !invite.email) return;
    setTimeout(() => {
      const userId =
        invite.email === SANDBOX.hrAdmin.email
          ? SANDBOX.hrAdmin.id
          : `U0HR${String(nextUser++).padStart(3, "0")}`;
      try {
        const events = slack.acceptSharedInvite(invite.id, { userId, teamId: SANDBOX.customerTeam.id });
        (async () => {
          for (const event of events) await driver.event(event, { teamId: SANDBOX.homeTeam.id });
        })().catch((err: unknown) => logger.warn({ err }, "sandbox: delivering invite events failed"));
      } catch (err) {
        logger.debug({ err }, "sandbox: invite not accepted");
      }
    }, 800).unref();
  });
}
