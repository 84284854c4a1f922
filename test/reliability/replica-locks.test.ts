/**
 * Serialization across replicas (#12): two app instances on one PostgreSQL database never verify the same
 * onboarding at once (advisory lock, db/locks.ts), and a burst of ticks spread over both ends with the latest
 * checklist in Slack, each instance still folding its burst (fewer chat.update calls than ticks).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checklistItems } from "../../src/checklist/items.ts";
import { getTemplate } from "../../src/checklist/template-registry.ts";
import type { AppContext } from "../../src/context.ts";
import { verifyConnection } from "../../src/finch/verify.ts";
import { recordItemChange, refreshChecklist } from "../../src/onboarding/checklist-service.ts";
import type { CallRecord } from "../../src/sandbox/finch/types.ts";
import { MetadataEventType } from "../../src/slack-gateway/ids.ts";
import { connect, onboard, verifications } from "../finch/helpers.ts";
import { eventually, type Harness, HR, startHarness } from "../helpers/harness.ts";

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

describe("two instances, one PostgreSQL database", () => {
  let h: Harness;
  let second: AppContext;
  beforeAll(async () => {
    h = await startHarness({ db: "postgres" });
    second = (await h.startInstance()).ctx;
  });
  afterAll(async () => h?.stop());

  it("verifications of one onboarding never overlap, whichever instance runs them", async () => {
    const o = await onboard(h);
    await connect(h, o);
    await eventually(() => verifications(h, o).length > 0 || null, 15_000, "the first verification");
    const connection = await h.db.prisma.finchConnection.findUniqueOrThrow({ where: { onboardingId: o.id } });
    const seen: CallRecord[] = [];
    h.finch.events.on("call", (call) => {
      if (call.path === "/introspect" && call.connectionId === connection.connectionId) seen.push(call);
    });
    // A slow Finch: each verification spends 300 ms introspecting.
    h.finch.injectFault({ path: "/introspect", delayMs: 300, times: Number.POSITIVE_INFINITY });
    try {
      const run = (ctx: AppContext) =>
        verifyConnection(ctx, o.id, { trigger: "poll", announce: "if_changed" });
      await Promise.all([
        run(h.app.ctx),
        run(second),
        run(h.app.ctx),
        run(second),
        run(second),
        run(h.app.ctx),
      ]);
    } finally {
      h.finch.clearFaults();
    }
    expect(seen).toHaveLength(6);
    expect(maxOverlap(seen)).toBe(1);
  });

  it("a burst of ticks on both instances ends with the latest checklist, fewer renders than ticks", async () => {
    const o = await onboard(h);
    const stored = await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: o.id } });
    const items = checklistItems(getTemplate(stored.providerId)).filter((i) => i.owner === "customer");
    expect(items.length).toBeGreaterThanOrEqual(6);
    const updatesBefore = h.slack.callsTo("chat.update").length;
    // A slow Slack, so renders of both instances would overlap without the lock.
    h.slack.injectFault({ method: "chat.update", delayMs: 250, times: 1_000 });
    try {
      const actor = { userId: HR.id, teamId: HR.teamId, internal: false };
      await Promise.all(
        items.map(async (item, i) => {
          const ctx = i % 2 === 0 ? h.app.ctx : second;
          await recordItemChange(ctx, {
            onboardingId: o.id,
            itemKey: item.key,
            done: true,
            source: "slack",
            actor,
          });
          await refreshChecklist(ctx, o.id);
        }),
      );
    } finally {
      h.slack.clearFaults();
    }
    const checklist = h.slack.messages(o.channelId).find((m) => m.ts === o.checklistTs);
    expect(checklist?.metadata?.event_type).toBe(MetadataEventType.checklist);
    const doneNow = await h.db.prisma.stepState.count({ where: { onboardingId: o.id, done: true } });
    expect((checklist?.metadata?.event_payload as { items_done?: number }).items_done).toBe(doneNow);
    // Folded: far fewer renders than ticks (each instance renders, and re-renders once for what came meanwhile).
    const updates = h.slack.callsTo("chat.update").length - updatesBefore;
    expect(updates).toBeLessThan(items.length);
  });
});
