/**
 * The rep's morning digest when Slack posts it and the answer is lost (5xx page, no answer, dropped
 * connection): the jobs client never retries on its own, and the next claim looks in the DM first (#12).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/context.ts";
import { type Scheduler, startScheduler } from "../../src/reminders/scheduler/index.ts";
import type { FaultSpec } from "../../src/sandbox/slack/types.ts";
import { MetadataEventType } from "../../src/slack-gateway/ids.ts";
import { dmMessages, type Harness, HOME_TEAM, startHarness } from "../helpers/harness.ts";
import { seedOnboarding } from "./helpers.ts";

const LOST_ANSWERS: Array<NonNullable<FaultSpec["after"]>> = ["5xx", "timeout", "drop"];

describe("the rep digest, after a lost answer", () => {
  const clock = new ManualClock(new Date("2026-10-01T12:00:00Z"));
  let h: Harness;
  let scheduler: Scheduler;
  beforeAll(async () => {
    h = await startHarness({ clock, env: { SLACK_API_TIMEOUT_MS: "400", SLACK_API_RETRIES: "2" } });
    scheduler = startScheduler(h.app.ctx, { cron: false, owner: "digest-lost" });
  });
  afterAll(async () => {
    await scheduler?.stop();
    await h?.stop();
  });

  it.each(LOST_ANSWERS.map((after, i) => [after, i] as const))(
    "posted, then %s: exactly one digest",
    async (after, i) => {
      const rep = { id: `U0DIG${i}`, teamId: HOME_TEAM.id, name: `dig${i}.rep`, tz: "Europe/Berlin" };
      h.slack.addUser(rep);
      const day = 10 + i * 3;
      await seedOnboarding(h, {
        ownerUserId: rep.id,
        company: `Digest ${after} Co`,
        callAt: new Date(`2026-11-${day + 1}T15:00:00Z`),
        timeZone: "Europe/Berlin",
      });
      clock.set(new Date(`2026-11-${day}T07:31:00Z`)); // 08:31 in Berlin
      h.slack.injectFault({ method: "chat.postMessage", after });
      await scheduler.tick();
      // Later the same morning: the reminder is due again and looks before it posts.
      for (const minutes of [5, 30, 90]) {
        clock.set(new Date(Date.parse(`2026-11-${day}T07:31:00Z`) + minutes * 60_000));
        await scheduler.tick();
      }
      const digests = dmMessages(h.slack, rep.id).filter(
        (m) => m.metadata?.event_type === MetadataEventType.repDigest,
      );
      expect(digests).toHaveLength(1);
      const row = await h.db.prisma.reminder.findFirstOrThrow({
        where: { userId: rep.id, kind: "rep_digest" },
      });
      expect(row.status).toBe("sent");
      // The fault hit the digest: it was found in the DM rather than answered.
      const recovered = await h.db.prisma.auditEvent.count({
        where: { action: "reminder.recovered", detail: { path: ["reminderId"], equals: row.id } },
      });
      expect(recovered).toBe(1);
    },
  );
});
