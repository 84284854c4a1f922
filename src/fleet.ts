/**
 * Composition root: config → logger → database → Slack identity → services → Bolt → HTTP server → jobs,
 * and the graceful stop in reverse order. `startFleet` is also what tests start over real HTTP.
 */
import type { Server } from "node:http";
import { WebClient } from "@slack/web-api";
import { startWeeklyReportJob } from "./analytics/weekly-post.ts";
import { AppMemory } from "./app-memory.ts";
import { InFlight } from "./background.ts";
import { providerCatalogue } from "./checklist/provider-catalogue.ts";
import { providerChoices } from "./checklist/template-registry.ts";
import { startAlertJob } from "./cockpit/alerts.ts";
import { reportCarriedOutRequest } from "./cockpit/dead-letters.ts";
import { subscribeHomeRefresh } from "./cockpit/home.ts";
import { subscribeReminderAlerts } from "./cockpit/reminder-failures.ts";
import type { Config } from "./config.ts";
import { type AppContext, type Clock, type SlackIdentity, systemClock } from "./context.ts";
import { type Database, openDatabase } from "./db/client.ts";
import { startHealthWatch } from "./finch/health-watch.ts";
import { startFinchPolling } from "./finch/polling.ts";
import { OnboardingHooks } from "./hooks.ts";
import { mountFinchRoutes } from "./http/finch-routes.ts";
import { healthRoute } from "./http/health.ts";
import { Router } from "./http/router.ts";
import { closeServer, createHttpServer, listen } from "./http/server.ts";
import { DurableIntake } from "./intake/intake.ts";
import { SetAsideLedger } from "./intake/set-aside-ledger.ts";
import { Spool } from "./intake/spool.ts";
import { verifyKeyRing } from "./keys.ts";
import { createLogger, type Logger } from "./logger.ts";
import { mountMetrics } from "./metrics-http/serve.ts";
import { subscribeCelebration } from "./onboarding/checklist-service.ts";
import { startInviteQueueJob } from "./onboarding/invite-queue.ts";
import { mountPortalRoutes } from "./portal/routes.ts";
import { startScheduler } from "./reminders/scheduler/index.ts";
import { createSlackApp, type SlackApp } from "./slack/app.ts";
import { ApplierSlot } from "./slack/intake/applier-slot.ts";
import { forwardReplayedAnswer, tellDeadDelivery, tellObsoleteDelivery } from "./slack/intake/notices.ts";
import { registerListeners } from "./slack/listeners/index.ts";
import { webClientOptions } from "./slack-gateway/client-options.ts";

/** Extra knobs for tests and the sandbox. */
export interface FleetOptions {
  logger?: Logger;
  clock?: Clock;
  /** An already open database (tests share one between app instances). Not closed on stop. */
  db?: Database;
  /** More routes on the same port (the sandbox page). */
  extendRouter?: (router: Router, ctx: AppContext) => void;
}

/** A running app. */
export interface RunningFleet {
  url: string;
  port: number;
  ctx: AppContext;
  slack: SlackApp;
  server: Server;
  inFlight: InFlight;
  /** The metrics port's `/metrics` address, when METRICS_PORT is set. */
  metricsUrl?: string;
  stop(): Promise<void>;
}

