/**
 * Crash safety across processes: a scheduler in a child process is killed with SIGKILL right after Slack
 * stored one of its posts and before it could record it; a second process takes over and every reminder
 * is in its channel exactly once — the orphaned ones found by their metadata, not posted again. The
 * scheduler posts to several channels at once, so the posts in flight at the kill all land as orphans.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../src/sandbox/slack/index.ts";
import { MetadataEventType } from "../../src/slack-gateway/ids.ts";
import { openTestDatabase } from "../helpers/db.ts";
import { eventually, type Harness, startHarness } from "../helpers/harness.ts";
import { allReminderMessages, metadataMessages, seedOnboarding } from "./helpers.ts";

const FIXTURE = fileURLToPath(new URL("../../bench/support/scheduler-child.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("a scheduler killed with SIGKILL in the middle of sending", () => {
  let h: Harness;
  let dbUrl: string;
  const children: ChildProcess[] = [];
  const output: string[] = [];

  beforeAll(async () => {
    const db = await openTestDatabase("postgres");
    dbUrl = db.url ?? "";
    h = await startHarness({ db });
  });
  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await h?.stop();
    await h?.db.close();
  });

  function startChild(owner: string): ChildProcess {
    const child = spawn(process.execPath, ["--import", "tsx", FIXTURE], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        TZ: "UTC",
        NODE_ENV: "test",
        LOG_LEVEL: "info",
        SLACK_BOT_TOKEN: h.secrets.botToken,
        SLACK_SIGNING_SECRET: h.secrets.signingSecret,
        SLACK_API_URL: h.slack.url,
        FINCH_CLIENT_ID: "finch-client-id",
        FINCH_CLIENT_SECRET: h.secrets.finchClientSecret,
        PUBLIC_URL: "http://127.0.0.1:9/",
        TOKEN_ENCRYPTION_KEY: h.secrets.encryptionKey,
        INTEGRATION_USER_EMAIL: "integrations+{slug}@fleet.example",
        DATABASE_URL: dbUrl,
        SCHEDULER_OWNER: owner,
        SCHEDULER_LEASE_MS: "2000",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d) => output.push(`[${owner}] ${d}`));
    child.stderr?.on("data", (d) => output.push(`[${owner}] ${d}`));
    children.push(child);
    return child;
  }

  const exited = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once("exit", () => resolve());
    });

  it("sees every reminder exactly once after a restart", async () => {
    const callAt = new Date(Date.now() + 2 * 3_600_000); // the day-before moment has passed: all due now
    const seeded = [];
    for (let i = 0; i < 20; i++) {
      seeded.push(await seedOnboarding(h, { callAt, timeZone: "Europe/Berlin", schedule: h.app.ctx }));
    }
    // Slow posts: the first process is reliably in the middle of sending when it dies.
    h.slack.injectFault({ method: "chat.postMessage", delayMs: 120, times: 1_000 });

    const first = startChild("child-a");
    // Killed the instant Slack stores its 5th reminder: the post happened, its recording cannot have.
    let stored = 0;
    let orphan: StoredMessage | undefined;
    const onMessage = (m: StoredMessage) => {
      if (m.metadata?.event_type !== MetadataEventType.reminder) return;
      stored++;
      if (stored === 5) {
        orphan = m;
        first.kill("SIGKILL");
      }
    };
    h.slack.events.on("message", onMessage);
    try {
      await eventually(() => orphan, 30_000, `5 reminders from the first process\n${output.join("")}`);
      await exited(first);
    } finally {
      h.slack.events.off("message", onMessage);
    }
    expect(first.signalCode).toBe("SIGKILL");
    // Posts still in flight at the kill land too (Slack got the requests): let them, then take stock.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const orphanId = String(orphan?.metadata?.event_payload.reminder_id);
    const stuck = await h.db.prisma.reminder.findUniqueOrThrow({ where: { id: orphanId } });
    expect(stuck).toMatchObject({ status: "sending", leasedBy: "child-a", messageTs: null, attempts: 1 });
    const landed = allReminderMessages(h.slack);
    const landedRows = await h.db.prisma.reminder.findMany({
      where: { id: { in: landed.map((m) => String(m.metadata?.event_payload.reminder_id)) } },
    });
    // Posted by the dead process but never recorded: each must be found again, none posted twice.
    const orphans = landedRows.filter((r) => r.messageTs === null);
    expect(orphans.length).toBeGreaterThanOrEqual(1);
    expect(landed.length).toBeGreaterThanOrEqual(5);
    expect(landed.length).toBeLessThan(20);

    const second = startChild("child-b");
    try {
      await eventually(
        async () => (await h.db.prisma.reminder.count({ where: { status: "sent" } })) === 20,
        30_000,
        `all 20 reminders sent\n${output.join("")}`,
      );
    } finally {
      second.kill("SIGTERM");
      await exited(second);
    }
    expect(second.exitCode).toBe(0);

    for (const s of seeded) expect(metadataMessages(h.slack, s.channelId), s.company).toHaveLength(1);
    expect(allReminderMessages(h.slack)).toHaveLength(20);
    // The orphans were recovered from the channel history, with the ts of the messages the dead process posted.
    const recovered = await h.db.prisma.reminder.findUniqueOrThrow({ where: { id: orphanId } });
    expect(recovered).toMatchObject({ status: "sent", messageTs: orphan?.ts, attempts: 1 });
    for (const o of orphans) {
      const message = landed.find((m) => m.metadata?.event_payload.reminder_id === o.id);
      expect(await h.db.prisma.reminder.findUniqueOrThrow({ where: { id: o.id } })).toMatchObject({
        status: "sent",
        messageTs: message?.ts,
        attempts: 1,
      });
    }
    expect(
      h.slack.callsTo("conversations.history").some((c) => c.args.include_all_metadata !== undefined),
    ).toBe(true);
    expect(
      await h.db.prisma.auditEvent.count({
        where: { action: "reminder.recovered", onboardingId: stuck.onboardingId },
      }),
    ).toBe(1);
    expect(await h.db.prisma.auditEvent.count({ where: { action: "reminder.recovered" } })).toBe(
      orphans.length,
    );
  }, 60_000);
});
