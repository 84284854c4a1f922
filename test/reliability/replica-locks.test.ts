/**
 * Serialization across replicas (#12): two app PROCESSES on one PostgreSQL database never verify the same
 * onboarding at once (advisory lock, db/locks.ts), and a burst of ticks spread over both ends with the latest
 * checklist in Slack, each process still folding its burst (fewer chat.update calls than ticks).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checklistItems } from "../../src/checklist/items.ts";
import { getTemplate } from "../../src/checklist/template-registry.ts";
import type { CallRecord } from "../../src/sandbox/finch/types.ts";
import type { SlackDriver } from "../../src/sandbox/slack-driver/index.ts";
import { ActionId, MetadataEventType } from "../../src/slack-gateway/ids.ts";
import { connect, onboard, threadReplies, verifications } from "../finch/helpers.ts";
import type { AppProcess } from "../helpers/app-process.ts";
import { eventually, type Harness, HOME_TEAM, HR, REP, startHarness } from "../helpers/harness.ts";
import { checkboxes } from "../journeys/onboarding-journey.ts";

type Block = Parameters<typeof checkboxes>[0][number];

/** The most intervals [at, at + duration] that overlap at one moment. */
function maxOverlap(calls: CallRecord[]): number {
  const edges = calls.flatMap((c) => {
    const start = Date.parse(c.at);
    return [
      { t: start, d: 1 },
      { t: start + c.durationMs, d: -1 },
    ];
  });
  edges.sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let max = 0;
  for (const e of edges) {
    now += e.d;
    max = Math.max(max, now);
  }
  return max;
}