/** Starts the whole app and resolves once it accepts requests. */
export async function startFleet(config: Config, options: FleetOptions = {}): Promise<RunningFleet> {
  const logger = options.logger ?? defaultLogger(config);
  const clock = options.clock ?? systemClock;
  const opening = options.db ? Promise.resolve(options.db) : openConfiguredDatabase(config, logger);
  const ownsDb = !options.db;
  const { db, prepared } = await alongsideDatabase(opening, ownsDb, () => withoutDatabase(config, logger));
  try {
    const { ctx, keys, identity } = buildContext(config, { logger, db, clock, ...prepared });
    const inFlight = new InFlight();
    const { spool, intake, setAside } = await openIntake(config, { db, keys, logger });
    ctx.setAside = setAside;
    setAside.onCarriedOut = (request) => reportCarriedOutRequest(ctx, request);

    const applier = new ApplierSlot();
    const slack = createWiredSlackApp(ctx, { config, identity, intake, inFlight, applier });

    let stopping = false;
    const router = new Router().on(
      "GET",
      "/healthz",
      healthRoute(db, () => stopping, spool, config.health),
    );
    // Feature routes: Finch callback/webhooks and Connect links (src/finch) mount here.
    mountFinchRoutes(router, ctx, inFlight, intake);
    mountPortalRoutes(router, ctx, intake);
    options.extendRouter?.(router, ctx);
    const metrics = await mountMetrics(config, router, {
      db,
      spool,
      logger,
      now: () => clock.now(),
      ...applier.metricsSource(),
    });
    const server = createHttpServer({
      router,
      logger,
      slackListener: slack.httpListener,
      keepAliveMs: config.http.keepAliveMs,
    });
    const port = await listen(server, config.http.port, config.http.host);
    await slack.start();
    // Always on (not a scheduler job): it applies what was acknowledged but not yet applied.
    intake.start();
    setAside.start();
    // Background jobs (reminders, Finch polling) start here and are stopped first on shutdown.
    const jobs = startJobs(ctx, config);
    const url = `http://127.0.0.1:${port}`;
    if (!config.publicUrl) ctx.publicUrl = `${url}/`;
    if (config.intake.applyInWorker) await applier.start(ctx, options.clock === undefined);
    logger.info(
      { port, mode: config.mode, database: db.kind, team: identity.teamId },
      "Fleet Concierge is up",
    );

    let stopped: Promise<void> | null = null;
    const stop = () => {
      stopped ??= stopInOrder({
        config,
        logger,
        jobs,
        slack,
        server,
        inFlight,
        intake,
        applier,
        setAside,
        metrics,
        beginStopping: () => {
          stopping = true;
        },
        closeDb: () => closeAppDb(ctx, ownsDb),
      });
      return stopped;
    };
    return { url, port, ctx, slack, server, inFlight, stop, metricsUrl: metrics.url };
  } catch (err) {
    if (ownsDb) await db.close();
    throw err;
  }
}

/** This app's caches and pending Home refreshes go with it; the database too, unless it was shared. */
async function closeAppDb(ctx: AppContext, ownsDb: boolean): Promise<void> {
  ctx.memory.dispose();
  if (ownsDb) await ctx.db.close();
}

/** Pino at the configured level; pretty only for a developer's terminal. */
function defaultLogger(config: Config): Logger {
  return createLogger({
    level: config.logLevel,
    pretty: config.nodeEnv === "development" && process.stdout.isTTY,
  });
}

/** The durable intake and its spool, once the key ring is known to open what is stored. */
async function openIntake(
  config: Config,
  { db, keys, logger }: { db: Database; keys: AppContext["keys"]; logger: Logger },
): Promise<{ spool: Spool; intake: DurableIntake; setAside: SetAsideLedger }> {
  const { spoolDir, spoolMaxFiles, spoolMaxBytes, ...intakeSettings } = config.intake;
  const spool = new Spool(spoolDir, keys, { maxFiles: spoolMaxFiles, maxBytes: spoolMaxBytes });
  const intake = new DurableIntake({ db, keys, logger }, spool, intakeSettings);

  await verifyKeyRing(db, keys);
  await intake.warmUp();
  // Every instance's set-aside files in the database, so reps see them all (each touches only its own).
  const setAside = new SetAsideLedger({ db, logger }, spool, intakeSettings.pollMs);
  return { spool, intake, setAside };
}

/** The database the config names (PGlite in DATA_DIR, or PostgreSQL at DATABASE_URL). */
function openConfiguredDatabase(config: Config, logger: Logger): Promise<Database> {
  return openDatabase({
    url: config.database.url,
    dataDir: config.database.dataDir,
    pgliteInThread: config.database.pgliteInThread,
    statementTimeoutMs: config.database.statementTimeoutMs,
    logger,
  });
}

