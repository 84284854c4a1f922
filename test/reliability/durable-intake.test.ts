/**
 * What Slack got a 200 for is applied, even when PostgreSQL is unreachable at that moment.
 * The app talks to PostgreSQL through a TCP proxy that the test cuts: the server is gone (connections
 * refused), then a network partition (connections held, no answer). HR admins tick and untick meanwhile;
 * every request is answered within a few hundred ms, and once the line is back every change is in the
 * database and in the pinned checklist, in the order it was made. OUTAGE_SECONDS lengthens the outage
 * (default 6; the closing note of #12 reports a 300 s run).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checklistItems } from "../../src/checklist/items.ts";
import { getTemplate } from "../../src/checklist/template-registry.ts";
import { type Database, openDatabase } from "../../src/db/client.ts";
import { createLogger } from "../../src/logger.ts";
import { openTestDatabase } from "../helpers/db.ts";
import { eventually, type Harness, HOME_TEAM, HR, REP, startHarness } from "../helpers/harness.ts";
import { onboardToChecklist } from "../helpers/onboard-to-checklist.ts";
import { TcpProxy } from "../helpers/tcp-proxy.ts";
import { checkboxes } from "../journeys/onboarding-journey.ts";

const OUTAGE_MS = Number(process.env.OUTAGE_SECONDS ?? 6) * 1000;
type Block = Parameters<typeof checkboxes>[0][number];

describe("durable intake: a PostgreSQL outage loses no tick", () => {
  let direct: Database & { url?: string };
  let viaProxy: Database;
  let proxy: TcpProxy;
  let h: Harness;

  beforeAll(async () => {
    direct = await openTestDatabase("postgres");
    const url = new URL(direct.url ?? "");
    proxy = await new TcpProxy(url.hostname, Number(url.port || 5432)).start();
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);
    viaProxy = await openDatabase({
      url: url.toString(),
      dataDir: "unused",
      logger: createLogger({ level: "silent" }),
    });
    h = await startHarness({
      db: viaProxy,
      env: { INTAKE_STORE_BUDGET_MS: "300", INTAKE_POLL_MS: "200", INTAKE_LEASE_MS: "5000" },
    });
  }, 120_000);
  // The graceful stop finishes work in flight (up to 15 s) and lock waits are bounded at 15 s each: on two busy
  // cores, behind an outage's backlog, that can pass the default 60 s hook timeout.
  afterAll(async () => {
    await h?.stop();
    await viaProxy?.close();
    await proxy?.stop();
    await direct?.close();
  }, 150_000);

  it(
    "answers every tick within the budget while the database is away, then applies all of them in order",
    async () => {
      const sales = h.slack.addChannel({ name: "sales", members: [REP.id] });
      const { channel, checklist } = await onboardToChecklist(h, "Outage Co");
      const customerItems = checklistItems(getTemplate("justworks")).filter((i) => i.owner === "customer");
      const boxes = checkboxes(checklist.blocks as Block[]);
      const tick = async (key: string, on: boolean) => {
        const box = boxes.find((b) => b.value === key);
        if (!box) throw new Error(`no checkbox ${key}`);
        const t0 = performance.now();
        const res = await h.driver.blockActions({
          user: { id: HR.id, teamId: HR.teamId },
          channelId: channel.id,
          message: checklist,
          actions: [
            { action_id: box.actionId, block_id: box.blockId, selected_options: on ? [{ value: key }] : [] },
          ],
        });
        return { status: res.status, ms: performance.now() - t0 };
      };

      // The server is gone: connections refused. Then a partition: connections held without an answer.
      const answers: Array<{ status: number; ms: number }> = [];
      const [a, b, ...rest] = customerItems.map((i) => i.key);
      proxy.cut("refuse");
      answers.push(
        await tick(a as string, true),
        await tick(a as string, false),
        await tick(a as string, true),
      );
      answers.push(await tick(b as string, true));
      proxy.cut("blackhole");
      answers.push(await tick(b as string, false));
      for (const key of rest) answers.push(await tick(key, true));
      // Commands too: answered at once ("catching up"), their real answer comes at the response URL later.
      const help = await h.driver.command({
        text: "help",
        userId: REP.id,
        teamId: HOME_TEAM.id,
        channelId: sales.id,
      });
      const status = await h.driver.command({
        text: "status Outage Co",
        userId: REP.id,
        teamId: HOME_TEAM.id,
        channelId: sales.id,
      });
      for (const res of [help, status]) {
        expect(res.status).toBe(200);
        expect(JSON.stringify(res.body)).toContain("catching up");
      }
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      expect(answers.every((x) => x.status === 200)).toBe(true);
      // The acknowledgement never waited for the database: budget 300 ms, plus signing and HTTP on 2 cores.
      expect(Math.max(...answers.map((x) => x.ms))).toBeLessThan(1_500);
      expect(proxy.attemptsWhileCut).toBeGreaterThan(0);
      proxy.restore();

      // Every change applied, in order: a ticked (tick, untick, tick), b unticked (tick, untick), the rest ticked.
      const expected = new Map<string, boolean>([
        [a as string, true],
        [b as string, false],
        ...rest.map((k) => [k, true] as [string, boolean]),
      ]);
      const onboarding = await direct.prisma.onboarding.findFirstOrThrow({
        where: { customer: { name: "Outage Co" } },
      });
      await eventually(
        async () => {
          const rows = await direct.prisma.stepState.findMany({ where: { onboardingId: onboarding.id } });
          const done = new Map(rows.map((r) => [r.itemKey, r.done]));
          return [...expected].every(([k, v]) => (done.get(k) ?? false) === v);
        },
        60_000,
        "every tick in the database",
      );
      const helpLater = (await h.driver.waitForResponse(help.responseUrl, 30_000)) as { text: string };
      expect(helpLater.text).toContain("/fleet onboard");
      const statusLater = (await h.driver.waitForResponse(status.responseUrl, 30_000)) as { text: string };
      expect(statusLater.text).toContain("Outage Co");
      // The pinned checklist shows them too (the last chat.update carries the final state).
      await eventually(
        () => {
          const shown = h.slack.messages(channel.id).find((m) => m.ts === checklist.ts);
          const state = new Map(checkboxes((shown?.blocks ?? []) as Block[]).map((c) => [c.value, c.ticked]));
          return [...expected].every(([k, v]) => state.get(k) === v);
        },
        30_000,
        "every tick in the pinned checklist",
      );
      // Nothing left behind: no delivery still waiting, none dead.
      const left = async () =>
        direct.prisma.intakeDelivery.findMany({
          where: { status: { not: "done" } },
          select: { kind: true, status: true, attempts: true, lastError: true, summary: true },
        });
      await eventually(async () => (await left()).length === 0, 20_000, "an empty intake").catch(
        async (err: unknown) => {
          throw new Error(`${String(err)}: ${JSON.stringify(await left())}`);
        },
      );
      expect(h.logs.join("")).toContain("delivery spooled");
    },
    180_000 + OUTAGE_MS,
  );
});
