/**
 * One state, two doors (issue 23, point 4): a tick on the private page goes through the durable intake like a
 * tick in Slack. It is stored and answered at once even while Slack's chat.update fails, and the intake applies
 * it to the Slack checklist once Slack is back, without another request; it is ordered with the Slack ticks of
 * the same box (a page tick, then a Slack untick, ends unticked); one that finally fails is a dead letter the
 * rep sees in the App Home. The stored delivery names the link by id, never by its token.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checklistItems } from "../../src/checklist/items.ts";
import { getTemplate } from "../../src/checklist/template-registry.ts";
import { issuePortalLink } from "../../src/onboarding/portal-links.ts";
import { type Onboarded, onboard } from "../finch/helpers.ts";
import { eventually, type Harness, HOME_TEAM, HR, REP, startHarness } from "../helpers/harness.ts";

type HomeBlock = { block_id?: string; text?: { text: string } };

function pageTools(h: () => Harness) {
  const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
  return {
    async issue(o: Pick<Onboarded, "id">): Promise<string> {
      const issued = await issuePortalLink(h().app.ctx, { onboardingId: o.id, email: HR.email });
      if (!issued.ok) throw new Error(issued.message);
      return issued.url;
    },
    async firstCustomerItem(o: Pick<Onboarded, "id">): Promise<string> {
      const row = await h().db.prisma.onboarding.findUniqueOrThrow({ where: { id: o.id } });
      const item = checklistItems(getTemplate(row.providerId)).find((i) => i.owner === "customer");
      if (!item) throw new Error("no customer step");
      return item.key;
    },
    async tick(url: string, item: string, done: boolean) {
      const csrf = csrfOf(await (await fetch(url)).text());
      return fetch(`${url}/tick`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ csrf, item, done: done ? "1" : "0" }).toString(),
      });
    },
    /** The item keys the pinned Slack checklist shows ticked. */
    tickedInSlack(o: Onboarded): string[] {
      const message = h()
        .slack.messages(o.channelId)
        .find((m) => m.ts === o.checklistTs);
      const blocks = (message?.blocks ?? []) as Array<{ type: string; elements?: unknown[] }>;
      return blocks
        .filter((b) => b.type === "actions")
        .flatMap(
          (b) => (b.elements ?? []) as Array<{ type: string; initial_options?: Array<{ value: string }> }>,
        )
        .filter((e) => e.type === "checkboxes")
        .flatMap((e) => (e.initial_options ?? []).map((opt) => opt.value));
    },
  };
}