/**
 * Runs `work` while the database opens (PGlite starts in its worker thread, PostgreSQL connects and
 * migrates: the main thread would otherwise wait idle) and returns both. A failed `work` closes the database
 * if this app `owns` it (not one shared by tests); a database that fails to open is the error reported.
 */
export async function alongsideDatabase<T>(
  opening: Promise<Database>,
  owns: boolean,
  work: () => Promise<T>,
): Promise<{ db: Database; prepared: T }> {
  const working = work();
  // Settled below in every path; this keeps a failure from also being an unhandled rejection meanwhile.
  working.catch(() => {});
  let db: Database;
  try {
    db = await opening;
  } catch (err) {
    await working.catch(() => {});
    throw err;
  }
  try {
    return { db, prepared: await working };
  } catch (err) {
    if (owns) await db.close();
    throw err;
  }
}

/**
 * What start-up needs no database for: the Slack client and who the bot is (`auth.test`, a round trip), and
 * the shipped provider templates (~0.3 s of YAML and schema work), read and checked now rather than inside
 * the first request's 3-second window (a replica's first press was once answered 404).
 */
async function withoutDatabase(
  config: Config,
  logger: Logger,
): Promise<{ client: WebClient; identity: SlackIdentity }> {
  const client = new WebClient(config.slack.botToken, webClientOptions(config, logger));
  const identity = whoAmI(client, logger);
  identity.catch(() => {});
  providerChoices();
  return { client, identity: await identity };
}

/** The app's context: the Slack client and who the bot is, the key ring, the public URL. */
function buildContext(
  config: Config,
  {
    logger,
    db,
    clock,
    client,
    identity,
  }: { logger: Logger; db: Database; clock: Clock; client: WebClient; identity: SlackIdentity },
): { ctx: AppContext; keys: AppContext["keys"]; identity: SlackIdentity } {
  // Until the port is known (PORT=0 in tests) the public URL may be provisional; fixed after listen().
  const publicUrl = config.publicUrl ?? `http://127.0.0.1:${config.http.port}/`;
  const ctx = newAppContext(config, { logger, db, clock, client, identity, publicUrl });
  return { ctx, keys: ctx.keys, identity };
}

/** A context with its effects subscribed, for this app or its applier thread (src/apply-worker.ts). */
export function newAppContext(
  config: Config,
  parts: Pick<AppContext, "logger" | "db" | "clock" | "identity" | "publicUrl"> & { client: WebClient },
): AppContext {
  if (!config.encryption.key) throw new Error("TOKEN_ENCRYPTION_KEY is required");
  const { client, ...rest } = parts;
  const keys = {
    current: { id: config.encryption.keyId, key: config.encryption.key },
    previous: config.encryption.previous,
  };
  const ctx: AppContext = {
    config,
    ...rest,
    slack: client,
    keys,
    hooks: new OnboardingHooks(),
    memory: new AppMemory(),
  };
  subscribeEffects(ctx);
  return ctx;
}

/** What follows an onboarding's change (the rep's Home refresh, then the celebration) and a reminder's failure. */
function subscribeEffects(ctx: AppContext): void {
  subscribeHomeRefresh(ctx);
  subscribeCelebration(ctx);
  subscribeReminderAlerts(ctx);
}

/** Background jobs (reminders, Finch polling, alerts …), when the scheduler is enabled; stopped first. */
function startJobs(ctx: AppContext, config: Config): Array<{ stop(): Promise<void> }> {
  const jobs: Array<{ stop(): Promise<void> }> = [];
  if (config.schedulerEnabled) jobs.push(startFinchPolling(ctx, { intervalMs: 60_000 }));
  if (config.schedulerEnabled) jobs.push(startAlertJob(ctx));
  if (config.schedulerEnabled) jobs.push(startInviteQueueJob(ctx));
  if (config.schedulerEnabled) jobs.push(startHealthWatch(ctx));
  if (config.schedulerEnabled) jobs.push(startScheduler(ctx));
  if (config.schedulerEnabled && config.report.channelId) jobs.push(startWeeklyReportJob(ctx));
  return jobs;
}

