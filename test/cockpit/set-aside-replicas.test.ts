/**
 * Set-aside spool files with two instances (issue 22 point 8): two apps on one database, each with its own
 * DATA_DIR, as replicas behind a load balancer. A file set aside on A shows on the Home B renders, naming A as
 * its holder; Retry and Discard pressed on B are recorded ("requested" on the Home) and carried out by A alone,
 * audited as the rep's, on A's next pass.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningFleet, startFleet } from "../../src/fleet.ts";
import type { SetAsideLedger } from "../../src/intake/set-aside-ledger.ts";
import { createLogger } from "../../src/logger.ts";
import type { SlackDriver } from "../../src/sandbox/slack-driver/index.ts";
import { ActionId } from "../../src/slack-gateway/ids.ts";
import { DB_KINDS } from "../helpers/db.ts";
import {
  eventually,
  type Harness,
  HOME_TEAM,
  homeAfter as homeAfterAction,
  REP,
  startHarness,
} from "../helpers/harness.ts";
import { putRejected } from "../helpers/set-aside.ts";

type HomeBlock = { block_id?: string; text?: { text: string }; accessory?: { value?: string } };

describe.each(DB_KINDS)("set-aside spool files across two instances (%s)", (kind) => {
  let h: Harness;
  let b: RunningFleet;
  let driverB: SlackDriver;
  let dirA: string;
  let dirB: string;
  const keys: string[] = [];
  beforeAll(async () => {
    h = await startHarness({ db: kind, env: { FLEET_REP_USER_IDS: REP.id, INTAKE_POLL_MS: "200" } });
    const base = h.config;
    const dataB = mkdtempSync(join(tmpdir(), "fc-data-b-"));
    dirB = join(dataB, "intake-spool");
    b = await startFleet(
      {
        ...base,
        http: { ...base.http, port: 0 },
        database: { ...base.database, dataDir: dataB },
        intake: { ...base.intake, spoolDir: dirB },
      },
      { logger: createLogger({ level: "silent" }), db: h.db },
    );
    driverB = await h.driverFor(b.url);
    // Two deliveries the database "refused" on A, set aside in A's folder.
    dirA = h.config.intake.spoolDir;
    const ids = [0, 1].map((i) => `EvReplica${kind}${i}`);
    keys.push(...ids.map((id) => `evt:${id}`));
    await putRejected(dirA, h.app.ctx.keys, ids);
  }, 120_000);
  afterAll(async () => {
    await b?.stop();
    await h?.stop();
  });

  const homeAfter = (action: () => Promise<unknown>) => homeAfterAction<HomeBlock>(h, action);
  const openHomeOnB = () =>
    homeAfter(() =>
      driverB.event(
        { type: "app_home_opened", user: REP.id, channel: "D0HOME", tab: "home", event_ts: "1.1" },
        { teamId: HOME_TEAM.id },
      ),
    );
  const pressOnB = (actionId: string, value: string) =>
    homeAfter(() =>
      driverB.blockActions({
        user: { id: REP.id, teamId: HOME_TEAM.id },
        view: { id: h.slack.homeView(REP.id)?.id ?? "V0HOME", type: "home", blocks: [] as never },
        actions: [{ action_id: actionId, type: "button", value }],
      }),
    );
  const files = (blocks: HomeBlock[]) => blocks.filter((x) => /^set_aside:\d+$/.test(x.block_id ?? ""));
  const ledgerA = () => h.app.ctx.setAside as unknown as SetAsideLedger;
  const auditOf = (action: string) =>
    h.db.prisma.auditEvent.findFirst({ where: { action, actorUserId: REP.id }, orderBy: { id: "desc" } });

  it("a file set aside on A is listed on the Home B renders, held by A", async () => {
    // A records its files on its own (its pass), before anyone opens a Home on it.
    await eventually(async () => (await h.db.prisma.intakeSetAside.count()) === 2, 10_000, "A's rows");
    const idA = readFileSync(join(dirA, "instance-id"), "utf8");
    const home = await openHomeOnB();
    expect(home.find((x) => x.block_id === "set_aside")?.text?.text).toContain("2 saved deliveries");
    expect(files(home)).toHaveLength(2);
    for (const row of files(home)) {
      expect(row.text?.text).toContain(`held by \`${idA}\``);
      expect(row.accessory?.value?.endsWith(`@${idA}`)).toBe(true);
    }
    // B set nothing aside: it has no instance id, and no folder.
    expect(existsSync(join(dirB, "instance-id"))).toBe(false);
  });

  it("Retry pressed on B is requested, then done by A on its next pass and audited", async () => {
    const home = await openHomeOnB();
    const value = files(home)[0]?.accessory?.value ?? "";
    const name = value.split("@")[0] ?? "";
    await ledgerA().stop(); // A between passes: the request must wait for it
    const requested = await pressOnB(ActionId.setAsideRetry, value);
    expect(files(requested)[0]?.text?.text).toContain(`Retry requested by <@${REP.id}>`);
    expect(existsSync(join(dirA, name))).toBe(true);
    expect((await auditOf("intake.set_aside_retry_requested"))?.detail).toMatchObject({ file: name });

    const after = await homeAfter(async () => ledgerA().start());
    expect(files(after)).toHaveLength(1);
    expect(existsSync(join(dirA, name))).toBe(false);
    expect((await auditOf("intake.set_aside_retry"))?.detail).toMatchObject({
      file: name,
      retried: true,
      requested: true,
    });
    await eventually(
      () => h.db.prisma.intakeDelivery.findUnique({ where: { key: keys[0] ?? "" } }),
      15_000,
      "the retried file replayed into the intake table by A",
    );
  });

  it("Discard pressed on B is done by A", async () => {
    const value = files(await openHomeOnB())[0]?.accessory?.value ?? "";
    const name = value.split("@")[0] ?? "";
    await pressOnB(ActionId.setAsideDiscard, value);
    await eventually(() => !existsSync(join(dirA, name)), 10_000, "A deleted the file");
    const audited = await eventually(() => auditOf("intake.set_aside_discard"), 10_000, "A's audit");
    expect(audited.detail).toMatchObject({
      file: name,
      discarded: true,
      requested: true,
    });
    await eventually(async () => (await h.db.prisma.intakeSetAside.count()) === 0, 10_000, "no rows left");
    expect(await h.db.prisma.intakeDelivery.findUnique({ where: { key: keys[1] ?? "" } })).toBeNull();
  });
});