describe("a tick on the private page goes through the durable intake", () => {
  let h: Harness;
  const tools = pageTools(() => h);
  beforeAll(async () => {
    h = await startHarness({ env: { PORTAL_LIMIT_PER_MINUTE: "10000", INTAKE_POLL_MS: "100" } });
  });
  afterAll(async () => h?.stop());

  it("is answered at once while Slack's chat.update fails, and shows in the checklist once Slack is back", async () => {
    const o = await onboard(h);
    const url = await tools.issue(o);
    const item = await tools.firstCustomerItem(o);
    h.slack.injectFault({ method: "chat.update", status: 500, times: 1000 });
    const started = Date.now();
    const res = await tools.tick(url, item, true);
    const answeredMs = Date.now() - started;
    if (process.env.SHOW_FIGURES) console.log(`page tick answered in ${answeredMs} ms`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(url);
    // The answer waits for the first attempt at most ~1.5 s (Slack's client may still be retrying then).
    expect(answeredMs).toBeLessThan(3_000);
    // Stored, and not applied yet: the first attempt could not update the Slack checklist.
    const row = await h.db.prisma.intakeDelivery.findFirstOrThrow({ where: { source: "portal" } });
    expect(["pending", "applying"]).toContain(row.status);
    expect(tools.tickedInSlack(o)).not.toContain(item);
    // The token is the page's secret: neither the key, the summary nor the order key carries it.
    const token = url.split("/p/")[1] ?? "";
    expect(JSON.stringify(row)).not.toContain(token);

    // Its first attempt fails (Slack's client gave up) and it waits for the intake's retry.
    const failed = await eventually(
      async () => {
        const r = await h.db.prisma.intakeDelivery.findUniqueOrThrow({ where: { key: row.key } });
        return r.status === "pending" && r.lastError ? r : null;
      },
      10_000,
      "the first attempt failed",
    );
    expect(failed.lastError).toMatch(/500|internal|error/i);
    // Meanwhile the page says the change is being saved.
    expect(await (await fetch(url)).text()).toContain("Saving your change");
    h.slack.clearFaults();
    // No other request: the intake's retry brings the tick to the Slack checklist.
    await eventually(() => tools.tickedInSlack(o).includes(item), 15_000, "the page tick in Slack");
    const done = await eventually(
      async () => {
        const r = await h.db.prisma.intakeDelivery.findUniqueOrThrow({ where: { key: row.key } });
        return r.status === "done" ? r : null;
      },
      10_000,
      "the delivery marked applied",
    );
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    expect(await (await fetch(url)).text()).not.toContain("Saving your change");
    const audits = await h.db.prisma.auditEvent.findMany({ where: { onboardingId: o.id, action: "tick" } });
    expect(audits.map((a) => [a.actorUserId, a.detail])).toEqual([
      [`email:${HR.email}`, { item, via: "page" }],
    ]);
  }, 30_000);

  it("is ordered with the Slack ticks of the same box: a page tick, then a Slack untick, ends unticked", async () => {
    const o = await onboard(h);
    const url = await tools.issue(o);
    const item = await tools.firstCustomerItem(o);
    // The page tick's first attempt fails (Slack down): it waits for its retry when Slack is back and the
    // Slack untick comes. Applied by arrival, the untick would go first and the page tick's retry would tick
    // the box again; ordered per box, the untick waits for the tick and wins.
    h.slack.injectFault({ method: "chat.update", status: 500, times: 1000 });
    expect((await tools.tick(url, item, true)).status).toBe(303);
    await eventually(
      async () =>
        (await h.db.prisma.intakeDelivery.count({
          where: { source: "portal", channelId: o.channelId, status: "pending", lastError: { not: null } },
        })) === 1,
      10_000,
      "the page tick waiting for its retry",
    );
    h.slack.clearFaults();
    const checklist = h.slack.messages(o.channelId).find((m) => m.ts === o.checklistTs);
    const res = await h.driver.blockActions({
      user: { id: HR.id, teamId: HR.teamId },
      channelId: o.channelId,
      message: checklist!,
      actions: [{ action_id: `tick:${item}`, selected_options: [] }],
    });
    expect(res.status).toBe(200);
    await eventually(
      async () =>
        (await h.db.prisma.intakeDelivery.count({
          where: { channelId: o.channelId, status: { in: ["pending", "applying"] } },
        })) === 0,
      15_000,
      "both deliveries applied",
    );
    const step = await h.db.prisma.stepState.findFirst({ where: { onboardingId: o.id, itemKey: item } });
    expect(step?.done ?? false).toBe(false);
    await eventually(() => !tools.tickedInSlack(o).includes(item), 10_000, "unticked in Slack");
    const audits = await h.db.prisma.auditEvent.findMany({
      where: { onboardingId: o.id, action: { in: ["tick", "untick"] } },
      orderBy: { id: "asc" },
    });
    expect(audits.map((a) => a.action)).toEqual(["tick", "untick"]);
  }, 30_000);
});

describe("a page tick that finally fails", () => {
  let h: Harness;
  const tools = pageTools(() => h);
  beforeAll(async () => {
    h = await startHarness({
      env: {
        PORTAL_LIMIT_PER_MINUTE: "10000",
        INTAKE_POLL_MS: "100",
        INTAKE_MAX_ATTEMPTS: "2",
        FLEET_REP_USER_IDS: REP.id,
      },
    });
  });
  afterAll(async () => h?.stop());

  it("is a dead letter the rep sees in the App Home", async () => {
    const o = await onboard(h);
    const url = await tools.issue(o);
    const item = await tools.firstCustomerItem(o);
    h.slack.injectFault({ method: "chat.update", status: 500, times: 1000 });
    expect((await tools.tick(url, item, true)).status).toBe(303);
    const dead = await eventually(
      () => h.db.prisma.intakeDelivery.findFirst({ where: { source: "portal", status: "dead" } }),
      15_000,
      "the dead page tick",
    );
    expect(dead.attempts).toBe(2);
    expect(dead.summary).toContain("private page");
    h.slack.clearFaults();
    const before = h.slack.homeView(REP.id)?.updates ?? -1;
    await h.driver.event(
      { type: "app_home_opened", user: REP.id, channel: "D0HOME", tab: "home", event_ts: "1.1" },
      { teamId: HOME_TEAM.id },
    );
    const view = await eventually(
      () => {
        const v = h.slack.homeView(REP.id);
        return v && v.updates !== before ? v : null;
      },
      10_000,
      "home view",
    );
    const blocks = view.blocks as HomeBlock[];
    expect(blocks.find((b) => b.block_id === "dead_letters")?.text?.text).toContain(
      "1 delivery could not be applied",
    );
    expect(JSON.stringify(blocks)).toContain("private page");
  }, 30_000);
});