/** What the graceful stop closes, in order. */
interface Stoppable {
  config: Config;
  logger: Logger;
  jobs: Array<{ stop(): Promise<void> }>;
  slack: SlackApp;
  server: Server;
  inFlight: InFlight;
  intake: DurableIntake;
  applier: ApplierSlot;
  setAside: { stop(): Promise<void> };
  metrics: { stop(): Promise<void> };
  /** From now on /healthz answers 503. */
  beginStopping(): void;
  closeDb(): Promise<void>;
}

/** The graceful stop: drain, then jobs, Slack, HTTP, work in flight, the intake and the database. */
async function stopInOrder(p: Stoppable): Promise<void> {
  const { config, logger, jobs, slack, server, inFlight, intake } = p;
  // /healthz answers 503 from now on; the app keeps serving for the drain period, while the load balancer
  // notices and stops sending, so requests already on their way are still answered.
  p.beginStopping();
  logger.info({ drainMs: config.http.drainMs }, "stopping: draining, then finishing work in flight");
  await Promise.all([...jobs.map((job) => job.stop()), drainPeriod(config.http.drainMs)]);
  await slack.stop();
  await closeServer(server);
  await p.metrics.stop();
  const drained = await inFlight.drain(15_000);
  if (!drained) logger.warn({ pending: inFlight.size }, "stopped with work still in flight");
  // The applier thread first: what it applies still holds leases the intake's stop would hand over.
  await p.applier.stop();
  await p.setAside.stop();
  await intake.stop();
  await p.closeDb();
  logger.info("stopped");
}

/** Waits out the drain period in real time (not the app's clock: a load balancer's health checks run on it). */
function drainPeriod(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** `auth.test`: who the bot is and which team is "home" (everyone else is an external customer user). */
async function whoAmI(client: WebClient, logger: Logger): Promise<SlackIdentity> {
  const auth = await client.auth.test();
  if (!auth.team_id || !auth.user_id) throw new Error("auth.test did not return the bot's team and user");
  logger.debug(
    { team: auth.team_id, enterprise: auth.enterprise_id, botUser: auth.user_id },
    "slack identity",
  );
  return {
    teamId: auth.team_id,
    teamName: auth.team,
    botUserId: auth.user_id,
    botId: auth.bot_id,
    ...(auth.enterprise_id ? { enterpriseId: auth.enterprise_id } : {}),
  };
}

/** The Bolt app behind the durable intake, its listeners registered and the intake's notices wired to it. */
function createWiredSlackApp(
  ctx: AppContext,
  parts: {
    config: Config;
    identity: SlackIdentity;
    intake: DurableIntake;
    inFlight: InFlight;
    applier: ApplierSlot;
  },
): ReturnType<typeof createSlackApp> {
  const { config, identity, intake, inFlight, applier } = parts;
  const slack = createSlackApp(config, ctx.logger, identity, {
    intake,
    logger: ctx.logger,
    applyElsewhere: applier.apply,
    forwardAnswer: (delivery, answer) => forwardReplayedAnswer(ctx, delivery, answer),
    parseContext: () => ({
      now: ctx.clock.now(),
      defaultTimeZone: config.defaultTimeZone,
      providers: providerCatalogue(ctx).allProviderChoices(),
    }),
  });
  ctx.slack = slack.app.client;
  intake.onDead = (delivery) => tellDeadDelivery(ctx, delivery);
  intake.onObsolete = (delivery) => tellObsoleteDelivery(ctx, delivery);
  registerListeners(slack.app, ctx, inFlight);
  return slack;
}
