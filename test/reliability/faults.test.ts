/**
 * Faults: Slack 5xx, timeouts and 429 storms; PostgreSQL restarted while the app runs. The app recovers,
 * nothing is lost or duplicated. (Finch faults are covered in test/finch.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/client.ts";
import { createLogger } from "../../src/logger.ts";
import { onboard } from "../helpers/fixtures.ts";
import {
  acceptInvite,
  eventually,
  type Harness,
  HR,
  HR2,
  latestOnboardingChannel,
  startHarness,
} from "../helpers/harness.ts";
import { type PrivatePostgres, startPrivatePostgres } from "../helpers/private-pg.ts";

/** The command's answer may wait out Slack's faults and retries. */
const SLOW = { timeoutMs: 20_000 };

function checklists(h: Harness, channelId: string) {
  return h.slack.messages(channelId).filter((m) => m.metadata?.event_type === "onboarding_checklist");
}

describe("Slack faults", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { SLACK_API_TIMEOUT_MS: "400", SLACK_API_RETRIES: "2" } });
  });
  afterAll(async () => h?.stop());

  it("a passing 5xx is retried by the client: the onboarding completes with no duplicate", async () => {
    h.slack.injectFault({ method: "conversations.create", status: 503, times: 1 });
    h.slack.injectFault({ method: "conversations.inviteShared", status: 500, times: 1 });
    const report = await onboard(h, `onboard Flaky Co hr=${HR.email}`, SLOW);
    expect(report.text).toContain("is set up");
    expect(h.slack.allChannels().filter((c) => c.name.startsWith("fleet-flaky-co"))).toHaveLength(1);
    expect(h.slack.invites.filter((i) => i.email === HR.email)).toHaveLength(1);
  });

  it("a 5xx storm longer than the retries: the rep is told, and running the command again resumes without duplicates", async () => {
    h.slack.injectFault({ method: "conversations.inviteShared", status: 502, times: 10 });
    const first = await onboard(h, `onboard Storm Co hr=${HR.email},${HR2.email}`, SLOW);
    expect(first.text).toContain("Run the same `/fleet onboard` command again");
    h.slack.clearFaults();
    const second = await onboard(h, `onboard Storm Co hr=${HR.email},${HR2.email}`, SLOW);
    expect(second.text).toContain("set up (resumed)");
    const channel = await latestOnboardingChannel(h);
    expect(checklists(h, channel.id)).toHaveLength(1);
    // One pending invitation per channel: the second HR admin waits for the first one's, never sent twice.
    expect(h.slack.invites.filter((i) => i.channelId === channel.id).map((i) => i.email)).toEqual([HR.email]);
    expect((await h.db.prisma.invite.findFirstOrThrow({ where: { email: HR2.email } })).status).toBe(
      "waiting",
    );
  });

  it("timeouts: a call slower than the client timeout fails cleanly and the rerun resumes", async () => {
    h.slack.injectFault({ method: "pins.add", delayMs: 1_500, times: 3 });
    const first = await onboard(h, `onboard Tardy Co hr=${HR.email}`, SLOW);
    expect(first.text).toContain("Pinning the checklist");
    const second = await onboard(h, `onboard Tardy Co hr=${HR.email}`, SLOW);
    expect(second.text).not.toContain(":x:");
    const channel = await latestOnboardingChannel(h);
    expect(checklists(h, channel.id)).toHaveLength(1);
    expect(h.slack.pins(channel.id)).toHaveLength(1);
  }, 30_000);

  it("a 429 storm on chat.update: Retry-After is honoured and the final checklist shows every tick", async () => {
    await onboard(h, `onboard Busy Co hr=${HR.email}`, SLOW);
    const channel = await latestOnboardingChannel(h);
    await acceptInvite(h, HR.email, HR);
    const [checklist] = checklists(h, channel.id);
    h.slack.injectFault({ method: "chat.update", retryAfterSeconds: 1, times: 2 });
    for (const key of ["add-user", "grant-admin"]) {
      await h.driver.blockActions({
        user: { id: HR.id, teamId: HR.teamId },
        channelId: channel.id,
        message: checklist!,
        actions: [{ action_id: `tick:${key}`, type: "checkboxes", selected_options: [{ value: key }] }],
      });
    }
    await eventually(
      () => {
        const m = h.slack.messages(channel.id).find((x) => x.ts === checklist!.ts);
        return m?.text.includes("2 of 6");
      },
      15_000,
      "both ticks shown",
    );
    expect(h.slack.calls.filter((c) => c.method === "chat.update" && c.status === 429).length).toBe(2);
    expect(await h.db.prisma.tick.count({ where: { onboarding: { channelId: channel.id } } })).toBe(2);
  }, 30_000);
});

describe("PostgreSQL restarted while the app runs", () => {
  let pg: PrivatePostgres;
  let db: Database;
  let h: Harness;
  beforeAll(async () => {
    pg = await startPrivatePostgres();
    db = await openDatabase({
      url: pg.url,
      dataDir: "unused",
      logger: createLogger({ level: "silent" }),
      poolSize: 4,
    });
    h = await startHarness({ db });
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
    await db?.close().catch(() => {});
    await pg?.destroy();
  });

  it("health says degraded during the outage, the tick made meanwhile is applied after it, and a retry counts once", async () => {
    await onboard(h, `onboard Durable Co hr=${HR.email}`, SLOW);
    const channel = await latestOnboardingChannel(h);
    await acceptInvite(h, HR.email, HR);
    const [checklist] = checklists(h, channel.id);

    await pg.stop();
    // Still in the pool: the intake spools what Slack sends (src/http/health.ts).
    const health = await eventually(
      async () => {
        const res = await fetch(`${h.app.url}/healthz`);
        const body = (await res.json()) as { status: string };
        return body.status === "degraded" ? { code: res.status, body } : null;
      },
      15_000,
      "health degraded",
    );
    expect(health.code).toBe(200);
    const tick = (triggerId: string, retryNum?: number) =>
      h.driver.blockActions(
        {
          user: { id: HR.id, teamId: HR.teamId },
          channelId: channel.id,
          message: checklist!,
          triggerId,
          actions: [
            {
              action_id: "tick:add-user",
              type: "checkboxes",
              selected_options: [{ value: "add-user" }],
              action_ts: "1.000001",
            },
          ],
        },
        retryNum ? { retryNum } : {},
      );
    const during = await tick("9.9.outage");
    expect(during.status).toBe(200);
    expect(during.ms).toBeLessThan(1_500);
    await pg.start();
    await eventually(
      async () =>
        ((await (await fetch(`${h.app.url}/healthz`)).json()) as { status: string }).status === "ok",
      30_000,
      "health ok",
    );

    // Applied without anyone ticking again; Slack redelivering the same action counts once.
    for (const n of [1, 2]) await tick("9.9.outage", n);
    await eventually(() => h.db.prisma.tick.count(), 15_000, "tick after restart");
    await new Promise((r) => setTimeout(r, 500));
    expect(await h.db.prisma.tick.count()).toBe(1);
    expect(await h.db.prisma.onboarding.count()).toBe(1);
    const res = await onboard(h, `onboard Durable Co hr=${HR.email}`, SLOW);
    expect(res.text).toContain("resumed");
    expect(checklists(h, channel.id)).toHaveLength(1);
  }, 90_000);
});
