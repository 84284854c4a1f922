/**
 * Sandbox mode: no Slack or Finch credentials configured, so the app starts together with its Slack and
 * Finch stand-ins in one process. Everything goes through the same signed HTTP path Slack would use.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Config, loadConfigOrExit } from "../config.ts";
import { type RunningFleet, startFleet } from "../fleet.ts";
import type { Logger } from "../logger.ts";
import { FinchStandIn } from "./finch-standin.ts";
import { mountSandboxRoutes } from "./sandbox-routes.ts";
import { SlackDriver } from "./slack-driver.ts";
import { SlackStandIn } from "./slack-standin.ts";

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
} as const;

interface SandboxSecrets {
  botToken: string;
  signingSecret: string;
  finchClientSecret: string;
  finchWebhookSecret: string;
  encryptionKey: string;
}

/** A running sandbox: the app plus its stand-ins and a driver that acts as Slack. */
export interface RunningSandbox extends RunningFleet {
  slackStandIn: SlackStandIn;
  finchStandIn: FinchStandIn;
  driver: SlackDriver;
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

/** Starts stand-ins and the app wired to them. */
export async function startSandbox(base: Config, logger: Logger): Promise<RunningSandbox> {
  const secrets = sandboxSecrets(base.database.dataDir);
  const slack = await SlackStandIn.start({
    botToken: secrets.botToken,
    homeTeam: SANDBOX.homeTeam,
    botUserId: SANDBOX.botUserId,
    botId: SANDBOX.botId,
    botName: "fleet-concierge",
  });
  slack.addTeam(SANDBOX.customerTeam);
  slack.addUser({ ...SANDBOX.rep, teamId: SANDBOX.homeTeam.id, isAdmin: true });
  slack.addUser({ ...SANDBOX.hrAdmin, teamId: SANDBOX.customerTeam.id });
  slack.addChannel({ name: "general", isGeneral: true, members: [SANDBOX.rep.id] });
  const finch = await FinchStandIn.start({
    clientId: "sandbox-client-id",
    clientSecret: secrets.finchClientSecret,
  });

  const port = base.http.port;
  const config = loadConfigOrExit({
    SLACK_BOT_TOKEN: secrets.botToken,
    SLACK_SIGNING_SECRET: secrets.signingSecret,
    SLACK_API_URL: slack.url,
    FINCH_CLIENT_ID: "sandbox-client-id",
    FINCH_CLIENT_SECRET: secrets.finchClientSecret,
    FINCH_WEBHOOK_SECRET: secrets.finchWebhookSecret,
    FINCH_BASE_URL: finch.url,
    FINCH_SANDBOX: base.finch.sandbox ?? "finch",
    TOKEN_ENCRYPTION_KEY: base.encryption.key?.toString("base64") ?? secrets.encryptionKey,
    PUBLIC_URL: base.publicUrl ?? `http://localhost:${port}/`,
    INTEGRATION_USER_EMAIL: base.integrationUser.email ?? "integrations+{slug}@fleet.example",
  });

  let driver: SlackDriver | undefined;
  const fleet = await startFleet(config, {
    logger,
    extendRouter: (router, ctx) =>
      mountSandboxRoutes(router, { ctx, slack, finch, driver: () => driver, sandbox: SANDBOX }),
  });
  driver = await new SlackDriver({
    url: `${fleet.url}/slack/events`,
    signingSecret: secrets.signingSecret,
    botUserId: SANDBOX.botUserId,
    teams: { [SANDBOX.homeTeam.id]: SANDBOX.homeTeam, [SANDBOX.customerTeam.id]: SANDBOX.customerTeam },
  }).start();

  // In the sandbox the customer accepts every Slack Connect invitation after a moment, as a real one would.
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
          for (const event of events) await driver?.event(event, { teamId: SANDBOX.homeTeam.id });
        })().catch((err: unknown) => logger.warn({ err }, "sandbox: delivering invite events failed"));
      } catch (err) {
        logger.debug({ err }, "sandbox: invite not accepted");
      }
    }, 800).unref();
  });

  const pageUrl = `${config.publicUrl ?? `http://localhost:${port}/`}sandbox`;
  logger.warn(
    { sandbox: pageUrl },
    `SANDBOX MODE — no Slack or Finch credentials are configured, so built-in stand-ins play Slack and Finch. Open ${pageUrl} to try it. Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (see README) to connect a real workspace.`,
  );
  return {
    ...fleet,
    slackStandIn: slack,
    finchStandIn: finch,
    driver,
    stop: async () => {
      await fleet.stop();
      await driver?.stop();
      await slack.stop();
      await finch.stop();
    },
  };
}
