/**
 * SIGKILL between the acknowledgement and the work: Slack got its 200 for a tick, the process holding it
 * dies before applying it (it is held up by a row lock the test takes on the onboarding), and the tick
 * must still be applied — by the restarted process on the same DATA_DIR, or by another replica. Real
 * separate processes on one PostgreSQL database (test/helpers/app-process.ts).
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checklistItems } from "../../src/checklist/items.ts";
import { getTemplate } from "../../src/checklist/template-registry.ts";
import { eventually, type Harness, HR, startHarness } from "../helpers/harness.ts";
import { onboardToChecklist } from "../helpers/onboard-to-checklist.ts";
import { checkboxes } from "../journeys/onboarding-journey.ts";

type Block = Parameters<typeof checkboxes>[0][number];
/** Short leases so a dead process's deliveries are taken over within seconds (default: a minute). */
const FAST = { INTAKE_LEASE_MS: "2000", INTAKE_POLL_MS: "200", SCHEDULER_ENABLED: "false" };

describe("SIGKILL after the acknowledgement", () => {
  let h: Harness;
  let locker: pg.Client;
  beforeAll(async () => {
    h = await startHarness({ db: "postgres" });
    locker = new pg.Client({ connectionString: (h.db as { url?: string }).url });
    await locker.connect();
  }, 120_000);
  afterAll(async () => {
    await locker?.end().catch(() => {});
    await h?.stop();
  });

  const onboardWithChecklist = (company: string) => onboardToChecklist(h, company);

  /** Ticks a customer step on `appUrl` while the onboarding's row is locked, then SIGKILLs `victim`. */
  async function tickThenKill(
    target: Awaited<ReturnType<typeof onboardWithChecklist>>,
    victim: Awaited<ReturnType<Harness["startProcess"]>>,
    itemKey: string,
  ) {
    const box = checkboxes(target.checklist.blocks as Block[]).find((b) => b.value === itemKey);
    if (!box) throw new Error(`no checkbox ${itemKey}`);
    await locker.query("begin");
    await locker.query("select 1 from onboarding where id = $1 for update", [target.onboarding.id]);
    const driver = await h.driverFor(victim.url);
    const res = await driver.blockActions({
      user: { id: HR.id, teamId: HR.teamId },
      channelId: target.channel.id,
      message: target.checklist,
      actions: [{ action_id: box.actionId, block_id: box.blockId, selected_options: [{ value: itemKey }] }],
    });
    expect(res.status).toBe(200);
    // Acknowledged and stored; the process is now stuck on the lock, in the middle of applying it.
    const row = await eventually(
      () =>
        h.db.prisma.intakeDelivery.findFirst({
          where: { kind: "block_actions", status: "applying", channelId: target.channel.id },
        }),
      10_000,
      "the tick in the intake",
    );
    await victim.kill();
    // Not applied while the victim held it: its one write statement is still waiting on our lock.
    const state = await h.db.prisma.stepState.findUnique({
      where: { onboardingId_itemKey: { onboardingId: target.onboarding.id, itemKey } },
    });
    expect(state?.done ?? false).toBe(false);
    // PostgreSQL only notices a dead client when it next talks to it, so once the lock goes, the dead
    // process's in-flight statement may still commit (each item change is one autocommit statement).
    // That is harmless by design: the change is one idempotent statement, and the survivor re-applying it
    // records nothing twice (expectApplied: one `tick` row, attempts 2, the checklist re-rendered).
    await locker.query("rollback");
    return row.key;
  }

  async function expectApplied(
    target: Awaited<ReturnType<typeof onboardWithChecklist>>,
    itemKey: string,
    key: string,
  ) {
    await eventually(
      async () =>
        (
          await h.db.prisma.stepState.findUnique({
            where: { onboardingId_itemKey: { onboardingId: target.onboarding.id, itemKey } },
          })
        )?.done,
      30_000,
      "the tick applied after the kill",
    );
    await eventually(
      () => {
        const shown = h.slack.messages(target.channel.id).find((m) => m.ts === target.checklist.ts);
        return checkboxes((shown?.blocks ?? []) as Block[]).find((c) => c.value === itemKey)?.ticked;
      },
      15_000,
      "the tick in the pinned checklist",
    );
    const row = await eventually(
      async () => {
        const r = await h.db.prisma.intakeDelivery.findUniqueOrThrow({ where: { key } });
        return r.status === "done" ? r : null;
      },
      10_000,
      "the delivery marked applied",
    );
    // Attempt 1 died with its process; attempt 2 was the survivor's.
    expect(row.attempts).toBe(2);
    expect(await h.db.prisma.tick.count({ where: { onboardingId: target.onboarding.id, itemKey } })).toBe(1);
  }

  it("the restarted process (same DATA_DIR) applies the tick the killed one had acknowledged", async () => {
    const target = await onboardWithChecklist("Killed Co");
    // Only processes from here on: the harness's in-process app would otherwise take the delivery over.
    await h.app.stop();
    const [item] = checklistItems(getTemplate("justworks")).filter((i) => i.owner === "customer");
    const first = await h.startProcess({ label: "first", env: FAST });
    const key = await tickThenKill(target, first, item?.key ?? "");
    const restarted = await h.startProcess({ label: "restarted", env: FAST, dataDir: first.dataDir });
    await expectApplied(target, item?.key ?? "", key);
    await restarted.stop();
  }, 180_000);

  it("another replica applies the tick a killed replica had acknowledged", async () => {
    const a = await h.startProcess({ label: "replica-a", env: FAST });
    const b = await h.startProcess({ label: "replica-b", env: FAST });
    const target = await onboardToChecklist(h, "Replica Co", await h.driverFor(b.url));
    const [, item] = checklistItems(getTemplate("justworks")).filter((i) => i.owner === "customer");
    const key = await tickThenKill(target, a, item?.key ?? "");
    await expectApplied(target, item?.key ?? "", key);
    await b.stop();
  }, 180_000);
});