describe("two app processes, one PostgreSQL database", () => {
  let h: Harness;
  let replicas: AppProcess[];
  let drivers: SlackDriver[];
  beforeAll(async () => {
    h = await startHarness({ db: "postgres" });
    replicas = [
      await h.startProcess({ label: "replica-1", env: { SCHEDULER_ENABLED: "false" } }),
      await h.startProcess({ label: "replica-2", env: { SCHEDULER_ENABLED: "false" } }),
    ];
    drivers = await Promise.all(replicas.map((r) => h.driverFor(r.url)));
  }, 120_000);
  afterAll(async () => h?.stop());

  it("verifications of one onboarding never overlap, whichever replica runs them", async () => {
    const o = await onboard(h);
    await connect(h, o);
    await eventually(() => verifications(h, o).length > 0 || null, 15_000, "the first verification");
    const connection = await h.db.prisma.finchConnection.findUniqueOrThrow({ where: { onboardingId: o.id } });
    const seen: CallRecord[] = [];
    h.finch.events.on("call", (call) => {
      if (call.path === "/introspect" && call.connectionId === connection.connectionId) seen.push(call);
    });
    // Re-check has a 10 s cooldown after the last verification; then six presses arrive together, three on
    // each replica. A slow Finch: each verification spends 300 ms introspecting.
    // Counted from the latest verification stored (a webhook's may follow the callback's), not the first seen.
    for (;;) {
      const latest = await h.db.prisma.verification.findFirstOrThrow({
        where: { onboardingId: o.id },
        orderBy: { createdAt: "desc" },
      });
      const wait = latest.createdAt.getTime() + 10_500 - Date.now();
      if (wait <= 0) break;
      await new Promise((r) => setTimeout(r, wait));
    }
    h.finch.injectFault({ path: "/introspect", delayMs: 300, times: Number.POSITIVE_INFINITY });
    try {
      const before = threadReplies(h, o).length;
      const report = verifications(h, o).at(-1);
      // Presses of one button in one channel are applied in order (issue 22), so the later ones meet the
      // cooldown. The App Home's re-check is a rep's explicit ask (not ordered, no cooldown): pressed on both
      // replicas at the same moment, those verifications would overlap without the lock.
      const inChannel = (i: number) =>
        (drivers[i] as SlackDriver).blockActions({
          user: { id: REP.id, teamId: HOME_TEAM.id },
          channelId: o.channelId,
          message: report,
          actions: [{ action_id: ActionId.recheck, type: "button", value: o.id }],
        });
      const fromHome = (i: number) =>
        (drivers[i] as SlackDriver).blockActions({
          user: { id: REP.id, teamId: HOME_TEAM.id },
          view: { id: "V0HOME", type: "home", blocks: [] as never },
          actions: [{ action_id: ActionId.homeRecheck, type: "button", value: o.id }],
        });
      const results = await Promise.all([
        inChannel(0),
        fromHome(1),
        inChannel(1),
        fromHome(0),
        inChannel(0),
        fromHome(1),
      ]);
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
      await eventually(() => seen.length >= 2 || null, 20_000, "re-checks on both replicas");
      await new Promise((r) => setTimeout(r, 3_000));
      // Nothing changed at Finch: each re-check that ran answers in one line, not with a full report.
      expect(
        threadReplies(h, o)
          .slice(before)
          .filter((m) => /same result/i.test(m.text ?? "")).length,
      ).toBeGreaterThan(0);
    } finally {
      h.finch.clearFaults();
    }
    // Those that ran together (the Home's, and a channel press that passed the cooldown) ran one after the
    // other, whichever replica ran them.
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(maxOverlap(seen)).toBe(1);
    // Its own waits (the 10.5 s cooldown, up to 20 s for both replicas, 3 s settling) need more than the
    // default 30 s on two busy cores.
  }, 90_000);

  it("a burst of ticks on both replicas ends with the latest checklist, fewer renders than ticks", async () => {
    const o = await onboard(h);
    const stored = await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: o.id } });
    const items = checklistItems(getTemplate(stored.providerId)).filter((i) => i.owner === "customer");
    expect(items.length).toBeGreaterThanOrEqual(6);
    const updatesBefore = h.slack.callsTo("chat.update").length;
    // A slow Slack, so renders of both instances would overlap without the lock.
    h.slack.injectFault({ method: "chat.update", delayMs: 250, times: 1_000 });
    try {
      const message = h.slack.messages(o.channelId).find((m) => m.ts === o.checklistTs);
      if (!message) throw new Error("no checklist");
      const boxes = checkboxes(message.blocks as Block[]);
      await Promise.all(
        items.map(async (item, i) => {
          const box = boxes.find((b) => b.value === item.key);
          const res = await (drivers[i % 2] as SlackDriver).blockActions({
            user: { id: HR.id, teamId: HR.teamId },
            channelId: o.channelId,
            message,
            actions: [
              {
                action_id: box?.actionId ?? "",
                block_id: box?.blockId,
                selected_options: [{ value: item.key }],
              },
            ],
          });
          expect(res.status).toBe(200);
        }),
      );
      await eventually(
        async () =>
          (await h.db.prisma.stepState.count({ where: { onboardingId: o.id, done: true } })) >=
            items.length || null,
        20_000,
        "every tick stored",
      );
      await eventually(
        () => {
          const shown = h.slack.messages(o.channelId).find((m) => m.ts === o.checklistTs);
          const done = (shown?.metadata?.event_payload as { items_done?: number } | undefined)?.items_done;
          return (done ?? 0) >= items.length || null;
        },
        30_000,
        "the latest checklist in Slack",
      );
    } finally {
      h.slack.clearFaults();
    }
    const checklist = h.slack.messages(o.channelId).find((m) => m.ts === o.checklistTs);
    expect(checklist?.metadata?.event_type).toBe(MetadataEventType.checklist);
    const doneNow = await h.db.prisma.stepState.count({ where: { onboardingId: o.id, done: true } });
    expect((checklist?.metadata?.event_payload as { items_done?: number } | undefined)?.items_done).toBe(
      doneNow,
    );
    // Folded: far fewer renders than ticks (each instance renders, and re-renders once for what came meanwhile).
    const updates = h.slack.callsTo("chat.update").length - updatesBefore;
    expect(updates).toBeLessThan(items.length);
  });
});
