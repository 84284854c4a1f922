/**
 * Set-aside spool files across real processes (issue 22 point 8): an app process (A, its own DATA_DIR) and the
 * harness's in-process app (B) on one PostgreSQL database. A file A found set aside at start shows on the Home
 * B renders, naming A; the Retry a rep presses on B is carried out by A (the only one that touches A's folder):
 * the file replayed into the intake table by A and audited as the rep's.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActionId } from "../../src/slack-gateway/ids.ts";
import type { AppProcess } from "../helpers/app-process.ts";
import { eventually, type Harness, HOME_TEAM, homeAfter, REP, startHarness } from "../helpers/harness.ts";
import { putRejected } from "../helpers/set-aside.ts";

type HomeBlock = { block_id?: string; text?: { text: string }; accessory?: { value?: string } };

describe("set-aside spool files across two app processes (postgres)", () => {
  let h: Harness;
  let a: AppProcess;
  let spoolA: string;
  let name = "";
  beforeAll(async () => {
    h = await startHarness({ db: "postgres", env: { FLEET_REP_USER_IDS: REP.id, INTAKE_POLL_MS: "200" } });
    // Left set aside by an earlier run on A's DATA_DIR: A finds it at start.
    const dataDir = mkdtempSync(join(tmpdir(), "fc-proc-a-"));
    spoolA = join(dataDir, "intake-spool");
    [name = ""] = await putRejected(spoolA, h.app.ctx.keys, ["EvProcessA0"]);
    a = await h.startProcess({ label: "replica-a", dataDir });
  }, 180_000);
  afterAll(async () => h?.stop());

  it("A's file is on B's Home; Retry pressed on B is done by A", async () => {
    const row = await eventually(() => h.db.prisma.intakeSetAside.findFirst(), 20_000, "A's row");
    const idA = readFileSync(join(spoolA, "instance-id"), "utf8");
    expect(row).toMatchObject({ instance: idA, name, reason: "rejected" });

    const home = await homeAfter<HomeBlock>(h, () =>
      h.driver.event(
        { type: "app_home_opened", user: REP.id, channel: "D0HOME", tab: "home", event_ts: "1.1" },
        { teamId: HOME_TEAM.id },
      ),
    );
    const listed = home.find((x) => x.block_id === "set_aside:0");
    expect(listed?.text?.text).toContain(`held by \`${idA}\``);
    // B (in-process) holds nothing: no instance id of its own.
    expect(existsSync(join(h.config.intake.spoolDir, "instance-id"))).toBe(false);

    await h.driver.blockActions({
      user: { id: REP.id, teamId: HOME_TEAM.id },
      view: { id: h.slack.homeView(REP.id)?.id ?? "V0HOME", type: "home", blocks: [] as never },
      actions: [{ action_id: ActionId.setAsideRetry, type: "button", value: listed?.accessory?.value ?? "" }],
    });
    await eventually(
      () => h.db.prisma.intakeDelivery.findUnique({ where: { key: "evt:EvProcessA0" } }),
      20_000,
      "the file replayed into the intake table",
    );
    expect(existsSync(join(spoolA, name))).toBe(false);
    const audited = await eventually(
      () =>
        h.db.prisma.auditEvent.findFirst({
          where: { action: "intake.set_aside_retry", actorUserId: REP.id },
        }),
      10_000,
      "A's audit of the retry",
    );
    expect(audited.detail).toMatchObject({ file: name, retried: true, requested: true, instance: idA });
    expect(a.logLines().some((l) => l.msg === "set-aside file request carried out")).toBe(true);
    expect(await h.db.prisma.intakeSetAside.count()).toBe(0);
  }, 60_000);
});
