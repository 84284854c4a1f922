/**
 * Spool files set aside (issue 22, point 8): reps see them in the App Home (how many, a page of five at a
 * time) with Retry (put back in line, replayed into the database) and Discard (deleted); both rep-only
 * (refused and audited for anyone else) and audited when done.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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
import { putRejected } from "../helpers/set-aside.ts";

type HomeBlock = {
  block_id?: string;
  text?: { text: string };
  accessory?: { action_id?: string; value?: string };
  elements?: Array<{ action_id?: string; value?: string }>;
};

describe("set-aside spool files in the App Home", () => {
  let h: Harness;
  let dir: string;
  const names: string[] = [];
  beforeAll(async () => {
    h = await startHarness({ env: { FLEET_REP_USER_IDS: REP.id } });
    dir = h.config.intake.spoolDir;
    // Six whole deliveries the database "refused", set aside.
    names.push(
      ...(await putRejected(
        dir,
        h.app.ctx.keys,
        [0, 1, 2, 3, 4, 5].map((i) => `EvSetAside${i}`),
      )),
    );
    // And one no key opens.
    const garbage = "001700000009999-000009-ffff.json.unreadable";
    writeFileSync(join(dir, garbage), "not a ciphertext");
    names.push(garbage);
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
  const shown = (blocks: HomeBlock[]) => blocks.filter((b) => /^set_aside:\d+$/.test(b.block_id ?? ""));
  /** The files listed, by name: each button's value is `<name>@<the instance that holds it>`. */
  const listed = (blocks: HomeBlock[]) => shown(blocks).map((b) => b.accessory?.value?.split("@")[0]);

  it("lists them for reps, five a page, oldest first; not for others", async () => {
    const first = await openHome();
    expect(first.find((b) => b.block_id === "set_aside")?.text?.text).toContain("7 saved deliveries");
    expect(listed(first)).toEqual(names.slice(0, 5));
    // This app holds them: its instance id (kept in its spool folder) is on every row and button.
    const instance = readFileSync(join(dir, "instance-id"), "utf8");
    for (const b of shown(first)) {
      expect(b.accessory?.value?.endsWith(`@${instance}`)).toBe(true);
      expect(b.text?.text).toContain(`held by \`${instance}\``);
    }
    const later = first
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === `${ActionId.setAsidePage}:older`);
    const second = await homeAfter(() => press(REP.id, later?.action_id ?? "", later?.value ?? ""));
    expect(listed(second)).toEqual(names.slice(5));
    expect(second.some((b) => b.text?.text.includes("no current or previous key opens it"))).toBe(true);
    const other = await openHome(REP2.id);
    expect(other.some((b) => b.block_id === "set_aside")).toBe(false);
  });

  it("refuses Retry and Discard to a non-rep (audited), changing nothing", async () => {
    await press(REP2.id, ActionId.setAsideDiscard, names[6] ?? "");
    await press(REP2.id, ActionId.setAsideRetry, names[0] ?? "");
    await eventually(
      async () =>
        (await h.db.prisma.auditEvent.count({
          where: {
            actorUserId: REP2.id,
            action: { in: [`${ActionId.setAsideDiscard}.refused`, `${ActionId.setAsideRetry}.refused`] },
          },
        })) === 2,
      10_000,
      "both refusals",
    );
    expect(existsSync(join(dir, names[6] ?? ""))).toBe(true);
    expect(existsSync(join(dir, names[0] ?? ""))).toBe(true);
  });

  it("a rep's Discard deletes the file; their Retry replays it into the database; both audited", async () => {
    const afterDiscard = await homeAfter(() => press(REP.id, ActionId.setAsideDiscard, names[6] ?? ""));
    expect(existsSync(join(dir, names[6] ?? ""))).toBe(false);
    expect(afterDiscard.find((b) => b.block_id === "set_aside")?.text?.text).toContain("6 saved deliveries");
    await homeAfter(() => press(REP.id, ActionId.setAsideRetry, names[0] ?? ""));
    await eventually(
      () => h.db.prisma.intakeDelivery.findUnique({ where: { key: "evt:EvSetAside0" } }),
      15_000,
      "the retried file replayed into the intake table",
    );
    expect(existsSync(join(dir, names[0] ?? ""))).toBe(false);
    const audits = await h.db.prisma.auditEvent.findMany({
      where: { actorUserId: REP.id, action: { in: ["intake.set_aside_discard", "intake.set_aside_retry"] } },
    });
    expect(audits.map((a) => a.action).sort()).toEqual([
      "intake.set_aside_discard",
      "intake.set_aside_retry",
    ]);
    // Path tricks are not files of the spool: refused quietly, nothing outside the folder touched.
    await press(REP.id, ActionId.setAsideDiscard, "../../etc/passwd");
  });
});
