/**
 * GET /metrics over real HTTP: never served on the public port without a token, guarded by the bearer
 * token there, open on its own METRICS_PORT; parsed with a Prometheus text parser, its intake and reminder
 * figures move as deliveries are applied and reminders are sent (Slack 429s counted too).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.ts";
import { ManualClock } from "../../src/context.ts";
import { Router } from "../../src/http/router.ts";
import { metricsRegistry } from "../../src/metrics/instruments.ts";
import { refreshGauges } from "../../src/metrics-http/snapshot.ts";
import { startScheduler } from "../../src/reminders/scheduler/index.ts";
import { type Harness, HOME_TEAM, REP, startHarness } from "../helpers/harness.ts";
import { seedOnboarding } from "../reminders/helpers.ts";
import { parseScrape, scrape } from "./scrape.ts";

const TOKEN = randomBytes(24).toString("hex");

describe("GET /metrics", () => {
  const clock = new ManualClock();
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ clock, env: { METRICS_TOKEN: TOKEN, METRICS_PORT: "0" } });
  });
  afterAll(async () => h?.stop());

  const publicMetrics = () => `${h.app.url}/metrics`;

  it("asks for the bearer token on the public port", async () => {
    expect((await fetch(publicMetrics())).status).toBe(401);
    const wrong = await fetch(publicMetrics(), { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    const scraped = await scrape(publicMetrics(), TOKEN);
    expect(scraped.has("process_cpu_user_seconds_total")).toBe(true);
    expect(scraped.has("nodejs_eventloop_lag_seconds")).toBe(true);
  });

  it("serves the metrics port too, and nothing else there", async () => {
    const url = h.app.metricsUrl ?? "";
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect((await fetch(url)).status).toBe(401);
    expect((await scrape(url, TOKEN)).has("fleet_onboardings")).toBe(true);
    expect((await fetch(url.replace("/metrics", "/healthz"))).status).toBe(404);
  });

  it("counts waiting and dead deliveries, the oldest pending age, and applied deliveries", async () => {
    const before = await scrape(publicMetrics(), TOKEN);
    const now = clock.now();
    // A pending row not yet due for a retry (the worker leaves it alone), one another process applies, a dead one.
    await h.db.prisma.intakeDelivery.createMany({
      data: [
        {
          key: `metrics-pending-${now.getTime()}`,
          source: "slack",
          kind: "command",
          summary: "test",
          status: "pending",
          receivedAt: new Date(now.getTime() - 120_000),
          nextAttemptAt: new Date(now.getTime() + 86_400_000),
        },
        {
          // Held by another process (its lease runs for a day): applying, and left alone here.
          key: `metrics-applying-${now.getTime()}`,
          source: "slack",
          kind: "command",
          summary: "test",
          status: "applying",
          owner: "another-process",
          leaseUntil: new Date(now.getTime() + 86_400_000),
          receivedAt: new Date(now.getTime() - 60_000),
        },
        {
          key: `metrics-dead-${now.getTime()}`,
          source: "slack",
          kind: "command",
          summary: "t",
          status: "dead",
        },
      ],
    });
    const res = await h.driver.command({
      text: "help",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: "C0SALES",
    });
    expect(res.status).toBe(200);
    const after = await scrape(publicMetrics(), TOKEN);
    expect(after.value("fleet_intake_deliveries", { status: "pending" })).toBe(
      before.value("fleet_intake_deliveries", { status: "pending" }) + 1,
    );
    expect(after.value("fleet_intake_deliveries", { status: "applying" })).toBe(
      before.value("fleet_intake_deliveries", { status: "applying" }) + 1,
    );
    expect(after.value("fleet_intake_deliveries", { status: "dead" })).toBe(
      before.value("fleet_intake_deliveries", { status: "dead" }) + 1,
    );
    expect(after.value("fleet_intake_oldest_pending_seconds")).toBeGreaterThanOrEqual(120);
    const applied = (s: typeof before) =>
      s.histogram("fleet_intake_apply_seconds", { outcome: "applied" }).count;
    expect(applied(after)).toBeGreaterThan(applied(before));
    expect(after.value("fleet_intake_spool_files")).toBe(0);
    expect(after.has("fleet_intake_spool_bytes")).toBe(true);
  });

  it("shows the spool's files and bytes as the spool reports them", async () => {
    // A spool holding deliveries needs a database outage; here the scrape-time refresh is given a spool's usage.
    const spool = { usage: async () => ({ files: 3, bytes: 12_345 }) };
    await refreshGauges(h.db, spool, clock.now());
    const scraped = parseScrape(await metricsRegistry.metrics());
    expect(scraped.value("fleet_intake_spool_files")).toBe(3);
    expect(scraped.value("fleet_intake_spool_bytes")).toBe(12_345);
  });

  it("shows an overdue reminder, then its lag once sent, and Slack's 429 on the way", async () => {
    const now = clock.now();
    const callAt = new Date(now.getTime() + 8 * 3_600_000);
    const seeded = await seedOnboarding(h, { callAt, timeZone: "America/New_York" });
    await h.db.prisma.reminder.create({
      data: {
        onboardingId: seeded.onboardingId,
        kind: "day_before",
        dedupeKey: `metrics:${seeded.onboardingId}`,
        dueAt: new Date(now.getTime() - 90_000),
        callAt,
      },
    });
    const before = await scrape(publicMetrics(), TOKEN);
    expect(before.value("fleet_reminders_overdue")).toBeGreaterThanOrEqual(1);
    expect(before.value("fleet_reminder_oldest_overdue_seconds")).toBeGreaterThanOrEqual(90);
    expect(before.value("fleet_onboardings", { status: "active" })).toBeGreaterThanOrEqual(1);

    h.slack.injectFault({ method: "chat.postMessage", retryAfterSeconds: 1, times: 1 });
    const scheduler = startScheduler(h.app.ctx, { cron: false, owner: "metrics", planDaily: false });
    expect(await scheduler.tick()).toBe(1);
    await scheduler.stop();

    const after = await scrape(publicMetrics(), TOKEN);
    expect(after.value("fleet_reminders_overdue")).toBe(0);
    expect(after.value("fleet_reminder_oldest_overdue_seconds")).toBe(0);
    const lag = (s: typeof before) => s.histogram("fleet_reminder_lag_seconds", { kind: "day_before" });
    expect(lag(after).count).toBe(lag(before).count + 1);
    expect(lag(after).sum - lag(before).sum).toBeGreaterThanOrEqual(90);
    const posts = (s: typeof before, outcome: string) =>
      s.value("fleet_slack_api_calls_total", { method: "chat.postMessage", outcome });
    expect(posts(after, "rate_limited")).toBe(posts(before, "rate_limited") + 1);
    expect(posts(after, "ok")).toBeGreaterThan(posts(before, "ok"));
  });
});

describe("where /metrics is served", () => {
  const env = { TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64") };

  it("is not on the public port by default", async () => {
    const parsed = parseConfig(env);
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    const { mountMetrics } = await import("../../src/metrics-http/serve.ts");
    const router = new Router();
    const mounted = await mountMetrics(parsed.config, router, {} as never);
    expect(router.match("GET", "/metrics")).toBeNull();
    expect(mounted.url).toBeUndefined();
  });

  it("refuses a short token and a metrics port equal to the public port", () => {
    const short = parseConfig({ ...env, METRICS_TOKEN: "short" });
    expect(short.ok ? "" : short.problems.join("\n")).toContain("METRICS_TOKEN must be at least 16");
    const same = parseConfig({ ...env, PORT: "9100", METRICS_PORT: "9100" });
    expect(same.ok ? "" : same.problems.join("\n")).toContain("METRICS_PORT must differ from PORT");
  });
});
