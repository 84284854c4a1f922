/**
 * Dead letters at scale (issue 22, point 9): the App Home pages through them (five a page, newest first), and
 * offers Retry all and Discard besides each one's Retry — each rep-only (refused and audited for anyone
 * else) and audited when done.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActionId } from "../../src/slack-gateway/ids.ts";
import {
  eventually,
  type Harness,
  HOME_TEAM,
  homeAfter as homeAfterAction,
  REP,
  REP2,
  startHarness,
} from "../helpers/harness.ts";

type HomeBlock = {
  type: string;
  block_id?: string;
  text?: { text: string };
  accessory?: { action_id?: string; value?: string };
  elements?: Array<{ action_id?: string; value?: string; text?: string | { text: string } }>;
};

describe("dead letters in the App Home", () => {
  let h: Harness;
  beforeAll(async () => {
    // The intake worker polls rarely here: retried rows stay visible as pending while the test looks.
    h = await startHarness({ env: { INTAKE_POLL_MS: "60000", FLEET_REP_USER_IDS: REP.id } });
    const base = Date.now() - 3_600_000;
    await h.db.prisma.intakeDelivery.createMany({
      data: Array.from({ length: 12 }, (_, i) => ({
        key: `test:dead:${String(i).padStart(2, "0")}`,
        source: "slack",
        kind: "block_actions",
        summary: `delivery number ${i}`,
        status: "dead",
        attempts: 10,
        lastError: `cause ${i}`,
        payload: "not-a-real-payload",
        receivedAt: new Date(base + i * 60_000),
      })),
    });
  });
  afterAll(async () => h?.stop());

  const homeAfter = (action: () => Promise<unknown>, userId = REP.id) =>
    homeAfterAction<HomeBlock>(h, action, userId);
  const openHome = (userId = REP.id) =>
    homeAfter(
      () =>
        h.driver.event(
          { type: "app_home_opened", user: userId, channel: "D0HOME", tab: "home", event_ts: "1.1" },
          { teamId: HOME_TEAM.id },
        ),
      userId,
    );
  const press = (userId: string, actionId: string, value: string) =>
    h.driver.blockActions({
      user: { id: userId, teamId: HOME_TEAM.id },
      view: { id: h.slack.homeView(userId)?.id ?? "V0HOME", type: "home", blocks: [] as never },
      actions: [{ action_id: actionId, type: "button", value }],
    });
  const listed = (blocks: HomeBlock[]) =>
    blocks.filter((b) => b.block_id?.startsWith("dead:")).map((b) => b.accessory?.value);
  const button = (blocks: HomeBlock[], prefix: string) =>
    blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id?.startsWith(prefix));

  it("pages through every dead letter, newest first, five at a time", async () => {
    const first = await openHome();
    expect(first.find((b) => b.block_id === "dead_letters")?.text?.text).toContain("12 deliveries");
    expect(listed(first)).toEqual([
      "test:dead:11",
      "test:dead:10",
      "test:dead:09",
      "test:dead:08",
      "test:dead:07",
    ]);
    const older = button(first, `${ActionId.deadLetterPage}:older`);
    expect(older).toBeDefined();
    const second = await homeAfter(() => press(REP.id, older?.action_id ?? "", older?.value ?? ""));
    expect(listed(second)).toEqual([
      "test:dead:06",
      "test:dead:05",
      "test:dead:04",
      "test:dead:03",
      "test:dead:02",
    ]);
    const next = button(second, `${ActionId.deadLetterPage}:older`);
    const third = await homeAfter(() => press(REP.id, next?.action_id ?? "", next?.value ?? ""));
    expect(listed(third)).toEqual(["test:dead:01", "test:dead:00"]);
    expect(button(third, `${ActionId.deadLetterPage}:older`)).toBeUndefined();
    expect(button(third, `${ActionId.deadLetterPage}:newer`)).toBeDefined();
    // Every listed one can be discarded; Retry all sits in the header.
    expect(third.find((b) => b.block_id === "dead_letters")?.accessory?.action_id).toBe(
      ActionId.deadLetterRetryAll,
    );
    expect(third.filter((b) => button([b], ActionId.deadLetterDiscard))).toHaveLength(2);
  });

  it("Discard and Retry all are refused to a non-rep (audited) and change nothing", async () => {
    await press(REP2.id, ActionId.deadLetterDiscard, "test:dead:05");
    await press(REP2.id, ActionId.deadLetterRetryAll, "12");
    await eventually(
      async () =>
        (await h.db.prisma.auditEvent.count({
          where: {
            actorUserId: REP2.id,
            action: {
              in: [`${ActionId.deadLetterDiscard}.refused`, `${ActionId.deadLetterRetryAll}.refused`],
            },
          },
        })) === 2,
      10_000,
      "both refusals",
    );
    expect(await h.db.prisma.intakeDelivery.count({ where: { status: "dead" } })).toBe(12);
  });

  it("a rep's Discard closes one without applying it; Retry all makes every other one due again; both audited", async () => {
    const afterDiscard = await homeAfter(() => press(REP.id, ActionId.deadLetterDiscard, "test:dead:05"));
    const discarded = await h.db.prisma.intakeDelivery.findUniqueOrThrow({ where: { key: "test:dead:05" } });
    expect(discarded).toMatchObject({ status: "done", payload: null, appliedAt: null });
    expect(discarded.lastError).toContain(REP.id);
    expect(afterDiscard.find((b) => b.block_id === "dead_letters")?.text?.text).toContain("11 deliveries");
    expect(listed(afterDiscard)).not.toContain("test:dead:05");

    const afterRetry = await homeAfter(() => press(REP.id, ActionId.deadLetterRetryAll, "11"));
    expect(afterRetry.some((b) => b.block_id === "dead_letters")).toBe(false);
    expect(await h.db.prisma.intakeDelivery.count({ where: { status: "dead" } })).toBe(0);
    expect(await h.db.prisma.intakeDelivery.count({ where: { status: "pending", attempts: 0 } })).toBe(11);
    const audits = await h.db.prisma.auditEvent.findMany({
      where: { actorUserId: REP.id, action: { in: ["intake.discard", "intake.retry_all"] } },
      orderBy: { id: "asc" },
    });
    expect(audits.map((a) => [a.action, a.detail])).toEqual([
      ["intake.discard", { key: "test:dead:05", discarded: true }],
      ["intake.retry_all", { retried: 11 }],
    ]);
  });
});
